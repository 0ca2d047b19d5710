/**
 * Kaihu plugin API — how a futures broker integrates its own systems.
 *
 * A deployment loads exactly one implementation of each interface below. Kaihu ships a default
 * package for each (`@kaihu/counter-local`, `@kaihu/sms-outbox`, `@kaihu/storage-fs`,
 * `@kaihu/broker-demo`) that works out of the box; a broker replaces one by naming its own package
 * in the configuration (`KAIHU_PLUGINS`, see {@link PluginSelection}).
 *
 * A plugin package's default export (or its `plugin` named export) is a {@link KaihuPlugin}: a
 * factory that receives a {@link PluginContext} and returns the implementation. Plugins that keep
 * data in Kaihu's database declare their tables as {@link PluginMigration}s; Kaihu applies them with
 * its own migrations at start, so schema changes happen only by migrations.
 */

/** The four plugin slots of a deployment. */
export type PluginKind = 'counter' | 'sms' | 'documents' | 'brokers';

import type * as domain from '@kaihu/domain';

/** The profile's vocabulary (account types, tax residency, …) is @kaihu/domain's: the portal and the server use the same lists. */
export type * from '@kaihu/domain';

// ---------------------------------------------------------------------------------------------
// Shared infrastructure handed to plugins
// ---------------------------------------------------------------------------------------------

/**
 * A minimal SQL client over Kaihu's database (PostgreSQL or embedded PGlite).
 * Placeholders are PostgreSQL's `$1, $2, …`. Rows come back as plain objects.
 */
export interface SqlClient {
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<T[]>;
}

/** A source of the current time, so tests can pin it. */
export interface Clock {
  now(): Date;
}

/** Structured logger (pino-compatible subset). Never pass secrets, codes or full ID numbers. */
export interface PluginLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PluginContext {
  /** Kaihu's database; the plugin's own tables come from its {@link PluginMigration}s. */
  db: SqlClient;
  /** Directory for files the deployment keeps (`KAIHU_DATA_DIR`). */
  dataDir: string;
  clock: Clock;
  logger: PluginLogger;
  /** Plugin-specific settings (`KAIHU_PLUGIN_<KIND>_OPTIONS` as JSON), `{}` when none. */
  options: Record<string, unknown>;
}

/** One forward-only schema change of a plugin, applied in `id` order with Kaihu's migrations. */
export interface PluginMigration {
  /** Unique within the plugin and sortable, e.g. `0001_outbox`. */
  id: string;
  /** PostgreSQL DDL; may hold several statements. */
  up: string;
}

/** What a plugin package exports. */
export interface KaihuPlugin<K extends PluginKind = PluginKind> {
  kind: K;
  /** Package-style name, shown in logs and `/healthz`. */
  name: string;
  migrations?: readonly PluginMigration[];
  create(ctx: PluginContext): PluginInstance<K> | Promise<PluginInstance<K>>;
}

export type PluginInstance<K extends PluginKind> = K extends 'counter'
  ? CounterSystem
  : K extends 'sms'
    ? SmsGateway
    : K extends 'documents'
      ? DocumentStore
      : K extends 'brokers'
        ? BrokerPack
        : never;

/**
 * Which package fills each slot. The default selection is the four default packages;
 * `KAIHU_PLUGINS="counter=@acme/kaihu-counter,sms=@acme/kaihu-sms"` overrides some of them.
 */
export type PluginSelection = Record<PluginKind, string>;

export const DEFAULT_PLUGINS: PluginSelection = {
  counter: '@kaihu/counter-local',
  sms: '@kaihu/sms-outbox',
  documents: '@kaihu/storage-fs',
  brokers: '@kaihu/broker-demo',
};

/** Parses `kind=package,kind=package` onto the defaults; throws a one-line error when malformed. */
export function parsePluginSelection(spec: string | undefined): PluginSelection {
  const selection: PluginSelection = { ...DEFAULT_PLUGINS };
  if (!spec || !spec.trim()) return selection;
  for (const part of spec.split(',')) {
    const [kind, pkg, ...rest] = part.split('=').map((s) => s.trim());
    if (rest.length || !kind || !pkg || !(kind in DEFAULT_PLUGINS)) {
      throw new Error(
        `"${part.trim()}" is not kind=package with kind one of ${Object.keys(DEFAULT_PLUGINS).join(', ')}`,
      );
    }
    selection[kind as PluginKind] = pkg;
  }
  return selection;
}

