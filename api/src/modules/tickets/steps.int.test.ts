/**
 * A new step and a new business, added the way docs/adding-a-business.md says, in a test only: one
 * step definition (input, validation, what it stores, what the reviewer sees, what it needs first),
 * registered in a StepRegistry, and a flow that uses it. No other code of the server knows them, and
 * the ticket service runs them like every built-in step: at-step check, one event, one flush.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode, KaihuError } from '../../common/errors';
import { DEMO, loginCustomer, startTestServer, type TestServer } from '../../testing/harness';
import type { Viewer } from '../auth';
import { defineStep, StepRegistry, TicketService, type StepRun } from './index';

const NOTE = 'TEST_NOTE' as never;
const BUSINESS = 'TEST_NOTE_BUSINESS' as never;

/** The test-only step: a short note to the broker that becomes the customer's 联系地址. */
const noteStep = defineStep({
  kind: NOTE,
  collect: ({ input }: StepRun<{ note: string }>) => {
    const note = (input.note ?? '').trim();
    if (!note || note.length > 20)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '备注须为1到20个字', {
        fields: [{ field: 'note', message: '备注须为1到20个字' }],
      });
    return { note };
  },
  profileChanges: (d) => ({ address: d.note }),
  reviewRows: (d) => [{ label: '客户备注', value: d.note }],
  // what it needs first: the photos, inserted when the flow does not have them
  needs: async () => ['DOCUMENTS'] as never,
});

describe('a step and a business defined outside the server (test only)', () => {
  let server: TestServer;
  let tickets: TicketService;
  let em: EntityManager;
  let viewer: Viewer & { customerId: string };

  beforeAll(async () => {
    server = await startTestServer('pglite');
    tickets = new TicketService(
      server.clock,
      { brokers: server.services.brokers, profiles: server.services.profiles },
      {
        steps: new StepRegistry([noteStep as never]),
        listeners: [],
        services: () => server.services,
        flows: { [BUSINESS]: { name: '测试备注', hint: '仅用于测试', steps: [NOTE, 'SUBMITTED'], available: true } },
      },
    );
    await server.db.sql.query(
      `update brokers set enabled_businesses = enabled_businesses || '["TEST_NOTE_BUSINESS"]'::jsonb where code = 'DEMO'`,
    );
    const token = await loginCustomer(server, DEMO.zhangWei);
    const [session] = await server.db.sql.query<{ customer_id: string }>(
      'select customer_id from sessions order by created_at desc limit 1',
    );
    expect(token).toBeTruthy();
    em = server.db.orm.em.fork() as EntityManager;
    viewer = {
      kind: 'CUSTOMER',
      id: session!.customer_id,
      customerId: session!.customer_id,
      applicantId: session!.customer_id,
      brokerId: '',
      roles: [],
    } as never;
  });
  afterAll(() => server.close());

  it('starts with what the step needs inserted, validates, stores, records and shows it to the reviewer', async () => {
    const ticket = await tickets.start(em, viewer, BUSINESS);
    expect(ticket.steps.map((s) => s.kind)).toEqual(['DOCUMENTS', NOTE, 'SUBMITTED']);
    // out of order: the note before the photos
    await expect(tickets.runStep(em, viewer, ticket, noteStep, { note: '请尽快办理' })).rejects.toMatchObject({
      extensions: { code: 'STEP_NOT_ALLOWED', currentStep: 'DOCUMENTS' },
    });
    await tickets.completeStep(em, ticket, 'DOCUMENTS', { documents: [] }, { kind: 'CUSTOMER', id: viewer.customerId });
    // bad input: a clear code and field, nothing stored
    await expect(tickets.runStep(em, viewer, ticket, noteStep, { note: '   ' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'note' }] },
    });
    expect(ticket.data[NOTE]).toBeUndefined();
    const { ticket: done, data } = await tickets.runStep(em, viewer, ticket, noteStep, { note: ' 请尽快办理 ' });
    expect(data).toEqual({ note: '请尽快办理' });
    expect(done.currentStep).toBe('SUBMITTED');
    expect(tickets.steps.profileChanges(done)).toEqual({ address: '请尽快办理' });
    expect(tickets.steps.reviewRows(done)).toEqual([{ step: NOTE, label: '客户备注', value: '请尽快办理' }]);
    const stored = await server.db.sql.query<{ data: Record<string, unknown>; current_step: string }>(
      'select data, current_step from tickets where id = $1',
      [done.id],
    );
    expect(stored[0]).toMatchObject({ current_step: 'SUBMITTED', data: { TEST_NOTE: { note: '请尽快办理' } } });
    const trail = await server.db.sql.query<{ action: string; step: string }>(
      'select action, step from ticket_events where ticket_id = $1 order by id',
      [done.id],
    );
    expect(trail.map((e) => `${e.action}:${e.step ?? ''}`)).toEqual([
      'STARTED:',
      'STEP_COMPLETED:DOCUMENTS',
      'STEP_COMPLETED:TEST_NOTE',
    ]);
  });
});
