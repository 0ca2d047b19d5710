/**
 * `@kaihu/counter-local` — Kaihu's default counter system (柜台).
 *
 * A real, table-backed customer registry kept in Kaihu's own PostgreSQL database (or the embedded
 * PGlite). It stands in for a broker's counter in demos, tests and small deployments: customers are
 * seeded through {@link SeedableCounter.upsertCustomers}, looked up by ID number and account type,
 * changed by approved tickets and have their trading password reset.
 *
 * Portability notes: the SQL is plain PostgreSQL 15 that PGlite runs too, and only scalar values
 * (strings) cross the {@link SqlClient} in either direction — JSON is sent as text and cast with
 * `::jsonb`, arrays and JSON come back as text — so the plugin works with any driver the host
 * adapts, whatever that driver's type parsers do.
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

import type {
  AccountType,
  Clock,
  CounterChange,
  CounterCustomer,
  CounterProfile,
  CounterSystem,
  KaihuPlugin,
  NewAccount,
  OpenedAccount,
  PluginMigration,
  TradingCodeAnswer,
  SeedableCounter,
  SqlClient,
} from '@kaihu/plugin-api';

/** Message prefix of the error thrown when the counter holds no such customer (as the spec words it). */
export const CUSTOMER_NOT_FOUND_MESSAGE = '柜台校验客户不存在';

/** The plugin's tables. Forward-only: a later change is a new migration, never an edit of this one. */
export const migrations: readonly PluginMigration[] = [
  {
    id: '0001_counter_customers',
    up: `
CREATE TABLE counter_customers (
  customer_no   text PRIMARY KEY,
  broker_code   text NOT NULL,
  -- Upper case, so the checksum character X matches however it was typed.
  id_number     text NOT NULL CHECK (id_number = upper(id_number)),
  branch_name   text NOT NULL,
  account_types text[] NOT NULL
    CHECK (cardinality(account_types) > 0
       AND account_types <@ ARRAY['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT']::text[]),
  -- A CounterProfile as JSON (camelCase keys, exactly the plugin-api shape).
  profile       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT counter_customers_broker_id_number_key UNIQUE (broker_code, id_number)
);

-- One row per approved change applied, so replaying an acceptance number is a no-op.
CREATE TABLE counter_applied_changes (
  acceptance_no text PRIMARY KEY,
  broker_code   text NOT NULL,
  id_number     text NOT NULL,
  business      text NOT NULL,
  changes       jsonb NOT NULL,
  applied_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per password reset; only a scrypt hash of the temporary password is kept.
CREATE TABLE counter_password_resets (
  acceptance_no           text PRIMARY KEY,
  broker_code             text NOT NULL,
  id_number               text NOT NULL,
  account_type            text NOT NULL CHECK (account_type IN ('FUTURES_BROKERAGE', 'ASSET_MANAGEMENT')),
  temporary_password_hash text NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  -- Orders resets made within the same instant: the newest one holds the current password.
  seq                     bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX counter_password_resets_account_idx
  ON counter_password_resets (broker_code, id_number, account_type, created_at DESC, seq DESC);
`,
  },
  {
    id: '0002_counter_accounts',
    up: `
-- 资金账号 per broker: the next number, taken and advanced in one statement (no two approvals get the same)
CREATE TABLE counter_account_sequences (
  broker_code text PRIMARY KEY,
  last_value  bigint NOT NULL
);

-- Accounts the counter opened, one per acceptance number (opening again returns the same account)
CREATE TABLE counter_accounts (
  broker_code   text NOT NULL,
  account_no    text NOT NULL,
  customer_no   text NOT NULL REFERENCES counter_customers (customer_no),
  account_type  text NOT NULL CHECK (account_type IN ('FUTURES_BROKERAGE', 'ASSET_MANAGEMENT')),
  acceptance_no text NOT NULL UNIQUE,
  identity      jsonb NOT NULL,
  opened_at     timestamptz NOT NULL,
  PRIMARY KEY (broker_code, account_no)
);

CREATE TABLE counter_settlement_accounts (
  broker_code  text NOT NULL,
  customer_no  text NOT NULL REFERENCES counter_customers (customer_no),
  bank_code    text NOT NULL,
  bank_name    text NOT NULL,
  card_number  text NOT NULL,
  is_primary   boolean NOT NULL,
  PRIMARY KEY (customer_no, card_number)
);

CREATE TABLE counter_suitability (
  customer_no     text PRIMARY KEY REFERENCES counter_customers (customer_no),
  tolerance       text NOT NULL,
  score           integer NOT NULL,
  lowest_category boolean NOT NULL,
  assessed_at     timestamptz NOT NULL
);

-- Trading codes applied for through the 统一开户 system; the exchange answers at answer_due_at
CREATE TABLE counter_trading_codes (
  broker_code   text NOT NULL,
  account_no    text NOT NULL,
  exchange      text NOT NULL,
  acceptance_no text NOT NULL,
  status        text NOT NULL CHECK (status IN ('APPLIED', 'ASSIGNED', 'REFUSED')),
  code          text NULL,
  reason        text NULL,
  applied_at    timestamptz NOT NULL,
  answer_due_at timestamptz NOT NULL,
  answered_at   timestamptz NULL,
  PRIMARY KEY (broker_code, account_no, exchange),
  FOREIGN KEY (broker_code, account_no) REFERENCES counter_accounts (broker_code, account_no)
);
CREATE SEQUENCE counter_trading_code_seq;
`,
  },
];

