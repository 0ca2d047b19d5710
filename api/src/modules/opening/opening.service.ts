/**
 * 开立期货账户 beyond its steps: the brokers' opening data (banks, exchanges and their rules, age
 * limits, the login page's texts), what the applicant is (name, ID number, mobile), the exchange
 * options of a ticket, and what approval does at the counter — the account (资金账号), the new
 * customer, and the trading codes whose answers arrive later, one exchange at a time.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  BankDefinition,
  BrokerDefinition,
  CounterProfile,
  CounterSystem,
  ExchangeRule,
  OpeningRules,
  SmsGateway,
  TradingCodeAnswer,
} from '@kaihu/plugin-api';
import { EXCHANGE_NAMES, EXCHANGES, type Exchange } from '@kaihu/domain';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { afterCommit, inTransaction } from '../../common/unit-of-work';
import type { Logger } from '../../common/logger';
import type { AuthService } from '../auth';
import type { BrokerService } from '../brokers';
import type { ProfileService } from '../profiles';
import type { Ticket, TicketService } from '../tickets';
import { QuestionnaireService } from './questionnaires';
import { TradingCode } from './trading-code.entity';

/** The opening data of a broker's pack. */
export interface OpeningPack {
  banks: BankDefinition[];
  exchanges: ExchangeRule[];
  opening: OpeningRules;
  texts: { investorEducation: string; openingHelp: string };
}

const DEFAULT_OPENING: OpeningRules = { minAge: 18, maxAge: 70 };

/** What the IDENTITY step stored (身份信息填写). */
export interface IdentityData {
  name: string;
  idNumber: string;
  gender: 'MALE' | 'FEMALE';
  ethnicity: string;
  birthDate: string;
  idAddress: string;
  idIssuer: string;
  idValidFrom: string;
  idValidTo: string | null;
  mobile: string;
  phone: string | null;
  [other: string]: unknown;
}

export interface SettlementData {
  accounts: { bankCode: string; bankName: string; cardNumber: string; primary: boolean; holderName: string }[];
}

export interface SuitabilityData {
  questionnaireId: string;
  version: number;
  answers: Record<string, string[]>;
  score: number;
  tolerance: 'C1' | 'C2' | 'C3' | 'C4' | 'C5';
  lowestCategory: boolean;
  assessedAt: string;
}

export interface ExchangesData {
  exchanges: Exchange[];
  matches: { exchange: Exchange; risk: ExchangeRule['risk']; matched: boolean }[];
  mismatchAccepted: boolean;
}

export interface ReturnVisitData {
  questionnaireId: string;
  version: number;
  answers: Record<string, string[]>;
  unexpected: { question: string; answer: string }[];
}

/** How often this node asks the counter about trading codes still awaiting an answer. */
const TRADING_CODE_POLL_MS = 2000;

