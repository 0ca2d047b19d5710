/**
 * How a ticket walks its business's steps (the steps themselves are data: @kaihu/domain's
 * BUSINESSES): which step is current, and the witness and certificate steps inserted before
 * 签署协议. Pure functions; nothing about the order lives in if-chains.
 */
import type { TicketStepKind } from '@kaihu/domain';

export interface StepState {
  kind: TicketStepKind;
  done: boolean;
}

/** The steps a new ticket of a business starts with (its flow's steps, none done). */
export function initialSteps(steps: readonly TicketStepKind[]): StepState[] {
  return steps.map((kind) => ({ kind, done: false }));
}

/** The first step not done (SUBMITTED once everything before it is). */
export function currentStepOf(steps: readonly StepState[]): TicketStepKind {
  return (steps.find((s) => !s.done) ?? steps[steps.length - 1]!).kind;
}

/**
 * Inserts VIDEO_WITNESS and CERTIFICATE before AGREEMENTS when they are not already in the
 * flow (a business without them, for a customer without a valid certificate). With `redo`
 * (重新申请 a certificate at AGREEMENTS) both are put right before AGREEMENTS, not done, even
 * when the flow had them and they were done.
 */
export function withCertificateSteps(steps: readonly StepState[], options: { redo?: boolean } = {}): StepState[] {
  const i = steps.findIndex((s) => s.kind === 'AGREEMENTS');
  if (options.redo) {
    if (i < 0) return [...steps];
    const others = steps.filter((s) => s.kind !== 'VIDEO_WITNESS' && s.kind !== 'CERTIFICATE');
    const j = others.findIndex((s) => s.kind === 'AGREEMENTS');
    return [
      ...others.slice(0, j),
      { kind: 'VIDEO_WITNESS', done: false },
      { kind: 'CERTIFICATE', done: false },
      ...others.slice(j),
    ];
  }
  if (steps.some((s) => s.kind === 'CERTIFICATE')) return [...steps];
  if (i < 0) return [...steps];
  return [
    ...steps.slice(0, i),
    { kind: 'VIDEO_WITNESS', done: false },
    { kind: 'CERTIFICATE', done: false },
    ...steps.slice(i),
  ];
}
