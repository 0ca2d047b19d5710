import { gql, startTestServer, type DbKind, type TestServer } from '../../testing/harness';

const BROKER = `query ($code: String!) {
  broker(code: $code) { id code name servicePhone inServiceHours serviceHoursText branches { id name } }
}`;

describe.each<DbKind>(['postgresql', 'pglite'])('broker(code) on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server?.close());

  it('returns the demo broker with its branches and hours', async () => {
    const res = await gql(server.url, BROKER, { code: 'DEMO' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.broker).toMatchObject({
      code: 'DEMO',
      name: '开户云演示期货有限公司',
      servicePhone: '400-820-0000',
      inServiceHours: true,
      serviceHoursText: '每天 00:00-24:00',
    });
    expect(res.data!.broker.branches.map((b: { name: string }) => b.name)).toEqual(['北京营业部', '上海营业部']);
  });

  it('computes service hours from the injected clock', async () => {
    server.clock.set('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai
    let res = await gql(server.url, BROKER, { code: 'DEMO-HOURS' });
    expect(res.data!.broker).toMatchObject({
      name: '开户云演示期货（工作时间）',
      inServiceHours: true,
      serviceHoursText: '周一至周五 08:40-17:45（法定节假日除外）',
    });
    server.clock.set('2026-11-22T02:00:00Z'); // Sunday
    res = await gql(server.url, BROKER, { code: 'DEMO-HOURS' });
    expect(res.data!.broker.inServiceHours).toBe(false);
    server.clock.set('2026-11-23T10:00:00Z'); // Monday 18:00
    res = await gql(server.url, BROKER, { code: 'DEMO-HOURS' });
    expect(res.data!.broker.inServiceHours).toBe(false);
  });

  it('answers null for an unknown broker code', async () => {
    const res = await gql(server.url, BROKER, { code: 'NOPE' });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data!.broker).toBeNull();
  });

  it('refuses outside service hours with the next opening in the message', async () => {
    const em = server.db.orm.em.fork() as never;
    const hours = (await server.services.brokers.findByCode(em, 'DEMO-HOURS'))!;
    server.clock.set('2026-09-30T10:00:00Z'); // Wednesday 18:00, National Day holidays ahead
    await expect(server.services.brokers.assertInServiceHours(em, hours.id)).rejects.toMatchObject({
      extensions: { code: 'OUTSIDE_SERVICE_HOURS', nextOpening: '2026-10-08T00:40:00.000Z' },
      message: expect.stringContaining('2026-10-08（周四）08:40'),
    });
    server.clock.set('2026-11-23T02:00:00Z');
    await expect(server.services.brokers.assertInServiceHours(em, hours.id)).resolves.toBeUndefined();
  });
});
