import { startTestServer, type TestServer } from '../../testing/harness';
import { signingPayload } from './agreement.service';

describe('agreements', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql');
  });
  afterAll(() => server?.close());

  it('come from the BrokerPack with the texts the reference names, version 1', async () => {
    const em = server.db.orm.em.fork() as never;
    const demo = (await server.services.brokers.findByCode(em, 'DEMO'))!;
    const titles = (await server.services.agreements.forBusiness(em, demo.id, 'UPDATE_OTHER_INFO')).map((a) => a.title);
    expect(titles).toEqual([
      '客户账户业务办理承诺书',
      '个人税收居民身份声明文件',
      '数字证书用户责任书',
      '个人数字证书申请责任书',
    ]);
    const open = (await server.services.agreements.forBusiness(em, demo.id, 'OPEN_FUTURES_ACCOUNT')).map(
      (a) => a.title,
    );
    expect(open).toEqual(expect.arrayContaining(['客户须知', '期货经纪合同', '期货交易风险说明书']));
  });

  it('get a new version on every edit; stored versions never change', async () => {
    const em = server.db.orm.em.fork() as never;
    const demo = (await server.services.brokers.findByCode(em, 'DEMO'))!;
    const [v1] = await server.services.agreements.forBusiness(em, demo.id, 'UPDATE_ID_VALIDITY');
    const text = {
      code: v1!.code,
      title: v1!.title,
      content: v1!.content + '\n\n第十条 本承诺书自签署之日起生效。',
      businesses: v1!.businesses,
    };
    expect(await server.services.agreements.sync(em, demo.id, [text])).toBe(1);
    expect(await server.services.agreements.sync(server.db.orm.em.fork() as never, demo.id, [text])).toBe(0); // same text: no new version
    const [latest] = await server.services.agreements.forBusiness(
      server.db.orm.em.fork() as never,
      demo.id,
      'UPDATE_ID_VALIDITY',
    );
    expect(latest).toMatchObject({ code: v1!.code, version: v1!.version + 1 });
    expect(latest!.sha256).not.toBe(v1!.sha256);
    const old = await server.services.agreements.findById(server.db.orm.em.fork() as never, v1!.id);
    expect(old!.content).toBe(v1!.content);
    await expect(
      server.db.sql.query('update agreements set content = $1 where id = $2', ['篡改', v1!.id]),
    ).rejects.toThrow(/immutable/);
    await expect(server.db.sql.query('delete from agreements where id = $1', [v1!.id])).rejects.toThrow(/immutable/);
  });

  it('sign a canonical payload: acceptance number, code, version, text hash, time', () => {
    const payload = signingPayload({
      acceptanceNo: '2611231234567890',
      code: 'CUSTOMER_NOTICE',
      version: 3,
      sha256: 'ab'.repeat(32),
      time: new Date('2026-11-23T02:00:00Z'),
    });
    expect(payload).toBe(
      `{"acceptanceNo":"2611231234567890","agreementCode":"CUSTOMER_NOTICE","agreementVersion":3,"sha256":"${'ab'.repeat(32)}","time":"2026-11-23T02:00:00.000Z"}`,
    );
  });
});
