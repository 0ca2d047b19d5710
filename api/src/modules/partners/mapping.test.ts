import { partnerEventsFor } from './mapping';

const base = { before: null, after: null, status: 'IN_PROGRESS', actorKind: 'CUSTOMER', step: null };

describe('partner event mapping', () => {
  it('maps status changes, witness and review outcomes, and ignores the rest', () => {
    expect(partnerEventsFor({ ...base, action: 'STARTED' }).map((e) => e.type)).toEqual(['TICKET_STATUS_CHANGED']);
    expect(partnerEventsFor({ ...base, action: 'STEP_COMPLETED', step: 'DOCUMENTS' })).toEqual([]);
    expect(partnerEventsFor({ ...base, action: 'QUEUE_JOINED', step: 'VIDEO_WITNESS' })).toEqual([]);
    expect(
      partnerEventsFor({
        ...base,
        action: 'STEP_COMPLETED',
        step: 'VIDEO_WITNESS',
        after: { outcome: 'PASSED', sessionId: 's1', agentStaffId: 'a' },
      }),
    ).toEqual([{ type: 'WITNESS_COMPLETED', payload: { outcome: 'PASSED', sessionId: 's1' } }]);
    expect(
      partnerEventsFor({
        ...base,
        action: 'RETURNED',
        step: 'DOCUMENTS',
        status: 'RETURNED',
        before: { status: 'IN_PROGRESS', currentStep: 'VIDEO_WITNESS' },
      }).map((e) => e.type),
    ).toEqual(['WITNESS_COMPLETED', 'TICKET_STATUS_CHANGED']);
    const review = partnerEventsFor({
      ...base,
      action: 'RETURNED',
      step: 'DOCUMENTS',
      status: 'RETURNED',
      actorKind: 'STAFF',
      before: { status: 'SUBMITTED' },
    });
    expect(review).toEqual([
      { type: 'REVIEW_COMPLETED', payload: { outcome: 'RETURNED', returnedToStep: 'DOCUMENTS' } },
      {
        type: 'TICKET_STATUS_CHANGED',
        payload: { from: 'SUBMITTED', to: 'RETURNED', action: 'RETURNED', actorKind: 'STAFF' },
      },
    ]);
    expect(
      partnerEventsFor({ ...base, action: 'APPROVED', status: 'APPROVED', before: { status: 'SUBMITTED' } }).map(
        (e) => e.type,
      ),
    ).toEqual(['REVIEW_COMPLETED', 'TICKET_STATUS_CHANGED']);
    expect(partnerEventsFor({ ...base, action: 'REVIEW_NOTE', after: { note: 'x' } })).toEqual([]);
  });
});