export class OpeningService {
  readonly questionnaires: QuestionnaireService;
  private readonly packs = new Map<string, OpeningPack>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly deps: {
      brokers: BrokerService;
      profiles: ProfileService;
      tickets: TicketService;
      auth: AuthService;
      counter: CounterSystem;
      sms: SmsGateway;
    },
  ) {
    this.questionnaires = new QuestionnaireService(clock);
  }

  /** At start: the pack's opening data of each broker, and its questionnaires (new versions stored). */
  async sync(em: EntityManager, definitions: readonly BrokerDefinition[]): Promise<void> {
    for (const def of definitions) {
      const broker = await this.deps.brokers.findByCode(em, def.code);
      if (!broker) continue;
      const exchanges = def.exchanges ?? EXCHANGES.map((exchange) => ({ exchange, risk: 'R4' as const }));
      for (const r of exchanges)
        if (!(EXCHANGES as readonly string[]).includes(r.exchange))
          throw new Error(`broker ${def.code}: unknown exchange ${r.exchange}`);
      this.packs.set(broker.id, {
        banks: def.banks ?? [],
        exchanges,
        opening: def.opening ?? DEFAULT_OPENING,
        texts: {
          investorEducation: def.texts?.investorEducation ?? '',
          openingHelp: def.texts?.openingHelp ?? '',
        },
      });
      await this.questionnaires.sync(em, broker.id, def.questionnaires ?? []);
    }
  }

  /** The opening data of a broker (empty lists when its pack has none). */
  pack(brokerId: string): OpeningPack {
    return (
      this.packs.get(brokerId) ?? {
        banks: [],
        exchanges: [],
        opening: DEFAULT_OPENING,
        texts: { investorEducation: '', openingHelp: '' },
      }
    );
  }

  /** What the applicant typed in 身份信息填写, or null before it. */
  identity(ticket: Pick<Ticket, 'data'>): IdentityData | null {
    return (ticket.data.IDENTITY as IdentityData | undefined) ?? null;
  }

  /** The applicant's name for the certificate, the witness call and the reviewer. */
  async applicantName(em: EntityManager, ticket: Ticket): Promise<string | null> {
    const identity = this.identity(ticket);
    if (identity) return identity.name;
    const customer = await this.deps.profiles.findCustomer(em, ticket.customerId);
    return customer?.name ?? null;
  }

  /** The mobile a prospect logged in with (not editable in 身份信息填写). */
  async applicantMobile(em: EntityManager, ticket: Ticket): Promise<string> {
    if (ticket.prospectId) {
      const mobile = await this.deps.auth.prospectMobile(em, ticket.prospectId);
      if (mobile) return mobile;
    }
    const customer = await this.deps.profiles.findCustomer(em, ticket.customerId);
    if (!customer) throw new KaihuError(ErrorCode.NOT_FOUND, '申请人不存在');
    return (await this.deps.profiles.counterProfile(em, customer)).mobile;
  }

  /**
   * The exchanges of the broker in this ticket's business, with why one cannot be chosen: at a
   * first online opening, an exchange with conditions (中金所, 上期能源: funds, a knowledge test and
   * a trading record) is offered later through 增开交易编码.
   */
  exchangeOptions(ticket: Pick<Ticket, 'brokerId' | 'business'>): {
    exchange: Exchange;
    name: string;
    risk: ExchangeRule['risk'];
    unavailableReason: string | null;
  }[] {
    return this.pack(ticket.brokerId).exchanges.map((rule) => ({
      exchange: rule.exchange as Exchange,
      name: EXCHANGE_NAMES[rule.exchange as Exchange],
      risk: rule.risk,
      unavailableReason: rule.conditions ? conditionsText(rule.conditions) : null,
    }));
  }

  // --- approval: the account, the customer, the trading codes ---------------------------------

  /**
   * Opens the account of an approved 开立期货账户 at the counter (idempotent per acceptance number)
   * and registers the new customer under the applicant's id; the ticket keeps the 资金账号 and gets
   * its trading codes (PENDING until {@link applyTradingCodes} reaches the counter). Returns the SMS.
   * Everything here is added to `em`: the review flushes it with the approval.
   */
  async openAccount(
    em: EntityManager,
    ticket: Ticket,
    broker: { id: string; code: string; name: string },
  ): Promise<{ accountNo: string; mobile: string; text: string }> {
    const identity = this.identity(ticket);
    const settlement = ticket.data.SETTLEMENT_ACCOUNT as SettlementData | undefined;
    const exchanges = ticket.data.EXCHANGES as ExchangesData | undefined;
    if (!identity || !settlement || !exchanges)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '开户资料不完整，不能通过');
    const suitability = ticket.data.SUITABILITY as SuitabilityData | undefined;
    const branch = (await this.deps.brokers.branchById(em, ticket.branchId))?.branch;
    if (!branch) throw new KaihuError(ErrorCode.NOT_FOUND, '营业部不存在');
    const profile = this.deps.tickets.steps.profileChanges(ticket) as CounterProfile;
    const opened = await this.deps.counter.openAccount(broker.code, {
      acceptanceNo: ticket.acceptanceNo,
      accountType: 'FUTURES_BROKERAGE',
      branchName: branch.name,
      profile,
      identity: {
        gender: identity.gender,
        ethnicity: identity.ethnicity,
        birthDate: identity.birthDate,
        idIssuer: identity.idIssuer,
      },
      settlementAccounts: settlement.accounts.map((a) => ({
        bankCode: a.bankCode,
        bankName: a.bankName,
        cardNumber: a.cardNumber,
        primary: a.primary,
      })),
      suitability: suitability
        ? {
            tolerance: suitability.tolerance,
            score: suitability.score,
            lowestCategory: suitability.lowestCategory,
            assessedAt: new Date(suitability.assessedAt),
          }
        : null,
    });
    await this.deps.profiles.registerOpened(em, {
      id: ticket.customerId,
      brokerId: ticket.brokerId,
      branchId: ticket.branchId,
      accountType: 'FUTURES_BROKERAGE',
      idNumber: identity.idNumber,
      customerNo: opened.customerNo,
      name: identity.name,
    });
    const now = this.clock.now();
    ticket.data = {
      ...ticket.data,
      ACCOUNT: { accountNo: opened.accountNo, customerNo: opened.customerNo, openedAt: now.toISOString() },
    };
    for (const exchange of exchanges.exchanges) {
      const existing = await em.findOne(TradingCode, { ticketId: ticket.id, exchange });
      if (!existing)
        em.create(TradingCode, {
          ticketId: ticket.id,
          exchange,
          brokerId: ticket.brokerId,
          accountNo: opened.accountNo,
          status: 'PENDING',
        });
    }
    this.deps.tickets.event(em, ticket, { kind: 'SYSTEM', id: null }, 'ACCOUNT_OPENED', null, null, {
      accountNo: opened.accountNo,
    });
    return {
      accountNo: opened.accountNo,
      mobile: identity.mobile,
      text: `【${broker.name}】尊敬的${identity.name}${identity.gender === 'MALE' ? '先生' : '女士'}，您的期货账户已开立，资金账号为${opened.accountNo}。交易编码申请结果将另行通知；请携带本人银行卡到银行办理银期转账签约。如非本人操作，请致电客服。`,
    };
  }

  /** The ticket's trading codes as Kaihu last heard of them. */
  tradingCodes(em: EntityManager, ticketId: string): Promise<TradingCode[]> {
    return em.find(TradingCode, { ticketId }, { orderBy: { exchange: 'asc' } });
  }

  /**
   * Applies at the counter for the ticket's codes still PENDING (after the approval committed;
   * retried by the poll when the counter fails: its application is idempotent). The counter is
   * called outside any transaction; what it answered is recorded in one transaction holding the
   * ticket's row lock, so nodes polling at the same moment each record a code's answer once.
   */
  async applyTradingCodes(em: EntityManager, ticketId: string): Promise<number> {
    const pending = await em.find(TradingCode, { ticketId, status: 'PENDING' });
    if (!pending.length) return 0;
    const ticket = await this.deps.tickets.getForSystem(em, ticketId);
    const broker = await this.deps.brokers.findById(em, ticket.brokerId);
    const identity = this.identity(ticket);
    if (!broker || !identity) return 0;
    const answers = await this.deps.counter.applyTradingCodes(broker.code, {
      acceptanceNo: ticket.acceptanceNo,
      accountNo: pending[0]!.accountNo,
      idNumber: identity.idNumber,
      exchanges: pending.map((p) => p.exchange),
    });
    return inTransaction(em.fork(), async (tx) => {
      const locked = await this.deps.tickets.getForSystem(tx, ticketId, { lock: true });
      const still = await tx.find(TradingCode, { ticketId, status: 'PENDING' });
      if (still.length) {
        const now = this.clock.now();
        for (const p of still) Object.assign(p, { status: 'APPLIED', appliedAt: now });
        this.deps.tickets.event(tx, locked, { kind: 'SYSTEM', id: null }, 'TRADING_CODES_APPLIED', null, null, {
          exchanges: still.map((p) => p.exchange),
        });
      }
      return this.record(tx, locked, broker, answers, still.length > 0);
    });
  }

  /**
   * Starts this node's poll of the counter for trading codes awaiting an answer (every node polls;
   * an answer is recorded once, by whichever node sees it first).
   */
  start(forkEm: () => EntityManager, log: Logger): void {
    this.timer ??= setInterval(() => {
      this.polling ??= this.poll(forkEm())
        .then(() => undefined)
        .catch((err: unknown) => log.warn({ err }, 'trading code poll failed'))
        .finally(() => (this.polling = null));
    }, TRADING_CODE_POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** One round: PENDING codes are applied for, APPLIED ones asked about; returns the answers recorded. */
  async poll(em: EntityManager): Promise<number> {
    const open = await em.find(
      TradingCode,
      { status: { $in: ['PENDING', 'APPLIED'] } },
      { limit: 200, orderBy: { ticketId: 'asc' } },
    );
    let answered = 0;
    for (const ticketId of new Set(open.map((c) => c.ticketId))) {
      answered += await this.applyTradingCodes(em.fork(), ticketId);
      const fork = em.fork();
      const codes = await fork.find(TradingCode, { ticketId });
      if (!codes.some((c) => c.status === 'APPLIED')) continue;
      const ticket = await this.deps.tickets.getForSystem(fork, ticketId);
      const broker = await this.deps.brokers.findById(fork, ticket.brokerId);
      if (!broker) continue;
      const answers = await this.deps.counter.tradingCodes(broker.code, codes[0]!.accountNo);
      answered += await inTransaction(fork, async (tx) =>
        this.record(tx, await this.deps.tickets.getForSystem(tx, ticketId, { lock: true }), broker, answers),
      );
    }
    return answered;
  }

  /**
   * Records the counter's answers: each newly answered code is a ticket event (and so a partner
   * event and a webhook, and a push to the ticket page); once every code is answered the customer
   * gets one SMS with all of them (after the transaction committed).
   */
  private async record(
    tx: EntityManager,
    ticket: Ticket,
    broker: { code: string; name: string },
    answers: TradingCodeAnswer[],
    touched = false,
  ): Promise<number> {
    const codes = await tx.find(TradingCode, { ticketId: ticket.id });
    let changed = 0;
    for (const a of answers) {
      const row = codes.find((c) => c.exchange === a.exchange);
      if (!row || row.status === 'ASSIGNED' || row.status === 'REFUSED' || a.status === 'APPLIED') continue;
      Object.assign(row, {
        status: a.status,
        code: a.code,
        reason: a.reason,
        answeredAt: a.answeredAt ?? this.clock.now(),
      });
      changed++;
      this.deps.tickets.event(
        tx,
        ticket,
        { kind: 'SYSTEM', id: null },
        a.status === 'ASSIGNED' ? 'TRADING_CODE_ASSIGNED' : 'TRADING_CODE_REFUSED',
        null,
        null,
        { exchange: a.exchange, code: a.code, reason: a.reason },
      );
    }
    if (changed || touched) await this.deps.tickets.announce(tx, ticket);
    const identity = this.identity(ticket);
    if (changed && identity && codes.every((c) => c.status === 'ASSIGNED' || c.status === 'REFUSED')) {
      const lines = codes.map((c) =>
        c.status === 'ASSIGNED'
          ? `${EXCHANGE_NAMES[c.exchange as Exchange]}${c.code}`
          : `${EXCHANGE_NAMES[c.exchange as Exchange]}未通过`,
      );
      const message = {
        to: identity.mobile,
        text: `【${broker.name}】尊敬的${identity.name}客户，您的资金账号${codes[0]!.accountNo}交易编码申请结果：${lines.join('；')}。`,
        purpose: 'TRADING_CODES',
        brokerCode: broker.code,
      };
      afterCommit(tx, () => void this.deps.sms.send(message).catch(() => undefined));
    }
    return changed;
  }
}

/** Why an exchange with conditions is not offered at a first online opening. */
function conditionsText(c: NonNullable<ExchangeRule['conditions']>): string {
  const parts: string[] = [];
  if (c.minAvailableFunds)
    parts.push(`申请前${c.fundsDays ?? 5}个交易日可用资金不低于人民币${(c.minAvailableFunds / 10_000).toFixed(0)}万元`);
  if (c.knowledgeTest) parts.push(`期货知识测试成绩不低于${c.knowledgeTestMinScore ?? 80}分`);
  if (c.tradingRecord) parts.push('具有交易经历');
  return `需满足${parts.join('、')}，开户后可通过“增开交易编码”申请`;
}
