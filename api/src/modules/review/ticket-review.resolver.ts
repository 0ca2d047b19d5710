import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import { changesOf } from '../profiles/profile-changes';
import { TicketType } from '../tickets/ticket.types';
import { FIELD_LABELS } from './review.service';
import { FieldChange, SignatureRecord } from './ticket-review.types';

const show = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** What reviewers need beside the ticket: the old → new diff and the verified signatures. */
@Resolver(() => TicketType)
export class TicketReviewResolver {
  @FieldResolver(() => [FieldChange], { description: '修改前 → 修改后；审核通过后“修改前”为提交时的资料' })
  async changes(@Root() t: TicketType, @Ctx() { em, services, viewer }: KaihuContext): Promise<FieldChange[]> {
    const ticket = await services.tickets.get(em, viewer, t.id);
    const proposed = changesOf(ticket.data) as Record<string, unknown>;
    const customer = await services.profiles.findCustomer(em, ticket.customerId);
    if (!customer) return [];
    const snapshot = ticket.data.PROFILE_BEFORE as Record<string, unknown> | undefined;
    const current = snapshot ?? ((await services.profiles.counterProfile(em, customer)) as unknown as Record<string, unknown>);
    const staff = viewer?.kind === 'STAFF';
    return Object.keys(proposed).map((field) => {
      const mask = !staff && field === 'mobile';
      const before = mask ? null : show(current[field]);
      const after = mask ? null : show(proposed[field]);
      return { field, label: FIELD_LABELS[field] ?? field, before, after, changed: JSON.stringify(current[field] ?? null) !== JSON.stringify(proposed[field] ?? null) };
    });
  }

  @FieldResolver(() => [SignatureRecord], { description: '各协议签名的验证结果' })
  async signatures(@Root() t: TicketType, @Ctx() { em, services }: KaihuContext): Promise<SignatureRecord[]> {
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
