import type { TicketStepKind } from '../graphql/generated';

/** One step's rows of a ticket's 申请内容 (Ticket.details). */
export interface DetailSection {
  step: TicketStepKind;
  rows: { label: string; value: string }[];
}

/**
 * Ticket.details grouped by step, in the business's order (开立期货账户: identity, settlement,
 * suitability, exchanges, return visit), leaving out the steps in `except`.
 */
export function detailSections(
  details: readonly { step: TicketStepKind; label: string; value: string }[] | null | undefined,
  except: readonly TicketStepKind[] = [],
): DetailSection[] {
  const out: DetailSection[] = [];
  for (const d of details ?? []) {
    if (except.includes(d.step)) continue;
    const last = out[out.length - 1];
    const row = { label: d.label, value: d.value };
    if (last?.step === d.step) last.rows.push(row);
    else out.push({ step: d.step, rows: [row] });
  }
  return out;
}