/** Options of the local counter (`KAIHU_PLUGIN_COUNTER_OPTIONS`). */
export interface LocalCounterOptions {
  /** how long an exchange takes to answer a trading-code application (ms); default 3000 */
  tradingCodeDelayMs?: number;
  /** exchanges that refuse every application (to rehearse a refusal) */
  refuseExchanges?: string[];
  /** first digits of the brokers' 资金账号; default 8 */
  accountPrefix?: string;
}

const ACCOUNT_TYPES: readonly AccountType[] = ['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT'];

/**
 * Every field of {@link CounterProfile}. Typed as a record so the compiler fails here when the
 * profile gains or loses a field; used to refuse changes to fields the counter does not know.
 */
const PROFILE_FIELDS: Record<keyof CounterProfile, true> = {
  name: true,
  idNumber: true,
  idAddress: true,
  idValidFrom: true,
  idValidTo: true,
  phone: true,
  mobile: true,
  province: true,
  city: true,
  address: true,
  postalCode: true,
  email: true,
  education: true,
  occupation: true,
  taxResidency: true,
  pepRelation: true,
  investmentHorizon: true,
  expectedReturn: true,
  hasActualController: true,
  beneficialOwnerIsSelf: true,
  products: true,
  badCreditRecords: true,
};

/** Trims an ID number and upper-cases the checksum character (`x` → `X`), as the table stores it. */
export function normalizeIdNumber(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

/**
 * The columns every customer query selects from `counter_customers c`; arrays and JSON come back
 * as text (see the module notes).
 */
const CUSTOMER_COLUMNS = `c.customer_no, c.broker_code, c.branch_name,
  array_to_json(c.account_types)::text AS account_types_json, c.profile::text AS profile_json`;

interface CustomerRow extends Record<string, unknown> {
  customer_no: string;
  broker_code: string;
  branch_name: string;
  account_types_json: string;
  profile_json: string;
}

function toCustomer(row: CustomerRow): CounterCustomer {
  return {
    customerNo: row.customer_no,
    brokerCode: row.broker_code,
    branchName: row.branch_name,
    accountTypes: JSON.parse(row.account_types_json) as AccountType[],
    profile: JSON.parse(row.profile_json) as CounterProfile,
  };
}

// ---------------------------------------------------------------------------------------------
// Temporary-password hashing (scrypt)
// ---------------------------------------------------------------------------------------------

/** scrypt cost parameters: N = 2^14, r = 8, p = 1 (≈16 MiB, tens of milliseconds per hash). */
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const SCRYPT_KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password as `scrypt$N$r$p$<salt base64>$<hash base64>` with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT_KEY_LENGTH, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a {@link hashPassword} hash in constant time; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (!N || !r || !p || expected.length === 0) return false;
  const actual = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(actual, expected);
}