/** Checks that a loaded module is a plugin of the expected kind. */
export function asPlugin<K extends PluginKind>(mod: unknown, kind: K, from: string): KaihuPlugin<K> {
  const m = mod as { default?: unknown; plugin?: unknown } | undefined;
  const candidate = (m?.plugin ?? m?.default ?? m) as Partial<KaihuPlugin> | undefined;
  if (!candidate || typeof candidate.create !== 'function' || typeof candidate.name !== 'string') {
    throw new Error(`${from} does not export a Kaihu plugin (expected { kind, name, create })`);
  }
  if (candidate.kind !== kind) {
    throw new Error(`${from} is a "${String(candidate.kind)}" plugin, not "${kind}"`);
  }
  return candidate as KaihuPlugin<K>;
}

// ---------------------------------------------------------------------------------------------
// CounterSystem (柜台) — the broker's system of record
// ---------------------------------------------------------------------------------------------

/** A customer's data as the counter holds it. Dates are `YYYY-MM-DD`. */
export interface CounterProfile {
  name: string;
  idNumber: string;
  idAddress: string;
  idValidFrom: string;
  /** `null` for a long-term (长期) ID. */
  idValidTo: string | null;
  /** 联系电话: a mobile or a landline, may be absent. */
  phone: string | null;
  /** 联系手机: where login codes go. */
  mobile: string;
  province: string;
  city: string;
  address: string;
  postalCode: string;
  email: string | null;
  education: string;
  occupation: string;
  taxResidency: domain.TaxResidency;
  pepRelation: domain.PepRelation;
  investmentHorizon: domain.InvestmentHorizon | null;
  expectedReturn: domain.ExpectedReturn | null;
  hasActualController: boolean | null;
  beneficialOwnerIsSelf: boolean | null;
  products: domain.InvestmentProduct[];
  badCreditRecords: domain.BadCreditSource[];
}

export interface CounterCustomer {
  /** The counter's own customer number (客户号). */
  customerNo: string;
  brokerCode: string;
  branchName: string;
  accountTypes: domain.AccountType[];
  profile: CounterProfile;
}

/** An approved change, applied to the counter after review (复核). */
export interface CounterChange {
  /** 受理单号 of the approved ticket, for the counter's audit trail; applying it twice is a no-op. */
  acceptanceNo: string;
  business: string;
  /** Only the fields that change. */
  changes: Partial<CounterProfile>;
}

/** An account the counter opens after an approved 开立期货账户 / 开立资管账户. */
export interface NewAccount {
  /** 受理单号: opening the same one twice returns the account it opened the first time */
  acceptanceNo: string;
  accountType: domain.AccountType;
  /** 营业部 of the account */
  branchName: string;
  /** the whole profile, as the applicant filled it in */
  profile: CounterProfile;
  /** what the card says beyond the profile */
  identity: { gender: 'MALE' | 'FEMALE'; ethnicity: string; birthDate: string; idIssuer: string };
  /** 结算账户: bank and full card number, exactly one primary */
  settlementAccounts: { bankCode: string; bankName: string; cardNumber: string; primary: boolean }[];
  /** 适当性: the result the account opens with */
  suitability: { tolerance: string; score: number; lowestCategory: boolean; assessedAt: Date } | null;
}

export interface OpenedAccount {
  /** 资金账号 */
  accountNo: string;
  /** the counter's customer number (a new one, or the existing customer's for a second account type) */
  customerNo: string;
  /** false when this acceptance number had opened it before (nothing new was opened) */
  created: boolean;
}

/** One exchange's trading code (交易编码) as the counter knows it. */
export interface TradingCodeAnswer {
  exchange: string;
  /** APPLIED until the exchange answers through the 统一开户 system */
  status: 'APPLIED' | 'ASSIGNED' | 'REFUSED';
  code: string | null;
  reason: string | null;
  answeredAt: Date | null;
}

