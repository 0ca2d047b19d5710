/**
 * 视频见证: completed by the agent who held the call (completeWitness with PASSED, see
 * ../sessions.ts), not by the customer: it stores the session, the agent (a reviewer may not
 * review what they witnessed) and the checklist they confirmed.
 */
import { defineStep, type StepRun } from '../../tickets';
import type { WitnessSession } from '../witness.entity';

export const videoWitnessStep = defineStep({
  kind: 'VIDEO_WITNESS',
  collect: ({ input }: StepRun<{ session: WitnessSession; checklist: string[] }>) => ({
    outcome: 'PASSED' as const,
    sessionId: input.session.id,
    agentStaffId: input.session.agentStaffId,
    checklist: [...input.checklist],
  }),
});
