import type { CounterCustomer, CounterProfile, PluginContext, SqlClient } from '@kaihu/plugin-api';
import { asPlugin, isSeedableCounter } from '@kaihu/plugin-api';

import * as pluginModule from './index';
import defaultExport, {
  CUSTOMER_NOT_FOUND_MESSAGE,
  LocalCounter,
  hashPassword,
  migrations,
  plugin,
  verifyPassword,
} from './index';
import { openTestDatabase, type TestDatabase } from '../../../test/support/pglite-sql';

const T0 = new Date('2026-03-02T01:00:00.000Z');

function profile(overrides: Partial<CounterProfile> = {}): CounterProfile {
  return {
    name: '王芳',
    idNumber: '42010619920211005X',
    idAddress: '湖北省武汉市武昌区中南路7号',
    idValidFrom: '2012-02-11',
    idValidTo: null,
    phone: '010-62345678',
    mobile: '15011112222',
    province: '北京市',
    city: '北京市',
    address: '北京市海淀区中关村大街27号',
    postalCode: '100080',
    email: 'wangfang@example.com',
    education: '本科',
    occupation: '办事人员',
    taxResidency: 'CHINA_AND_OTHER',
    pepRelation: 'NONE',
    investmentHorizon: null,
    expectedReturn: null,
    hasActualController: null,
    beneficialOwnerIsSelf: null,
    products: [],
    badCreditRecords: [],
    ...overrides,
  };
}

const wangFang: CounterCustomer = {
  customerNo: 'DEMO0003',
  brokerCode: 'DEMO',
  branchName: '北京营业部',
  accountTypes: ['FUTURES_BROKERAGE'],
  profile: profile(),
};

const liNa: CounterCustomer = {
  customerNo: 'DEMO0002',
  brokerCode: 'DEMO',
  branchName: '上海营业部',
  accountTypes: ['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT'],
  profile: profile({
    name: '李娜',
    idNumber: '310115199003052724',
    idValidFrom: '2010-03-01',
    idValidTo: '2020-03-01',
    phone: null,
    mobile: '13912345678',
    email: null,
  }),
};

