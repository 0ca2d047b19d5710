import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Branch } from '../brokers';
import type { KaihuContext } from '../../graphql/context';
import { TicketType, type TicketRoot } from '../tickets';
import { PROFILE_FIELD_LABELS as FIELD_LABELS } from '@kaihu/domain';
import { FieldChange, SignatureRecord } from './ticket-review.types';

const show = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** What reviewers need beside the ticket: the old → new diff and the verified signatures. */
@Resolver(() => TicketType)
export class TicketReviewResolver {
  @FieldResolver(() => [FieldChange], { description: '修改前 → 修改后；审核通过后“修改前”为提交时的资料' })
  async changes(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<FieldChange[]> {
    const ticket = await services.tickets.get(em, viewer, t.id);
    const proposed = services.tickets.steps.profileChanges(ticket) as Record<string, unknown>;
    const customer = await services.profiles.findCustomer(em, ticket.customerId);
    if (!customer) return [];
    const snapshot = ticket.data.PROFILE_BEFORE as Record<string, unknown> | undefined;
    const current =
      snapshot ?? ((await services.profiles.counterProfile(em, customer)) as unknown as Record<string, unknown>);
    const staff = viewer?.kind === 'STAFF';
    return Object.keys(proposed).map((field) => {
      const mask = !staff && field === 'mobile';
      const before = mask ? null : show(current[field]);
      const after = mask ? null : show(proposed[field]);
      return {
        field,
        label: FIELD_LABELS[field] ?? field,
        before,
        after,
        changed: JSON.stringify(current[field] ?? null) !== JSON.stringify(proposed[field] ?? null),
      };
    });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: '客户姓名：仅本公司工作人员和合作方可见，其他调用者为 null',
  })
  async customerName(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<string | null> {
    const ticket = await services.tickets.get(em, viewer, t.id);
    return services.review.customerName(em, viewer, ticket);
  }

  @FieldResolver(() => Branch, { nullable: true, description: '办理的营业部' })
  branch(@Root() t: TicketRoot, @Ctx() { em, services }: KaihuContext): Promise<Branch | null> {
    return services.brokers.findBranch(em, t.brokerId, { id: t.branchId });
  }

  @FieldResolver(() => String, { nullable: true, description: '视频见证坐席姓名；未经见证时为 null' })
  async witnessAgentName(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<string | null> {
    return services.review.witnessAgentName(em, await services.tickets.get(em, viewer, t.id));
  }

  @FieldResolver(() => Boolean, {
    description:
      '当前调用者现在能否复核本业务：本公司复核员、业务待复核、且不是本人见证的业务（本人见证时为 false，复核将被拒绝 SAME_PERSON）',
  })
  async reviewableByMe(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<boolean> {
    return services.review.canReview(viewer, await services.tickets.get(em, viewer, t.id));
  }

  @FieldResolver(() => [SignatureRecord], { description: '各协议签名的验证结果' })
  async signatures(@Root() t: TicketRoot, @Ctx() { em, services }: KaihuContext): Promise<SignatureRecord[]> {
    const rows = await services.agreements.signatures(em, t.id);
    const out: SignatureRecord[] = [];
    for (const s of rows) {
      const a = await services.agreements.findById(em, s.agreementId);
      out.push({
        agreementCode: a?.code ?? '',
        agreementTitle: a?.title ?? '',
        agreementVersion: a?.version ?? 0,
        signerSerial: s.signerSerial,
        signedAt: s.signedAt,
        verified: s.verification.result === 'VALID',
        checks: (s.verification.checks as string[]) ?? [],
      });
    }
    return out;
  }
}
