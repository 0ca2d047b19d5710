import type { PluginContext, PluginLogger } from '@kaihu/plugin-api';
import { asPlugin, isOutboxReader } from '@kaihu/plugin-api';

import * as pluginModule from './index';
import defaultExport, { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, SmsOutbox, maskNumber, migrations, plugin } from './index';
import { openTestDatabase, type TestDatabase } from '../../../test/support/pglite-sql';

/** A logger that records every call, to check what reaches the logs. */
function recordingLogger() {
  const calls: { level: string; obj: object; msg?: string }[] = [];
  const logger: PluginLogger = {
    debug: (obj, msg) => calls.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => calls.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => calls.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => calls.push({ level: 'error', obj, msg }),
  };
  return { logger, calls };
}

describe('@kaihu/sms-outbox', () => {
  let database: TestDatabase;
  let now: Date;
  let log: ReturnType<typeof recordingLogger>;
  let outbox: SmsOutbox;

  beforeAll(async () => {
    database = await openTestDatabase(migrations);
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    await database.exec('TRUNCATE sms_outbox');
    now = new Date('2026-03-02T01:00:00.000Z');
    log = recordingLogger();
    outbox = new SmsOutbox(database.db, log.logger, { now: () => now });
  });

  it('is an sms plugin exported as default and as `plugin`, with an outbox reader', async () => {
    expect(defaultExport).toBe(plugin);
    const loaded = asPlugin(pluginModule, 'sms', '@kaihu/sms-outbox');
    expect(loaded.name).toBe('@kaihu/sms-outbox');
    expect(loaded.migrations?.map((m) => m.id)).toEqual(['0001_sms_outbox']);
    const ctx: PluginContext = {
      db: database.db,
      dataDir: '/nonexistent',
      clock: { now: () => now },
      logger: log.logger,
      options: {},
    };
    const gateway = await loaded.create(ctx);
    expect(isOutboxReader(gateway)).toBe(true);
    await gateway.send({ to: '13800138000', text: '测试', purpose: 'TEST' });
    expect(await (gateway as SmsOutbox).list()).toHaveLength(1);
  });

  describe('send', () => {
    it('stores the message and returns its id and acceptance time', async () => {
      const receipt = await outbox.send({
        to: ' 13800138000 ',
        text: '【开户云】您的登录验证码为 482913，5 分钟内有效，请勿告诉他人。',
        purpose: 'LOGIN_CODE',
        brokerCode: 'DEMO',
        code: '482913',
      });
      expect(receipt.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(receipt.acceptedAt).toEqual(now);
      const rows = await database.db.query(
        'SELECT id::text AS id, broker_code, to_number, text, purpose, code, created_at FROM sms_outbox',
      );
      expect(rows).toEqual([
        {
          id: receipt.id,
          broker_code: 'DEMO',
          to_number: '13800138000',
          text: '【开户云】您的登录验证码为 482913，5 分钟内有效，请勿告诉他人。',
          purpose: 'LOGIN_CODE',
          code: '482913',
          created_at: now,
        },
      ]);
    });

    it('stores null for a missing broker code and code', async () => {
      await outbox.send({ to: '13912345678', text: '您的业务已办理完成。', purpose: 'TICKET_APPROVED' });
      const [entry] = await outbox.list();
      expect(entry).toMatchObject({ to: '13912345678', code: null });
      const [row] = await database.db.query('SELECT broker_code FROM sms_outbox');
      expect(row.broker_code).toBeNull();
    });

    it('refuses an empty number, text or purpose and stores nothing', async () => {
      await expect(outbox.send({ to: '', text: 'x', purpose: 'TEST' })).rejects.toThrow('短信接收号码不能为空');
      await expect(outbox.send({ to: '   ', text: 'x', purpose: 'TEST' })).rejects.toThrow('短信接收号码不能为空');
      await expect(outbox.send({ to: undefined as never, text: 'x', purpose: 'TEST' })).rejects.toThrow(
        '短信接收号码不能为空',
      );
      await expect(outbox.send({ to: '13800138000', text: '', purpose: 'TEST' })).rejects.toThrow('短信内容不能为空');
      await expect(outbox.send({ to: '13800138000', text: 'x', purpose: ' ' })).rejects.toThrow('短信用途不能为空');
      expect(await outbox.list()).toEqual([]);
      expect(log.calls).toEqual([]);
    });

    it('logs the purpose and a masked number, never the text, the code or the full number', async () => {
      const code = '739204';
      await outbox.send({
        to: '13800138000',
        text: `【开户云】您的验证码为 ${code}，请勿告诉他人。`,
        purpose: 'PHONE_CODE',
        brokerCode: 'DEMO',
        code,
      });
      await outbox.send({ to: '010-62345678', text: '临时密码 204817', purpose: 'PASSWORD_RESET' });

      expect(log.calls).toHaveLength(2);
      expect(log.calls[0]).toMatchObject({
        level: 'info',
        obj: { purpose: 'PHONE_CODE', brokerCode: 'DEMO', to: '138****8000' },
      });
      expect(log.calls[1]).toMatchObject({ level: 'info', obj: { purpose: 'PASSWORD_RESET', to: '010****5678' } });
      const logged = JSON.stringify(log.calls);
      for (const secret of [code, '204817', '13800138000', '62345678', '验证码', '临时密码']) {
        expect(logged).not.toContain(secret);
      }
    });
  });

  describe('list', () => {
    it('returns entries newest first, with the code and the acceptance time', async () => {
      const first = await outbox.send({ to: '13800138000', text: 'A 111111', purpose: 'LOGIN_CODE', code: '111111' });
      now = new Date('2026-03-02T01:05:00.000Z');
      const second = await outbox.send({ to: '13912345678', text: 'B', purpose: 'TICKET_APPROVED' });
      expect(await outbox.list()).toEqual([
        { id: second.id, to: '13912345678', text: 'B', purpose: 'TICKET_APPROVED', code: null, createdAt: now },
        {
          id: first.id,
          to: '13800138000',
          text: 'A 111111',
          purpose: 'LOGIN_CODE',
          code: '111111',
          createdAt: new Date('2026-03-02T01:00:00.000Z'),
        },
      ]);
    });

    it('orders messages stored in the same instant by when they were stored', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await outbox.send({ to: '13800138000', text: `#${i}`, purpose: 'TEST' })).id);
      expect((await outbox.list()).map((e) => e.id)).toEqual(ids.reverse());
    });

    it('filters by number', async () => {
      await outbox.send({ to: '13800138000', text: 'a', purpose: 'TEST' });
      await outbox.send({ to: '13912345678', text: 'b', purpose: 'TEST' });
      await outbox.send({ to: '13800138000', text: 'c', purpose: 'TEST' });
      expect((await outbox.list({ to: '13800138000' })).map((e) => e.text)).toEqual(['c', 'a']);
      expect((await outbox.list({ to: ' 13912345678 ' })).map((e) => e.text)).toEqual(['b']);
      expect(await outbox.list({ to: '13700001111' })).toEqual([]);
      expect(await outbox.list({ to: '' })).toHaveLength(3);
    });

    it(`defaults to ${DEFAULT_LIST_LIMIT} entries and never returns more than ${MAX_LIST_LIMIT}`, async () => {
      await database.db.query(
        `INSERT INTO sms_outbox (id, to_number, text, purpose, created_at)
         SELECT gen_random_uuid(), '13800138000', 'bulk ' || n, 'TEST', $1::timestamptz + n * interval '1 second'
           FROM generate_series(1, 520) AS n`,
        [now.toISOString()],
      );
      const defaults = await outbox.list();
      expect(defaults).toHaveLength(DEFAULT_LIST_LIMIT);
      expect(defaults[0].text).toBe('bulk 520');
      expect(await outbox.list({ limit: 3 })).toHaveLength(3);
      expect(await outbox.list({ limit: 10_000 })).toHaveLength(MAX_LIST_LIMIT);
      expect(await outbox.list({ limit: 0 })).toHaveLength(1);
      expect(await outbox.list({ limit: -5 })).toHaveLength(1);
      expect(await outbox.list({ limit: 2.9 })).toHaveLength(2);
      expect(await outbox.list({ limit: Number.NaN })).toHaveLength(DEFAULT_LIST_LIMIT);
    });
  });

  describe('maskNumber', () => {
    it('keeps the first 3 and last 4 characters', () => {
      expect(maskNumber('13800138000')).toBe('138****8000');
      expect(maskNumber('010-62345678')).toBe('010****5678');
      expect(maskNumber('1234567')).toBe('****');
      expect(maskNumber('')).toBe('****');
    });
  });
});