/** A random 6-digit temporary trading password, leading zeros kept (`000000`–`999999`). */
function generateTemporaryPassword(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

// ---------------------------------------------------------------------------------------------
// The counter
// ---------------------------------------------------------------------------------------------

/**
 * The table-backed counter. Needs the tables of {@link migrations}.
 *
 * Every write is a single SQL statement, so it is atomic without needing transactions from the
 * {@link SqlClient}, and concurrent calls with the same acceptance number cannot both take effect.
 */
export class LocalCounter implements CounterSystem, SeedableCounter {
  constructor(
    private readonly db: SqlClient,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly options: LocalCounterOptions = {},
  ) {}

  /**
   * Opens the account: a new counter customer (or a second account type for one the counter
   * knows), its settlement accounts and suitability, and a 资金账号 from the broker's sequence.
   * Idempotent per acceptance number.
   */
  async openAccount(brokerCode: string, account: NewAccount): Promise<OpenedAccount> {
    const acceptanceNo = account.acceptanceNo?.trim();
    if (!acceptanceNo) throw new Error('开户缺少受理单号');
    const before = await this.accountOf(acceptanceNo);
    if (before) return { ...before, created: false };
    const id = normalizeIdNumber(account.profile.idNumber);
    const existing = await this.getCustomer(brokerCode, id);
    if (existing?.accountTypes.includes(account.accountType)) {
      throw new Error(`该客户已在${brokerCode}开立${accountTypeName(account.accountType)}账户`);
    }
    const primaries = account.settlementAccounts.filter((a) => a.primary).length;
    if (primaries !== 1) throw new Error('开户须有且只有一个主结算账户');
    const now = this.clock.now().toISOString();
    const [seq] = await this.db.query<{ last_value: string }>(
      `INSERT INTO counter_account_sequences (broker_code, last_value) VALUES ($1, 1)
       ON CONFLICT (broker_code) DO UPDATE SET last_value = counter_account_sequences.last_value + 1
       RETURNING last_value::text AS last_value`,
      [brokerCode],
    );
    const accountNo = `${this.options.accountPrefix ?? '8'}${String(seq!.last_value).padStart(9, '0')}`;
    const customerNo = existing?.customerNo ?? `${brokerCode}${accountNo}`; // customer numbers are unique across brokers
    const profile = { ...account.profile, idNumber: id };
    // one statement: the customer (new, or the existing one with the new account type), the account,
    // its settlement accounts and suitability; a second call with the acceptance number inserts nothing
    const opened = await this.db.query<{ account_no: string }>(
      `WITH customer AS (
         INSERT INTO counter_customers AS c (customer_no, broker_code, id_number, branch_name, account_types, profile, created_at, updated_at)
         VALUES ($1, $2, $3, $4, ARRAY[$5]::text[], $6::jsonb, $7::timestamptz, $7::timestamptz)
         ON CONFLICT (broker_code, id_number) DO UPDATE
           SET account_types = array_append(c.account_types, $5), updated_at = EXCLUDED.updated_at
           WHERE NOT ($5 = ANY (c.account_types))
         RETURNING customer_no
       ), account AS (
         INSERT INTO counter_accounts (account_no, broker_code, customer_no, account_type, acceptance_no, identity, opened_at)
         SELECT $8, $2, customer_no, $5, $9, $10::jsonb, $7::timestamptz FROM customer
         ON CONFLICT (acceptance_no) DO NOTHING
         RETURNING account_no, customer_no
       ), cards AS (
         INSERT INTO counter_settlement_accounts (broker_code, customer_no, bank_code, bank_name, card_number, is_primary)
         SELECT $2, a.customer_no, x.bank_code, x.bank_name, x.card_number, x.is_primary
           FROM account a, jsonb_to_recordset($11::jsonb) AS x(bank_code text, bank_name text, card_number text, is_primary boolean)
         ON CONFLICT (customer_no, card_number) DO UPDATE SET is_primary = EXCLUDED.is_primary
       ), suitability AS (
         INSERT INTO counter_suitability (customer_no, tolerance, score, lowest_category, assessed_at)
         SELECT a.customer_no, s.tolerance, s.score, s.lowest_category, s.assessed_at
           FROM account a, jsonb_to_recordset($12::jsonb) AS s(tolerance text, score integer, lowest_category boolean, assessed_at timestamptz)
         ON CONFLICT (customer_no) DO UPDATE
           SET tolerance = EXCLUDED.tolerance, score = EXCLUDED.score, lowest_category = EXCLUDED.lowest_category, assessed_at = EXCLUDED.assessed_at
       )
       SELECT account_no FROM account`,
      [
        customerNo,
        brokerCode,
        id,
        account.branchName,
        account.accountType,
        JSON.stringify(profile),
        now,
        accountNo,
        acceptanceNo,
        JSON.stringify(account.identity),
        JSON.stringify(
          account.settlementAccounts.map((a) => ({
            bank_code: a.bankCode,
            bank_name: a.bankName,
            card_number: a.cardNumber,
            is_primary: a.primary,
          })),
        ),
        JSON.stringify(
          account.suitability
            ? [
                {
                  tolerance: account.suitability.tolerance,
                  score: account.suitability.score,
                  lowest_category: account.suitability.lowestCategory,
                  assessed_at: account.suitability.assessedAt.toISOString(),
                },
              ]
            : [],
        ),
      ],
    );
    if (opened.length) return { accountNo, customerNo, created: true };
    // a concurrent call with the same acceptance number won: its account is the one
    const raced = await this.accountOf(acceptanceNo);
    if (!raced) throw new Error(`受理单 ${acceptanceNo} 的开户未能完成，请重试`);
    return { ...raced, created: false };
  }

  private async accountOf(acceptanceNo: string): Promise<{ accountNo: string; customerNo: string } | null> {
    const [row] = await this.db.query<{ account_no: string; customer_no: string }>(
      'SELECT account_no, customer_no FROM counter_accounts WHERE acceptance_no = $1',
      [acceptanceNo],
    );
    return row ? { accountNo: row.account_no, customerNo: row.customer_no } : null;
  }

  /** Applies for the codes; each exchange answers `tradingCodeDelayMs` later (see {@link tradingCodes}). */
  async applyTradingCodes(
    brokerCode: string,
    request: { acceptanceNo: string; accountNo: string; idNumber: string; exchanges: string[] },
  ): Promise<TradingCodeAnswer[]> {
    const [account] = await this.db.query<{ account_no: string }>(
      'SELECT account_no FROM counter_accounts WHERE broker_code = $1 AND account_no = $2',
      [brokerCode, request.accountNo],
    );
    if (!account) throw new Error(`资金账号 ${request.accountNo} 不存在`);
    const now = this.clock.now();
    const due = new Date(now.getTime() + (this.options.tradingCodeDelayMs ?? 3000));
    await this.db.query(
      `INSERT INTO counter_trading_codes (broker_code, account_no, exchange, acceptance_no, status, applied_at, answer_due_at)
       SELECT $6, $1, x, $2, 'APPLIED', $3::timestamptz, $4::timestamptz FROM jsonb_array_elements_text($5::jsonb) AS x
       ON CONFLICT (broker_code, account_no, exchange) DO NOTHING`,
      [
        request.accountNo,
        request.acceptanceNo,
        now.toISOString(),
        due.toISOString(),
        JSON.stringify(request.exchanges),
        brokerCode,
      ],
    );
    return this.tradingCodes(brokerCode, request.accountNo);
  }

  /**
   * The account's codes; applications whose answer is due are answered first (ASSIGNED with an
   * 8-digit code, or REFUSED for the exchanges the options name), as the exchange would have.
   */
  async tradingCodes(brokerCode: string, accountNo: string): Promise<TradingCodeAnswer[]> {
    const now = this.clock.now().toISOString();
    await this.db.query(
      `UPDATE counter_trading_codes t
          SET status = CASE WHEN t.exchange = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))) THEN 'REFUSED' ELSE 'ASSIGNED' END,
              code = CASE WHEN t.exchange = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))) THEN NULL
                          ELSE lpad(nextval('counter_trading_code_seq')::text, 8, '0') END,
              reason = CASE WHEN t.exchange = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))) THEN '交易所未通过该交易编码申请，请联系客服' ELSE NULL END,
              answered_at = $2::timestamptz
        WHERE t.broker_code = $4 AND t.account_no = $1
          AND t.status = 'APPLIED' AND t.answer_due_at <= $2::timestamptz`,
      [accountNo, now, JSON.stringify(this.options.refuseExchanges ?? []), brokerCode],
    );
    const rows = await this.db.query<{
      exchange: string;
      status: string;
      code: string | null;
      reason: string | null;
      answered_at: string | null;
    }>(
      `SELECT t.exchange, t.status, t.code, t.reason, t.answered_at::text AS answered_at
         FROM counter_trading_codes t
        WHERE t.account_no = $1 AND t.broker_code = $2 ORDER BY t.exchange`,
      [accountNo, brokerCode],
    );
    return rows.map((r) => ({
      exchange: r.exchange,
      status: r.status as TradingCodeAnswer['status'],
      code: r.code,
      reason: r.reason,
      answeredAt: r.answered_at ? new Date(r.answered_at) : null,
    }));
  }

  /** `null` when the broker has no customer with that ID number holding that account type. */
  async findCustomer(brokerCode: string, idNumber: string, accountType: AccountType): Promise<CounterCustomer | null> {
    const rows = await this.db.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM counter_customers c
        WHERE c.broker_code = $1 AND c.id_number = $2 AND $3 = ANY (c.account_types)`,
      [brokerCode, normalizeIdNumber(idNumber), accountType],
    );
    return rows.length ? toCustomer(rows[0]) : null;
  }

  /**
   * Merges `change.changes` into the customer's profile (top-level fields replace the old values;
   * `null` clears a field) and returns the customer as now held.
   *
   * Idempotent per acceptance number: applying one that was already applied to this customer
   * changes nothing and returns the current customer. Throws an error starting with
   * `柜台校验客户不存在` when the broker has no customer with that ID number, and refuses fields that
   * are not part of {@link CounterProfile}, a change of the ID number itself, and an acceptance
   * number already applied to a different customer.
   */
  async applyChange(brokerCode: string, idNumber: string, change: CounterChange): Promise<CounterCustomer> {
    const id = normalizeIdNumber(idNumber);
    const acceptanceNo = change.acceptanceNo?.trim();
    if (!acceptanceNo) throw new Error('柜台变更缺少受理单号');
    if (!change.business?.trim()) throw new Error(`受理单 ${acceptanceNo} 缺少业务类型`);
    const changes = this.checkedChanges(id, change.changes ?? {});
    const changesJson = JSON.stringify(changes);
    const now = this.clock.now().toISOString();

    // Claim the acceptance number and update the profile in one statement: the update only happens
    // when this call inserted the claim, and nothing is claimed for an unknown customer.
    const updated = await this.db.query<CustomerRow>(
      `WITH claimed AS (
         INSERT INTO counter_applied_changes (acceptance_no, broker_code, id_number, business, changes, applied_at)
         SELECT $3, c.broker_code, c.id_number, $4, $5::jsonb, $6::timestamptz
           FROM counter_customers c
          WHERE c.broker_code = $1 AND c.id_number = $2
         ON CONFLICT (acceptance_no) DO NOTHING
         RETURNING acceptance_no
       )
       UPDATE counter_customers AS c
          SET profile = c.profile || $5::jsonb, updated_at = $6::timestamptz
         FROM claimed
        WHERE c.broker_code = $1 AND c.id_number = $2
       RETURNING ${CUSTOMER_COLUMNS}`,
      [brokerCode, id, acceptanceNo, change.business, changesJson, now],
    );
    if (updated.length) return toCustomer(updated[0]);

    // Nothing changed: either the customer is unknown or the acceptance number was applied before.
    const customer = await this.getCustomer(brokerCode, id);
    if (!customer) throw new Error(`${CUSTOMER_NOT_FOUND_MESSAGE}：${brokerCode} 无此证件号码的客户`);
    const applied = await this.db.query<{ broker_code: string; id_number: string }>(
      'SELECT broker_code, id_number FROM counter_applied_changes WHERE acceptance_no = $1',
      [acceptanceNo],
    );
    if (applied.length && (applied[0].broker_code !== brokerCode || applied[0].id_number !== id)) {
      throw new Error(`受理单号 ${acceptanceNo} 已用于其他客户的变更`);
    }
    if (!applied.length) {
      // Only when the customer was created between the two statements above: let the caller retry.
      throw new Error(`受理单 ${acceptanceNo} 的变更未能应用，请重试`);
    }
    return customer;
  }

  /**
   * Resets the trading password of one account and returns a random 6-digit temporary password.
   *
   * Only a scrypt hash of it is stored, so the plaintext exists once, in this call's result. A
   * second call with the same acceptance number therefore cannot return it again and throws an
   * error saying the password was already reset (and changes nothing): the host must deliver the
   * password from the first call. Throws `柜台校验客户不存在…` when the customer has no account of
   * that type.
   */
  async resetPassword(
    brokerCode: string,
    idNumber: string,
    accountType: AccountType,
    acceptanceNo: string,
  ): Promise<{ temporaryPassword: string }> {
    const id = normalizeIdNumber(idNumber);
    const ticket = acceptanceNo?.trim();
    if (!ticket) throw new Error('密码重置缺少受理单号');
    if (!(await this.findCustomer(brokerCode, id, accountType))) {
      throw new Error(`${CUSTOMER_NOT_FOUND_MESSAGE}：${brokerCode} 无此证件号码的${accountTypeName(accountType)}账户`);
    }
    const temporaryPassword = generateTemporaryPassword();
    const inserted = await this.db.query(
      `INSERT INTO counter_password_resets
         (acceptance_no, broker_code, id_number, account_type, temporary_password_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
       ON CONFLICT (acceptance_no) DO NOTHING
       RETURNING acceptance_no`,
      [ticket, brokerCode, id, accountType, await hashPassword(temporaryPassword), this.clock.now().toISOString()],
    );
    if (!inserted.length) {
      throw new Error(`受理单号 ${ticket} 的密码已重置，临时密码只在首次重置时返回，无法再次获取`);
    }
    return { temporaryPassword };
  }

  /**
   * Whether `password` is the temporary password of the account's most recent reset — what the
   * counter checks when the customer first logs in to trade. Not part of {@link CounterSystem}.
   */
  async verifyTemporaryPassword(
    brokerCode: string,
    idNumber: string,
    accountType: AccountType,
    password: string,
  ): Promise<boolean> {
    const rows = await this.db.query<{ temporary_password_hash: string }>(
      `SELECT temporary_password_hash FROM counter_password_resets
        WHERE broker_code = $1 AND id_number = $2 AND account_type = $3
        ORDER BY created_at DESC, seq DESC
        LIMIT 1`,
      [brokerCode, normalizeIdNumber(idNumber), accountType],
    );
    return rows.length ? verifyPassword(password, rows[0].temporary_password_hash) : false;
  }

  /**
   * Inserts the customers, or replaces the stored ones with the same customer number (account
   * types, branch and the whole profile), in one statement. Returns how many were written.
   * The ID number is stored upper-case, in the column and in the profile.
   */
  async upsertCustomers(customers: CounterCustomer[]): Promise<number> {
    if (!customers.length) return 0;
    const customerNos = new Set<string>();
    const idNumbers = new Set<string>();
    const records = customers.map((customer) => {
      const record = toRecord(customer);
      const idKey = `${record.broker_code}\u0000${record.id_number}`;
      if (customerNos.has(record.customer_no)) throw new Error(`客户号 ${record.customer_no} 重复`);
      if (idNumbers.has(idKey)) throw new Error(`客户号 ${record.customer_no} 的证件号码与同批其他客户重复`);
      customerNos.add(record.customer_no);
      idNumbers.add(idKey);
      return record;
    });
    const rows = await this.db.query(
      `INSERT INTO counter_customers AS c
         (customer_no, broker_code, id_number, branch_name, account_types, profile, created_at, updated_at)
       SELECT x.customer_no, x.broker_code, x.id_number, x.branch_name,
              ARRAY(SELECT jsonb_array_elements_text(x.account_types)), x.profile,
              $2::timestamptz, $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb)
           AS x(customer_no text, broker_code text, id_number text, branch_name text,
                account_types jsonb, profile jsonb)
       ON CONFLICT (customer_no) DO UPDATE
          SET broker_code = EXCLUDED.broker_code,
              id_number = EXCLUDED.id_number,
              branch_name = EXCLUDED.branch_name,
              account_types = EXCLUDED.account_types,
              profile = EXCLUDED.profile,
              updated_at = EXCLUDED.updated_at
       RETURNING customer_no`,
      [JSON.stringify(records), this.clock.now().toISOString()],
    );
    return rows.length;
  }

  /** Resolves when the database answers. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** The customer with this ID number at this broker, whatever account types they hold. */
  private async getCustomer(brokerCode: string, normalizedId: string): Promise<CounterCustomer | null> {
    const rows = await this.db.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM counter_customers c WHERE c.broker_code = $1 AND c.id_number = $2`,
      [brokerCode, normalizedId],
    );
    return rows.length ? toCustomer(rows[0]) : null;
  }

  /** The changes to merge: known profile fields only, without `undefined`s and the unchanged ID number. */
  private checkedChanges(normalizedId: string, changes: Partial<CounterProfile>): Partial<CounterProfile> {
    const checked: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(changes)) {
      if (!Object.hasOwn(PROFILE_FIELDS, field)) throw new Error(`柜台不支持修改字段 ${field}`);
      if (value === undefined) continue;
      if (field === 'idNumber') {
        if (typeof value !== 'string' || normalizeIdNumber(value) !== normalizedId) {
          throw new Error('证件号码不能通过资料变更修改');
        }
        continue;
      }
      checked[field] = value;
    }
    return checked as Partial<CounterProfile>;
  }
}

