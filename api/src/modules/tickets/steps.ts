/**
 * Steps as definitions. Each step kind of a business is one {@link StepDefinition}, owned by the
 * module whose data it collects (documents: 上传照片, profiles: the info pages, agreements: 签署协议
 * …) and listed in that module's `index.ts` (`KaihuModule.steps`). A definition says what the step
 * takes and how it validates it (`collect`), what it stores (what `collect` returns, kept as
 * `ticket.data[kind]`), what the reviewer's diff shows (`profileChanges`, `reviewRows`) and what it
 * needs before it (`needs`). The ticket service runs the sequence — at the step? collect, store,
 * move on, one event, one flush — once for every step ({@link TicketService.runStep}).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CounterProfile } from '@kaihu/plugin-api';
import type { TicketStepKind } from '@kaihu/domain';
import type { Clock } from '../../common/clock';
import type { Services } from '../../services';
import type { Viewer } from '../auth';
import type { Ticket } from './ticket.entity';

/** What a step's `collect` is given. */
export interface StepRun<I> {
  em: EntityManager;
  /** who completes the step: the customer (or prospect), or staff for the steps they complete (视频见证) */
  viewer: Viewer;
  ticket: Ticket;
  input: I;
  /** every module's service: a step reaches other modules only through them */
  services: Services;
  clock: Clock;
}

/** A row of the reviewer's view of a step beyond profile changes (e.g. 交易所, 适当性等级). */
export interface ReviewRow {
  label: string;
  value: string;
}

export interface StepDefinition<I = never, D = unknown> {
  kind: TicketStepKind;
  /**
   * Validates the input against the ticket and returns what the step stores (`ticket.data[kind]`),
   * or throws a KaihuError with a stable code, a Chinese message and `fields` for the page. It may
   * add its own rows to `em` (signatures, certificates): they are flushed with the step.
   */
  collect(run: StepRun<I>): Promise<D> | D;
  /** Checked before the ticket is checked to be at this step (a refusal that must win over STEP_NOT_ALLOWED). */
  precondition?(ticket: Ticket): void;
  /** The counter-profile fields the stored data changes: shown old → new to the reviewer, applied on approval. */
  profileChanges?(data: D): Partial<CounterProfile>;
  /** What else the reviewer sees of the stored data. */
  reviewRows?(data: D): ReviewRow[];
  /** Values the agreements' templates may use (`{{name}}` in 《适当性匹配意见告知书》). */
  agreementFacts?(data: D): Record<string, string>;
  /**
   * Steps that must come right before this one for this ticket (inserted, not done, when missing):
   * 签署协议 needs a valid certificate, so 视频见证 and 安装数字证书 come first without one.
   */
  needs?(run: Omit<StepRun<never>, 'input' | 'viewer'>): Promise<readonly TicketStepKind[]>;
}

/** Declares a step (typed input and data). */
export function defineStep<I, D>(definition: StepDefinition<I, D>): StepDefinition<I, D> {
  return definition;
}

/** The step definitions of the running server, by kind. */
export class StepRegistry {
  private readonly byKind = new Map<TicketStepKind, StepDefinition<never, unknown>>();

  constructor(definitions: readonly StepDefinition<never, unknown>[] = []) {
    for (const d of definitions) this.register(d);
  }

  register(definition: StepDefinition<never, unknown>): void {
    if (this.byKind.has(definition.kind)) throw new Error(`step ${definition.kind} is defined twice`);
    this.byKind.set(definition.kind, definition);
  }

  get(kind: TicketStepKind): StepDefinition<never, unknown> | undefined {
    return this.byKind.get(kind);
  }

  /** The profile changes the ticket's collected data amounts to, in step order. */
  profileChanges(ticket: Pick<Ticket, 'steps' | 'data'>): Partial<CounterProfile> {
    let out: Partial<CounterProfile> = {};
    for (const { kind } of ticket.steps) {
      const f = this.byKind.get(kind)?.profileChanges;
      const data = ticket.data[kind];
      if (f && data) out = { ...out, ...f(data as never) };
    }
    return out;
  }

  /** The agreement templates' values the ticket's steps give, in step order. */
  agreementFacts(ticket: Pick<Ticket, 'steps' | 'data'>): Record<string, string> {
    let out: Record<string, string> = {};
    for (const { kind } of ticket.steps) {
      const f = this.byKind.get(kind)?.agreementFacts;
      const data = ticket.data[kind];
      if (f && data) out = { ...out, ...f(data as never) };
    }
    return out;
  }

  /** The reviewer's rows of every step that has them, in step order. */
  reviewRows(ticket: Pick<Ticket, 'steps' | 'data'>): (ReviewRow & { step: TicketStepKind })[] {
    return ticket.steps.flatMap(({ kind }) => {
      const f = this.byKind.get(kind)?.reviewRows;
      const data = ticket.data[kind];
      return f && data ? f(data as never).map((r) => ({ ...r, step: kind })) : [];
    });
  }
}