describe('@kaihu/counter-local', () => {
  let pg: TestDatabase;
  let db: SqlClient;
  let now: Date;
  let counter: LocalCounter;

  beforeAll(async () => {
    pg = await openTestDatabase(migrations);
    db = pg.db;
  });

  afterAll(async () => {
    await pg.close();
  });

  beforeEach(async () => {
    await pg.exec(
      'TRUNCATE counter_customers, counter_applied_changes, counter_password_resets, counter_accounts, counter_settlement_accounts, counter_suitability, counter_trading_codes, counter_account_sequences',
    );
    now = T0;
    counter = new LocalCounter(db, { now: () => now });
    await counter.upsertCustomers([wangFang, liNa]);
  });

  describe('plugin', () => {
    it('is a counter plugin exported as default and as `plugin`', async () => {
      expect(defaultExport).toBe(plugin);
      const loaded = asPlugin(pluginModule, 'counter', '@kaihu/counter-local');
      expect(loaded.name).toBe('@kaihu/counter-local');
      expect(loaded.migrations?.map((m) => m.id)).toEqual(['0001_counter_customers', '0002_counter_accounts']);
      const ctx: PluginContext = {
        db,
        dataDir: '/nonexistent',
        clock: { now: () => T0 },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        options: {},
      };
      const instance = await loaded.create(ctx);
      expect(isSeedableCounter(instance)).toBe(true);
      expect(await instance.findCustomer('DEMO', '310115199003052724', 'ASSET_MANAGEMENT')).toMatchObject({
        customerNo: 'DEMO0002',
      });
    });
  });

  describe('findCustomer', () => {
    it('returns the customer with the profile exactly as seeded', async () => {
      expect(await counter.findCustomer('DEMO', '42010619920211005X', 'FUTURES_BROKERAGE')).toEqual(wangFang);
      expect(await counter.findCustomer('DEMO', '310115199003052724', 'ASSET_MANAGEMENT')).toEqual(liNa);
    });

    it('matches the checksum X in either case and ignores surrounding spaces', async () => {
      const lower = await counter.findCustomer('DEMO', ' 42010619920211005x ', 'FUTURES_BROKERAGE');
      expect(lower?.customerNo).toBe('DEMO0003');
      expect(lower?.profile.idNumber).toBe('42010619920211005X');
    });

    it('returns null for an account type the customer does not hold', async () => {
      expect(await counter.findCustomer('DEMO', '42010619920211005X', 'ASSET_MANAGEMENT')).toBeNull();
    });

    it('returns null for an unknown ID number or another broker', async () => {
      expect(await counter.findCustomer('DEMO', '510107197512316677', 'FUTURES_BROKERAGE')).toBeNull();
      expect(await counter.findCustomer('DEMO-HOURS', '42010619920211005X', 'FUTURES_BROKERAGE')).toBeNull();
    });
  });

  describe('upsertCustomers', () => {
    it('stores ID numbers upper-case, in the column and the profile', async () => {
      const lowerX = { ...wangFang, profile: profile({ idNumber: '42010619920211005x' }) };
      expect(await counter.upsertCustomers([lowerX])).toBe(1);
      const rows = await db.query('SELECT id_number, profile FROM counter_customers WHERE customer_no = $1', [
        'DEMO0003',
      ]);
      expect(rows).toEqual([
        { id_number: '42010619920211005X', profile: expect.objectContaining({ idNumber: '42010619920211005X' }) },
      ]);
    });

    it('inserts new customers and updates existing ones by customer number', async () => {
      const moved = { ...liNa, branchName: '北京营业部', accountTypes: ['ASSET_MANAGEMENT' as const] };
      const added: CounterCustomer = {
        customerNo: 'DEMO0005',
        brokerCode: 'DEMO-HOURS',
        branchName: '深圳营业部',
        accountTypes: ['FUTURES_BROKERAGE'],
        profile: profile({ name: '赵敏', idNumber: '330102198808089118' }),
      };
      expect(await counter.upsertCustomers([moved, added])).toBe(2);
      expect(await counter.findCustomer('DEMO', '310115199003052724', 'FUTURES_BROKERAGE')).toBeNull();
      expect(await counter.findCustomer('DEMO', '310115199003052724', 'ASSET_MANAGEMENT')).toEqual(moved);
      expect(await counter.findCustomer('DEMO-HOURS', '330102198808089118', 'FUTURES_BROKERAGE')).toEqual(added);
      const [{ count }] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM counter_customers');
      expect(count).toBe(3);
    });

    it('keeps created_at and moves updated_at on update', async () => {
      now = new Date('2026-03-05T00:00:00.000Z');
      await counter.upsertCustomers([wangFang]);
      const [row] = await db.query<{ created_at: Date; updated_at: Date }>(
        'SELECT created_at, updated_at FROM counter_customers WHERE customer_no = $1',
        ['DEMO0003'],
      );
      expect(row.created_at.toISOString()).toBe(T0.toISOString());
      expect(row.updated_at.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    });

    it('returns 0 for an empty list', async () => {
      expect(await counter.upsertCustomers([])).toBe(0);
    });

    it('refuses invalid customers and duplicates without writing anything', async () => {
      const fresh = { ...wangFang, customerNo: 'DEMO0009', profile: profile({ idNumber: '440306197811201534' }) };
      await expect(counter.upsertCustomers([fresh, { ...fresh }])).rejects.toThrow('客户号 DEMO0009 重复');
      await expect(counter.upsertCustomers([{ ...fresh, accountTypes: [] }])).rejects.toThrow('账户类型无效');
      await expect(counter.upsertCustomers([{ ...fresh, accountTypes: ['STOCKS' as never] }])).rejects.toThrow(
        '账户类型无效',
      );
      await expect(counter.upsertCustomers([{ ...fresh, customerNo: ' ' }])).rejects.toThrow('缺少客户号');
      // Same broker + ID number under another customer number: the unique constraint refuses it.
      await expect(counter.upsertCustomers([{ ...wangFang, customerNo: 'DEMO0010' }])).rejects.toThrow();
      expect(await counter.findCustomer('DEMO', '440306197811201534', 'FUTURES_BROKERAGE')).toBeNull();
    });
  });

  describe('applyChange', () => {
    it('merges the changed fields into the profile and returns the customer as now held', async () => {
      now = new Date('2026-03-03T02:00:00.000Z');
      const result = await counter.applyChange('DEMO', '42010619920211005x', {
        acceptanceNo: '2026030300000001',
        business: 'UPDATE_OTHER_INFO',
        changes: {
          investmentHorizon: 'ONE_TO_5_YEARS',
          expectedReturn: 'GROWTH',
          products: ['FUTURES_OPTIONS', 'OTHER'],
          email: null,
          mobile: undefined,
        },
      });
      const expected = {
        ...wangFang,
        profile: {
          ...wangFang.profile,
          investmentHorizon: 'ONE_TO_5_YEARS',
          expectedReturn: 'GROWTH',
          products: ['FUTURES_OPTIONS', 'OTHER'],
          email: null,
        },
      };
      expect(result).toEqual(expected);
      expect(await counter.findCustomer('DEMO', '42010619920211005X', 'FUTURES_BROKERAGE')).toEqual(expected);

      const audit = await db.query('SELECT * FROM counter_applied_changes');
      expect(audit).toEqual([
        {
          acceptance_no: '2026030300000001',
          broker_code: 'DEMO',
          id_number: '42010619920211005X',
          business: 'UPDATE_OTHER_INFO',
          changes: {
            investmentHorizon: 'ONE_TO_5_YEARS',
            expectedReturn: 'GROWTH',
            products: ['FUTURES_OPTIONS', 'OTHER'],
            email: null,
          },
          applied_at: now,
        },
      ]);
    });

    it('replaces arrays and sets a long-term ID validity to null', async () => {
      await counter.applyChange('DEMO', '310115199003052724', {
        acceptanceNo: 'A1',
        business: 'UPDATE_OTHER_INFO',
        changes: { badCreditRecords: ['TAX_AUTHORITY', 'OTHER_ORGANIZATIONS'] },
      });
      const result = await counter.applyChange('DEMO', '310115199003052724', {
        acceptanceNo: 'A2',
        business: 'UPDATE_ID_VALIDITY',
        changes: { idValidFrom: '2020-03-01', idValidTo: null, badCreditRecords: [] },
      });
      expect(result.profile).toMatchObject({ idValidFrom: '2020-03-01', idValidTo: null, badCreditRecords: [] });
    });

    it('is a no-op for an acceptance number already applied, returning the current customer', async () => {
      const change = { acceptanceNo: 'A1', business: 'UPDATE_CONTACT_PHONE', changes: { mobile: '13600000001' } };
      const first = await counter.applyChange('DEMO', '42010619920211005X', change);
      // Another change in between, then a replay of the first one with different content.
      await counter.applyChange('DEMO', '42010619920211005X', {
        acceptanceNo: 'A2',
        business: 'UPDATE_CONTACT_PHONE',
        changes: { mobile: '13600000002' },
      });
      const replay = await counter.applyChange('DEMO', '42010619920211005x', {
        ...change,
        changes: { mobile: '13699999999' },
      });
      expect(first.profile.mobile).toBe('13600000001');
      expect(replay.profile.mobile).toBe('13600000002');
      const [{ count }] = await db.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM counter_applied_changes',
      );
      expect(count).toBe(2);
    });

    it('applies the same acceptance number once when called concurrently', async () => {
      const change = { acceptanceNo: 'A1', business: 'UPDATE_OTHER_INFO', changes: { occupation: '教师' } };
      const results = await Promise.all([1, 2, 3].map(() => counter.applyChange('DEMO', '42010619920211005X', change)));
      expect(results.map((r) => r.profile.occupation)).toEqual(['教师', '教师', '教师']);
      const [{ count }] = await db.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM counter_applied_changes',
      );
      expect(count).toBe(1);
    });

    it('throws 柜台校验客户不存在 for an unknown customer and records nothing', async () => {
      const change = { acceptanceNo: 'A1', business: 'UPDATE_OTHER_INFO', changes: { occupation: '教师' } };
      await expect(counter.applyChange('DEMO', '510107197512316677', change)).rejects.toThrow(
        new RegExp(`^${CUSTOMER_NOT_FOUND_MESSAGE}`),
      );
      await expect(counter.applyChange('DEMO-HOURS', '42010619920211005X', change)).rejects.toThrow(
        CUSTOMER_NOT_FOUND_MESSAGE,
      );
      expect(await db.query('SELECT * FROM counter_applied_changes')).toEqual([]);
      // The acceptance number was not burnt: it still applies to the right customer.
      const applied = await counter.applyChange('DEMO', '42010619920211005X', change);
      expect(applied.profile.occupation).toBe('教师');
    });

    it('refuses an acceptance number already applied to another customer', async () => {
      const change = { acceptanceNo: 'A1', business: 'UPDATE_OTHER_INFO', changes: { occupation: '教师' } };
      await counter.applyChange('DEMO', '42010619920211005X', change);
      await expect(counter.applyChange('DEMO', '310115199003052724', change)).rejects.toThrow('已用于其他客户');
      expect((await counter.findCustomer('DEMO', '310115199003052724', 'FUTURES_BROKERAGE'))?.profile.occupation).toBe(
        liNa.profile.occupation,
      );
    });

    it('refuses unknown fields, an ID number change and a missing acceptance number', async () => {
      const base = { acceptanceNo: 'A1', business: 'UPDATE_OTHER_INFO' };
      await expect(
        counter.applyChange('DEMO', '42010619920211005X', { ...base, changes: { nickname: 'x' } as never }),
      ).rejects.toThrow('柜台不支持修改字段 nickname');
      await expect(
        counter.applyChange('DEMO', '42010619920211005X', { ...base, changes: { idNumber: '310115199003052724' } }),
      ).rejects.toThrow('证件号码不能通过资料变更修改');
      await expect(
        counter.applyChange('DEMO', '42010619920211005X', { ...base, acceptanceNo: '', changes: {} }),
      ).rejects.toThrow('缺少受理单号');
      // Restating the same ID number (any case) is allowed and changes nothing.
      const same = await counter.applyChange('DEMO', '42010619920211005X', {
        ...base,
        changes: { idNumber: '42010619920211005x', city: '北京市' },
      });
      expect(same).toEqual(wangFang);
    });
  });

  describe('resetPassword', () => {
    it('returns a 6-digit temporary password and stores only its scrypt hash', async () => {
      const { temporaryPassword } = await counter.resetPassword(
        'DEMO',
        '42010619920211005x',
        'FUTURES_BROKERAGE',
        'R1',
      );
      expect(temporaryPassword).toMatch(/^\d{6}$/);
      const rows = await db.query<Record<string, unknown>>('SELECT * FROM counter_password_resets');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        acceptance_no: 'R1',
        broker_code: 'DEMO',
        id_number: '42010619920211005X',
        account_type: 'FUTURES_BROKERAGE',
        created_at: T0,
      });
      const hash = rows[0].temporary_password_hash as string;
      expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(hash).not.toContain(temporaryPassword);
      expect(await verifyPassword(temporaryPassword, hash)).toBe(true);
      expect(
        await counter.verifyTemporaryPassword('DEMO', '42010619920211005X', 'FUTURES_BROKERAGE', temporaryPassword),
      ).toBe(true);
      expect(
        await counter.verifyTemporaryPassword('DEMO', '42010619920211005X', 'ASSET_MANAGEMENT', temporaryPassword),
      ).toBe(false);
    });

    it('throws "already reset" for the same acceptance number, keeping the first password', async () => {
      const { temporaryPassword } = await counter.resetPassword('DEMO', '310115199003052724', 'ASSET_MANAGEMENT', 'R1');
      await expect(counter.resetPassword('DEMO', '310115199003052724', 'ASSET_MANAGEMENT', 'R1')).rejects.toThrow(
        '受理单号 R1 的密码已重置',
      );
      expect(
        await counter.verifyTemporaryPassword('DEMO', '310115199003052724', 'ASSET_MANAGEMENT', temporaryPassword),
      ).toBe(true);
    });

    it('makes only the newest reset of an account valid', async () => {
      const first = await counter.resetPassword('DEMO', '310115199003052724', 'FUTURES_BROKERAGE', 'R1');
      let second = await counter.resetPassword('DEMO', '310115199003052724', 'FUTURES_BROKERAGE', 'R2');
      // Two random 6-digit passwords can coincide; draw again under a new acceptance number if so.
      for (let n = 3; second.temporaryPassword === first.temporaryPassword; n++) {
        second = await counter.resetPassword('DEMO', '310115199003052724', 'FUTURES_BROKERAGE', `R${n}`);
      }
      const verify = (pw: string) =>
        counter.verifyTemporaryPassword('DEMO', '310115199003052724', 'FUTURES_BROKERAGE', pw);
      expect(await verify(second.temporaryPassword)).toBe(true);
      expect(await verify(first.temporaryPassword)).toBe(false);
    });

    it('throws 柜台校验客户不存在 when the customer has no account of that type', async () => {
      await expect(counter.resetPassword('DEMO', '42010619920211005X', 'ASSET_MANAGEMENT', 'R1')).rejects.toThrow(
        new RegExp(`^${CUSTOMER_NOT_FOUND_MESSAGE}`),
      );
      await expect(counter.resetPassword('DEMO', '510107197512316677', 'FUTURES_BROKERAGE', 'R1')).rejects.toThrow(
        CUSTOMER_NOT_FOUND_MESSAGE,
      );
      expect(await db.query('SELECT * FROM counter_password_resets')).toEqual([]);
    });
  });

  describe('openAccount', () => {
    const chenChen = profile({
      name: '陈晨',
      idNumber: '330106199407151232',
      mobile: '13700001111',
      phone: null,
      idValidFrom: '2016-07-15',
      idValidTo: '2036-07-15',
    });
    function application(acceptanceNo: string, overrides: Partial<CounterProfile> = {}) {
      return {
        acceptanceNo,
        accountType: 'FUTURES_BROKERAGE' as const,
        branchName: '北京营业部',
        profile: { ...chenChen, ...overrides },
        identity: {
          gender: 'MALE' as const,
          ethnicity: '汉族',
          birthDate: '1994-07-15',
          idIssuer: '杭州市公安局西湖分局',
        },
        settlementAccounts: [
          { bankCode: '102', bankName: '中国工商银行', cardNumber: '6222021001123456782', primary: true },
          { bankCode: '308', bankName: '招商银行', cardNumber: '6214830112345675', primary: false },
        ],
        suitability: { tolerance: 'C4', score: 55, lowestCategory: false, assessedAt: T0 },
      };
    }

    it('opens the account: a 资金账号, the new customer, the cards and the suitability, kept by the counter', async () => {
      const opened = await counter.openAccount('DEMO', application('2026120300000001'));
      expect(opened).toEqual({ accountNo: '8000000001', customerNo: 'DEMO8000000001', created: true });
      const customer = await counter.findCustomer('DEMO', '330106199407151232', 'FUTURES_BROKERAGE');
      expect(customer).toMatchObject({
        customerNo: 'DEMO8000000001',
        branchName: '北京营业部',
        accountTypes: ['FUTURES_BROKERAGE'],
      });
      expect(customer!.profile).toEqual(chenChen);
      const cards = await db.query<{ bank_code: string; card_number: string; is_primary: boolean }>(
        'SELECT bank_code, card_number, is_primary FROM counter_settlement_accounts WHERE customer_no = $1 ORDER BY bank_code',
        ['DEMO8000000001'],
      );
      expect(cards).toEqual([
        { bank_code: '102', card_number: '6222021001123456782', is_primary: true },
        { bank_code: '308', card_number: '6214830112345675', is_primary: false },
      ]);
      const [suitability] = await db.query<{ tolerance: string; score: number }>(
        'SELECT tolerance, score FROM counter_suitability WHERE customer_no = $1',
        ['DEMO8000000001'],
      );
      expect(suitability).toEqual({ tolerance: 'C4', score: 55 });
    });

    it('returns the same account for the same acceptance number, also when called concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => counter.openAccount('DEMO', application('2026120300000002'))),
      );
      expect(new Set(results.map((r) => r.accountNo)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const again = await counter.openAccount('DEMO', application('2026120300000002'));
      expect(again).toEqual({ accountNo: results[0]!.accountNo, customerNo: results[0]!.customerNo, created: false });
      const [{ n }] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM counter_accounts');
      expect(n).toBe('1');
    });

    it('gives 50 concurrent openings 50 different account numbers, numbered per broker', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `1101051990010${String(1000 + i).slice(1)}`);
      const results = await Promise.all(
        ids.map((id, i) =>
          counter.openAccount(
            i % 2 ? 'DEMO' : 'DEMO-HOURS',
            application(`20261203100000${String(i).padStart(2, '0')}`, { idNumber: id }),
          ),
        ),
      );
      const demo = results.filter((_, i) => i % 2).map((r) => r.accountNo);
      const hours = results.filter((_, i) => !(i % 2)).map((r) => r.accountNo);
      // each broker's numbers run 1…25 without a gap or a repeat; the same number at two brokers is two accounts
      const expected = Array.from({ length: 25 }, (_, i) => `8${String(i + 1).padStart(9, '0')}`);
      expect([...demo].sort()).toEqual(expected);
      expect([...hours].sort()).toEqual(expected);
      expect(new Set(results.map((r) => r.customerNo)).size).toBe(50);
    });

    it('uses the configured prefix', async () => {
      const prefixed = new LocalCounter(db, { now: () => now }, { accountPrefix: '66' });
      expect((await prefixed.openAccount('DEMO', application('2026120300000003'))).accountNo).toBe('66000000001');
    });

    it('refuses a customer who holds the account type already, and an application without one primary card', async () => {
      await expect(
        counter.openAccount('DEMO', { ...application('2026120300000004'), profile: profile() }),
      ).rejects.toThrow('已在DEMO开立期货经纪账户');
      const noPrimary = application('2026120300000005');
      noPrimary.settlementAccounts = noPrimary.settlementAccounts.map((a) => ({ ...a, primary: false }));
      await expect(counter.openAccount('DEMO', noPrimary)).rejects.toThrow('有且只有一个主结算账户');
      const [{ n }] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM counter_accounts');
      expect(n).toBe('0');
    });

    it('applies for trading codes and answers them once the exchanges take their time', async () => {
      const slow = new LocalCounter(db, { now: () => now }, { tradingCodeDelayMs: 3000, refuseExchanges: ['GFEX'] });
      const { accountNo } = await slow.openAccount('DEMO', application('2026120300000006'));
      const applied = await slow.applyTradingCodes('DEMO', {
        acceptanceNo: '2026120300000006',
        accountNo,
        idNumber: '330106199407151232',
        exchanges: ['SHFE', 'DCE', 'GFEX'],
      });
      expect(applied.map((a) => [a.exchange, a.status])).toEqual([
        ['DCE', 'APPLIED'],
        ['GFEX', 'APPLIED'],
        ['SHFE', 'APPLIED'],
      ]);
      now = new Date(T0.getTime() + 2999);
      expect((await slow.tradingCodes('DEMO', accountNo)).every((a) => a.status === 'APPLIED')).toBe(true);
      now = new Date(T0.getTime() + 3000);
      const answered = await slow.tradingCodes('DEMO', accountNo);
      expect(answered).toEqual([
        { exchange: 'DCE', status: 'ASSIGNED', code: expect.stringMatching(/^\d{8}$/), reason: null, answeredAt: now },
        { exchange: 'GFEX', status: 'REFUSED', code: null, reason: expect.stringContaining('未通过'), answeredAt: now },
        { exchange: 'SHFE', status: 'ASSIGNED', code: expect.stringMatching(/^\d{8}$/), reason: null, answeredAt: now },
      ]);
      expect(answered[0]!.code).not.toBe(answered[2]!.code);
      // applying again changes nothing; another broker's counter does not see the account
      await slow.applyTradingCodes('DEMO', {
        acceptanceNo: '2026120300000006',
        accountNo,
        idNumber: '330106199407151232',
        exchanges: ['SHFE'],
      });
      expect(await slow.tradingCodes('DEMO', accountNo)).toEqual(answered);
      expect(await slow.tradingCodes('DEMO-HOURS', accountNo)).toEqual([]);
      await expect(
        slow.applyTradingCodes('DEMO-HOURS', {
          acceptanceNo: 'x',
          accountNo,
          idNumber: '330106199407151232',
          exchanges: ['SHFE'],
        }),
      ).rejects.toThrow('不存在');
    });
  });

  describe('password hashing', () => {
    it('salts every hash and rejects wrong or malformed input', async () => {
      const a = await hashPassword('012345');
      const b = await hashPassword('012345');
      expect(a).not.toBe(b);
      expect(await verifyPassword('012345', b)).toBe(true);
      expect(await verifyPassword('012346', a)).toBe(false);
      expect(await verifyPassword('012345', 'plain')).toBe(false);
    });
  });

  describe('ping', () => {
    it('resolves while the database answers and rejects once it is gone', async () => {
      await expect(counter.ping()).resolves.toBeUndefined();
      const broken = new LocalCounter({
        query: async () => {
          throw new Error('connection refused');
        },
      });
      await expect(broken.ping()).rejects.toThrow('connection refused');
    });
  });
});