export interface CounterSystem {
  /**
   * Opens the account of an approved application (资金账号). Idempotent per acceptance number, so a
   * reviewer may retry after a failure without opening two accounts.
   */
  openAccount(brokerCode: string, account: NewAccount): Promise<OpenedAccount>;
  /**
   * Applies, through the 统一开户 system, for the account's trading codes at these exchanges; the
   * answers come later (see {@link tradingCodes}). Applying again for an exchange already applied
   * for changes nothing.
   */
  applyTradingCodes(
    brokerCode: string,
    request: { acceptanceNo: string; accountNo: string; idNumber: string; exchanges: string[] },
  ): Promise<TradingCodeAnswer[]>;
  /** The account's trading codes as they stand (an exchange's answer arrives some time after applying). */
  tradingCodes(brokerCode: string, accountNo: string): Promise<TradingCodeAnswer[]>;
  /** `null` when the counter has no account of that type for the ID number (柜台校验客户不存在). */
  findCustomer(brokerCode: string, idNumber: string, accountType: domain.AccountType): Promise<CounterCustomer | null>;
  /** Applies an approved change and returns the customer as the counter now holds it. */
  applyChange(brokerCode: string, idNumber: string, change: CounterChange): Promise<CounterCustomer>;
  /**
   * Resets the trading password after an approved 密码重置 and returns the temporary password the
   * customer is told by SMS. The temporary password is returned once: a second call with the same
   * acceptance number fails (the counter keeps only a hash), so callers send the SMS right away.
   */
  resetPassword(
    brokerCode: string,
    idNumber: string,
    accountType: domain.AccountType,
    acceptanceNo: string,
  ): Promise<{ temporaryPassword: string }>;
  /** Optional: whether the counter is reachable (for `/healthz`). */
  ping?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// SmsGateway
// ---------------------------------------------------------------------------------------------

export interface SmsMessage {
  to: string;
  text: string;
  /** Why it is sent, e.g. `LOGIN_CODE`, `PHONE_CODE`, `PASSWORD_RESET`, `TICKET_APPROVED`. */
  purpose: string;
  brokerCode?: string;
  /**
   * The one-time code carried in `text`, when there is one. Gateways must not log it; the demo
   * outbox shows it so a demo can be run without a phone.
   */
  code?: string;
}

export interface SmsReceipt {
  id: string;
  acceptedAt: Date;
}

export interface SmsGateway {
  send(message: SmsMessage): Promise<SmsReceipt>;
}

/** Gateways that keep what they sent (the outbox) can list it for the demo page and tests. */
export interface SmsOutboxEntry {
  id: string;
  to: string;
  text: string;
  purpose: string;
  code: string | null;
  createdAt: Date;
}

export interface SmsOutboxReader {
  list(options?: { to?: string; limit?: number }): Promise<SmsOutboxEntry[]>;
}

export function isOutboxReader(g: unknown): g is SmsOutboxReader {
  return typeof (g as SmsOutboxReader | null)?.list === 'function';
}

// ---------------------------------------------------------------------------------------------
// DocumentStore — photos, recordings, signed PDFs, by content hash
// ---------------------------------------------------------------------------------------------

export interface StoredObject {
  /** SHA-256 of the bytes, lower-case hex: the object's identity. */
  sha256: string;
  size: number;
  contentType: string;
  /** false when the same bytes were stored before (nothing new was written). */
  created: boolean;
}

export interface DocumentStore {
  /** Stores the bytes (a Buffer or a stream) and returns their hash. Same bytes → same object. */
  put(data: Buffer | NodeJS.ReadableStream, contentType: string): Promise<StoredObject>;
  /** `null` when no object has that hash. */
  get(sha256: string): Promise<{ stream: NodeJS.ReadableStream; size: number; contentType: string } | null>;
  has(sha256: string): Promise<boolean>;
  /** For retention: removes an object. Returns false when it did not exist. */
  delete(sha256: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// BrokerPack — a broker's own data: name, branches, hours, agreements, businesses, branding
// ---------------------------------------------------------------------------------------------

export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7; // ISO: 1 = Monday … 7 = Sunday

export interface ServiceWindow {
  weekday: Weekday;
  /** `HH:MM` local time in the broker's time zone. */
  opens: string;
  /** `HH:MM`, `24:00` for midnight at the end of the day; later than `opens`. */
  closes: string;
}

export interface HolidaySpec {
  /** `YYYY-MM-DD` */
  date: string;
  name: string;
}

/**
 * An agreement's current wording. Kaihu versions agreements itself: when the text of a code
 * changes (in the pack or by a broker admin), a new version is stored; signed versions never change.
 */
export interface AgreementText {
  /** Stable code, e.g. `CUSTOMER_NOTICE`. */
  code: string;
  /** Shown with 《》 around it. */
  title: string;
  /** Markdown. */
  content: string;
  /** Business types (e.g. `UPDATE_OTHER_INFO`) that sign this agreement. */
  businesses: string[];
}

/** A bank whose cards may be settlement accounts (结算账户). */
export interface BankDefinition {
  /** e.g. the bank's code in China's payment system (`102` 工商银行) */
  code: string;
  name: string;
  /** its card numbers end with a Luhn check digit (most do) */
  luhn: boolean;
}

/** One answer of a question; what it means depends on the questionnaire's kind. */
export interface QuestionOptionDefinition {
  code: string;
  text: string;
  /** SUITABILITY: points this answer adds */
  score?: number;
  /** SUITABILITY: choosing it makes the investor 最低风险承受能力类别 (e.g. no income source) */
  lowestCategory?: boolean;
  /** RETURN_VISIT: the answer the broker expects (any other flags the ticket 需人工回访) */
  expected?: boolean;
  /** KNOWLEDGE_TEST: a correct answer */
  correct?: boolean;
}

export interface QuestionDefinition {
  code: string;
  text: string;
  /** heading the question is shown under (基本情况, 财务状况, …) */
  section?: string;
  /** several options may be chosen; SUITABILITY counts the highest score of those chosen */
  multiple: boolean;
  /** KNOWLEDGE_TEST: the points a correct answer is worth (default: 100 / number of questions) */
  points?: number;
  options: QuestionOptionDefinition[];
}

export type QuestionnaireKind = 'SUITABILITY' | 'RETURN_VISIT' | 'KNOWLEDGE_TEST';

/**
 * A broker's questionnaire. Kaihu versions questionnaires as it versions agreements: a change of
 * the pack stores a new version, and answers are always to the version in force.
 */
export interface QuestionnaireDefinition {
  /** stable, e.g. `SUITABILITY` */
  code: string;
  kind: QuestionnaireKind;
  title: string;
  questions: QuestionDefinition[];
  /** SUITABILITY: the lowest score of each risk tolerance (C1 … C5); C1 must start at 0 */
  bands?: { tolerance: 'C1' | 'C2' | 'C3' | 'C4' | 'C5'; minScore: number }[];
  /** KNOWLEDGE_TEST: the exchange it qualifies for, and the score needed (of 100) */
  exchange?: string;
  passScore?: number;
}

/** What the broker requires before an exchange's trading code may be applied for. */
export interface ExchangeRule {
  /** `SHFE`, `DCE`, `CZCE`, `CFFEX`, `INE`, `GFEX` */
  exchange: string;
  /** the products' risk level (R1 … R5) */
  risk: 'R1' | 'R2' | 'R3' | 'R4' | 'R5';
  /** conditions of 中金所 and 上期能源 (append-only once published by the exchange) */
  conditions?: {
    /** 可用资金 (yuan) held over `fundsDays` trading days */
    minAvailableFunds?: number;
    fundsDays?: number;
    /** code of the broker's KNOWLEDGE_TEST questionnaire, and the score needed */
    knowledgeTest?: string;
    knowledgeTestMinScore?: number;
    /** a record of trading (e.g. 10 days of simulated trading or 20 real trades in 3 years) */
    tradingRecord?: boolean;
  };
}

/** Rules of online account opening (网上开户). */
export interface OpeningRules {
  /** age limits (inclusive) of applicants; the reference: 年满18周岁 */
  minAge: number;
  maxAge: number;
}

export interface BrokerDefinition {
  code: string;
  name: string;
  servicePhone: string | null;
  /** IANA time zone of the service hours, `Asia/Shanghai` for mainland brokers. */
  timeZone: string;
  serviceWindows: ServiceWindow[];
  holidays: HolidaySpec[];
  branches: { code: string; name: string }[];
  enabledBusinesses: string[];
  agreements: AgreementText[];
  /** banks accepted for settlement accounts (the login page lists them) */
  banks?: BankDefinition[];
  /** 适当性评估, 回访问卷 and knowledge tests */
  questionnaires?: QuestionnaireDefinition[];
  /** exchanges offered, with their products' risk and conditions */
  exchanges?: ExchangeRule[];
  opening?: OpeningRules;
  /** Markdown shown on the login page: 投资者教育 and 开户帮助 */
  texts?: { investorEducation?: string; openingHelp?: string };
  branding?: { primaryColor?: string; logoUrl?: string };
}

/** Demo data a pack may carry (customers for the counter, staff, partner keys). */
export interface DemoStaff {
  username: string;
  password: string;
  displayName: string;
  roles: ('AGENT' | 'REVIEWER' | 'BROKER_ADMIN')[];
  brokerCode: string;
  branchName: string | null;
  licenseNo?: string;
}

export interface DemoPartnerKey {
  key: string;
  name: string;
  brokerCode: string;
}

export interface DemoData {
  customers: CounterCustomer[];
  staff: DemoStaff[];
  partnerKeys: DemoPartnerKey[];
}

export interface BrokerPack {
  brokers(): Promise<BrokerDefinition[]>;
  /** Present only in packs meant for demos and tests. */
  demoData?(): Promise<DemoData>;
}

/** Counters that can be seeded (the table-backed default) implement this too. */
export interface SeedableCounter {
  upsertCustomers(customers: CounterCustomer[]): Promise<number>;
}

export function isSeedableCounter(c: unknown): c is SeedableCounter {
  return typeof (c as SeedableCounter | null)?.upsertCustomers === 'function';
}