/** The row a customer is stored as, validated. */
function toRecord(customer: CounterCustomer) {
  const customerNo = customer.customerNo?.trim();
  if (!customerNo) throw new Error('客户缺少客户号');
  if (!customer.brokerCode?.trim()) throw new Error(`客户 ${customerNo} 缺少期货公司代码`);
  if (!customer.branchName?.trim()) throw new Error(`客户 ${customerNo} 缺少营业部`);
  const idNumber = normalizeIdNumber(customer.profile?.idNumber ?? '');
  if (!idNumber) throw new Error(`客户 ${customerNo} 缺少证件号码`);
  const accountTypes = [...new Set(customer.accountTypes ?? [])];
  if (!accountTypes.length || accountTypes.some((t) => !ACCOUNT_TYPES.includes(t))) {
    throw new Error(`客户 ${customerNo} 的账户类型无效：${JSON.stringify(customer.accountTypes)}`);
  }
  return {
    customer_no: customerNo,
    broker_code: customer.brokerCode,
    id_number: idNumber,
    branch_name: customer.branchName,
    account_types: accountTypes,
    profile: { ...customer.profile, idNumber },
  };
}

function accountTypeName(accountType: AccountType): string {
  return accountType === 'FUTURES_BROKERAGE' ? '期货经纪' : '非期货经纪（资管）';
}

/** The default `counter` plugin: {@link LocalCounter} on Kaihu's database. */
export const plugin: KaihuPlugin<'counter'> = {
  kind: 'counter',
  name: '@kaihu/counter-local',
  migrations,
  create: (ctx) => new LocalCounter(ctx.db, ctx.clock, ctx.options as LocalCounterOptions),
};

export default plugin;
