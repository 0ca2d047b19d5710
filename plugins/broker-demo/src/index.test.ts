import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { BrokerDefinition, CounterProfile, DemoData, PluginContext } from '@kaihu/plugin-api';
import { asPlugin } from '@kaihu/plugin-api';

import * as pluginModule from './index';
import defaultExport, { DemoBrokerPack, plugin } from './index';

/** The shared demo reference; in CI `../shared` sits beside the repository root. */
const FIXTURE_PATH = path.resolve(__dirname, '../../../../shared/fixtures/demo.json');

interface Fixture {
  brokers: { code: string; name: string; servicePhone?: string; branches: string[] }[];
  customers: (Record<string, unknown> & { idNumber: string; accounts: string[]; broker: string; branch: string })[];
  notCustomers: { idNumber: string }[];
  staff: { username: string; password: string; roles: string[]; broker: string; branch?: string }[];
  partnerApiKeys: { key: string; broker: string }[];
}

const fixture: Fixture | null = existsSync(FIXTURE_PATH) ? JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) : null;

const PROFILE_FIELDS: (keyof CounterProfile)[] = [
  'name',
  'idNumber',
  'idAddress',
  'idValidFrom',
  'idValidTo',
  'phone',
  'mobile',
  'province',
  'city',
  'address',
  'postalCode',
  'email',
  'education',
  'occupation',
  'taxResidency',
  'pepRelation',
  'investmentHorizon',
  'expectedReturn',
  'hasActualController',
  'beneficialOwnerIsSelf',
  'products',
  'badCreditRecords',
];

/** GB 11643-1999: 17 digits, a valid birth date, then the ISO 7064 MOD 11-2 check character. */
function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const date = new Date(`${birth}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== birth) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return '10X98765432'[sum % 11] === id[17];
}

describe('@kaihu/broker-demo', () => {
  let brokers: BrokerDefinition[];
  let demo: DemoData;

  beforeAll(async () => {
    const pack = new DemoBrokerPack();
    brokers = await pack.brokers();
    demo = await pack.demoData();
  });

  it('is a brokers plugin exported as default and as `plugin`', async () => {
    expect(defaultExport).toBe(plugin);
    const loaded = asPlugin(pluginModule, 'brokers', '@kaihu/broker-demo');
    expect(loaded.name).toBe('@kaihu/broker-demo');
    const ctx = { dataDir: '/nonexistent', options: {} } as unknown as PluginContext;
    const pack = await loaded.create(ctx);
    expect((await pack.brokers()).map((b) => b.code)).toEqual(['DEMO', 'DEMO-HOURS']);
    expect((await pack.demoData!()).customers).toHaveLength(5);
  });

  it('returns fresh copies, so a caller cannot change the pack', async () => {
    const pack = new DemoBrokerPack();
    const first = await pack.brokers();
    first[0].branches.push({ code: 'XX', name: '篡改' });
    (await pack.demoData()).customers[0].profile.name = '篡改';
    expect((await pack.brokers())[0].branches).toHaveLength(2);
    expect((await pack.demoData()).customers[0].profile.name).toBe('张伟');
  });

  describe('brokers', () => {
    it('DEMO is open around the clock every day, without holidays', () => {
      const demoBroker = brokers.find((b) => b.code === 'DEMO')!;
      expect(demoBroker).toMatchObject({
        name: '开户云演示期货有限公司',
        servicePhone: '400-820-0000',
        timeZone: 'Asia/Shanghai',
        holidays: [],
        branches: [
          { code: 'BJ', name: '北京营业部' },
          { code: 'SH', name: '上海营业部' },
        ],
      });
      expect(demoBroker.serviceWindows).toEqual(
        [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' })),
      );
    });

    it('DEMO-HOURS is open Mon–Fri 08:40–17:45 and closed on the 2026 public holidays', () => {
      const hours = brokers.find((b) => b.code === 'DEMO-HOURS')!;
      expect(hours).toMatchObject({
        name: '开户云演示期货（工作时间）',
        servicePhone: '400-820-0001',
        timeZone: 'Asia/Shanghai',
        branches: [{ code: 'SZ', name: '深圳营业部' }],
      });
      expect(hours.serviceWindows).toEqual(
        [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:40', closes: '17:45' })),
      );
      const byName = new Map<string, string[]>();
      for (const h of hours.holidays) byName.set(h.name, [...(byName.get(h.name) ?? []), h.date]);
      const range = (from: number, to: number, month: string) =>
        Array.from({ length: to - from + 1 }, (_, i) => `2026-${month}-${String(from + i).padStart(2, '0')}`);
      expect(Object.fromEntries(byName)).toEqual({
        元旦: range(1, 3, '01'),
        春节: range(15, 23, '02'),
        清明节: range(4, 6, '04'),
        劳动节: range(1, 5, '05'),
        端午节: range(19, 21, '06'),
        中秋节: range(25, 27, '09'),
        国庆节: range(1, 7, '10'),
      });
    });

    it('has valid service windows and holidays, all in 2026', () => {
      for (const b of brokers) {
        for (const w of b.serviceWindows) {
          expect(Number.isInteger(w.weekday) && w.weekday >= 1 && w.weekday <= 7).toBe(true);
          expect(w.opens).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
          expect(w.closes).toMatch(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/);
          expect(w.closes > w.opens).toBe(true);
        }
        expect(new Set(b.serviceWindows.map((w) => w.weekday)).size).toBe(b.serviceWindows.length);
        const dates = b.holidays.map((h) => h.date);
        expect(new Set(dates).size).toBe(dates.length);
        for (const h of b.holidays) {
          expect(h.date).toMatch(/^2026-\d{2}-\d{2}$/);
          expect(new Date(`${h.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(h.date);
          expect(h.name).not.toBe('');
        }
      }
    });

    it('both enable 开立期货账户 and the four maintenance businesses', () => {
      for (const b of brokers) {
        expect(b.enabledBusinesses).toEqual([
          'OPEN_FUTURES_ACCOUNT',
          'UPDATE_ID_VALIDITY',
          'UPDATE_CONTACT_PHONE',
          'UPDATE_OTHER_INFO',
          'RESET_PASSWORD',
        ]);
      }
    });
  });

  describe('agreements', () => {
    const maintenance = ['UPDATE_ID_VALIDITY', 'UPDATE_CONTACT_PHONE', 'UPDATE_OTHER_INFO', 'RESET_PASSWORD'];
    const expected: Record<string, { title: string; businesses: string[] }> = {
      CUSTOMER_ACCOUNT_COMMITMENT: { title: '客户账户业务办理承诺书', businesses: maintenance },
      TAX_RESIDENCY_DECLARATION: {
        title: '个人税收居民身份声明文件',
        businesses: [...maintenance, 'OPEN_FUTURES_ACCOUNT'],
      },
      CERT_USER_RESPONSIBILITY: { title: '数字证书用户责任书', businesses: [...maintenance, 'OPEN_FUTURES_ACCOUNT'] },
      CERT_APPLICATION_RESPONSIBILITY: {
        title: '个人数字证书申请责任书',
        businesses: [...maintenance, 'OPEN_FUTURES_ACCOUNT'],
      },
      CUSTOMER_NOTICE: { title: '客户须知', businesses: ['OPEN_FUTURES_ACCOUNT', 'ADD_TRADING_CODE'] },
      FUTURES_BROKERAGE_CONTRACT: { title: '期货经纪合同', businesses: ['OPEN_FUTURES_ACCOUNT'] },
      FUTURES_RISK_DISCLOSURE: {
        title: '期货交易风险说明书',
        businesses: ['OPEN_FUTURES_ACCOUNT', 'ADD_TRADING_CODE'],
      },
      SUITABILITY_MATCH_NOTICE: { title: '适当性匹配意见告知书', businesses: ['OPEN_FUTURES_ACCOUNT'] },
      PRIVACY_POLICY: { title: '隐私政策', businesses: [] },
    };

    it('each broker carries the nine agreements with their titles and businesses', () => {
      for (const b of brokers) {
        const actual = Object.fromEntries(
          b.agreements.map((a) => [a.code, { title: a.title, businesses: a.businesses }]),
        );
        expect(actual).toEqual(expected);
      }
    });

    it('every agreement is a long Markdown demo text naming its broker', () => {
      for (const b of brokers) {
        for (const a of b.agreements) {
          // 隐私政策 is shown, not signed
          if (a.code !== 'PRIVACY_POLICY') expect(a.businesses.length).toBeGreaterThan(0);
          expect(a.content.startsWith('> **演示文本**')).toBe(true);
          expect(a.content).toContain(`# ${a.title}`);
          expect(a.content).toContain(b.name);
          expect(a.content).toContain(b.servicePhone!);
          expect(a.content.length).toBeGreaterThanOrEqual(1500);
          expect(a.title).not.toMatch(/[《》]/);
        }
      }
    });

    it('适当性匹配意见告知书 uses only the seven placeholders the server fills', () => {
      const allowed = ['name', 'score', 'tolerance', 'lowestCategory', 'products', 'opinion', 'assessedAt'];
      for (const b of brokers) {
        const notice = b.agreements.find((a) => a.code === 'SUITABILITY_MATCH_NOTICE')!;
        const used = [...notice.content.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => m[1]);
        expect(new Set(used)).toEqual(new Set(allowed));
        // no other braces: a misspelt placeholder would show up as-is
        expect(notice.content.replace(/\{\{[A-Za-z]+\}\}/g, '')).not.toMatch(/[{}]/);
      }
    });

    it('隐私政策 exists, is signed by no business and names the retention periods', () => {
      for (const b of brokers) {
        const policy = b.agreements.find((a) => a.code === 'PRIVACY_POLICY')!;
        expect(policy).toMatchObject({ title: '隐私政策', businesses: [] });
        expect(policy.content).toContain('20 年');
        expect(policy.content).toContain('90 天');
      }
    });
  });

  describe('account opening', () => {
    type Questionnaire = NonNullable<BrokerDefinition['questionnaires']>[number];
    let demoBroker: BrokerDefinition;
    const questionnaire = (code: string): Questionnaire => demoBroker.questionnaires!.find((q) => q.code === code)!;

    beforeAll(() => {
      demoBroker = brokers.find((b) => b.code === 'DEMO')!;
    });

    it('both brokers carry the banks, questionnaires, exchanges, age limits and texts', () => {
      for (const b of brokers) {
        expect(b.banks!.map((x) => x.code)).toEqual([
          '102',
          '103',
          '104',
          '105',
          '301',
          '302',
          '303',
          '304',
          '305',
          '306',
          '307',
          '308',
          '309',
          '310',
          '403',
        ]);
        expect(b.banks!.every((x) => x.luhn && x.name.endsWith('银行'))).toBe(true);
        expect(b.questionnaires!.map((q) => [q.code, q.kind])).toEqual([
          ['SUITABILITY', 'SUITABILITY'],
          ['RETURN_VISIT', 'RETURN_VISIT'],
          ['CFFEX_KNOWLEDGE', 'KNOWLEDGE_TEST'],
          ['INE_KNOWLEDGE', 'KNOWLEDGE_TEST'],
        ]);
        expect(b.exchanges!.map((e) => [e.exchange, e.risk])).toEqual([
          ['SHFE', 'R4'],
          ['DCE', 'R4'],
          ['CZCE', 'R4'],
          ['GFEX', 'R4'],
          ['CFFEX', 'R4'],
          ['INE', 'R4'],
        ]);
        for (const e of b.exchanges!.filter((x) => ['CFFEX', 'INE'].includes(x.exchange))) {
          expect(e.conditions).toEqual({
            minAvailableFunds: 500000,
            fundsDays: 5,
            knowledgeTest: `${e.exchange}_KNOWLEDGE`,
            knowledgeTestMinScore: 80,
            tradingRecord: true,
          });
          expect(questionnaire(e.conditions!.knowledgeTest!).exchange).toBe(e.exchange);
        }
        expect(b.opening).toEqual({ minAge: 18, maxAge: 70 });
        for (const text of [b.texts!.investorEducation!, b.texts!.openingHelp!]) {
          expect(text.startsWith('> **演示文本**')).toBe(true);
          expect(text).toContain(b.servicePhone!);
          const han = text.match(/\p{Script=Han}/gu)!.length;
          expect(han).toBeGreaterThanOrEqual(600);
          expect(han).toBeLessThanOrEqual(1500);
        }
      }
    });

    it('every question has at least two options with unique codes; codes are Q1…Qn', () => {
      for (const q of demoBroker.questionnaires!) {
        expect(q.questions.map((x) => x.code)).toEqual(q.questions.map((_, i) => `Q${i + 1}`));
        for (const question of q.questions) {
          expect(question.options.length).toBeGreaterThanOrEqual(2);
          expect(new Set(question.options.map((o) => o.code)).size).toBe(question.options.length);
          expect(question.text).not.toBe('');
        }
      }
    });

    it('the suitability questionnaire scores 0 to about 100 in five sections, with the C1–C5 bands', () => {
      const q = questionnaire('SUITABILITY');
      expect(q.title).toBe('普通投资者风险承受能力评估问卷（自然人）');
      expect(q.questions.length).toBeGreaterThanOrEqual(16);
      expect(new Set(q.questions.map((x) => x.section)).size).toBeGreaterThanOrEqual(5);
      expect(q.questions.every((x) => x.section)).toBe(true);
      expect(q.questions.some((x) => x.multiple)).toBe(true);
      for (const question of q.questions)
        for (const o of question.options) expect(Number.isInteger(o.score)).toBe(true);
      const scores = (question: Questionnaire['questions'][number]) => question.options.map((o) => o.score!);
      // a multiple-choice question counts its highest chosen answer, so min and max are the same
      const min = q.questions.reduce((sum, x) => sum + Math.min(...scores(x)), 0);
      const max = q.questions.reduce((sum, x) => sum + Math.max(...scores(x)), 0);
      expect(min).toBe(0);
      expect(max).toBeGreaterThanOrEqual(90);
      expect(max).toBeLessThanOrEqual(110);
      const lowest = q.questions.flatMap((x) => x.options.filter((o) => o.lowestCategory).map((o) => o.text));
      expect(lowest.length).toBeGreaterThanOrEqual(2);
      expect(lowest).toEqual(expect.arrayContaining(['无固定收入来源', '不能承受任何本金损失']));
      expect(q.bands!.map((b) => b.tolerance)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5']);
      expect(q.bands!.map((b) => b.minScore)).toEqual([0, 20, 37, 53, 82]);
    });

    it('each return-visit question expects exactly one answer and has no scores', () => {
      const q = questionnaire('RETURN_VISIT');
      expect(q.questions.length).toBeGreaterThanOrEqual(6);
      expect(q.questions.length).toBeLessThanOrEqual(8);
      for (const question of q.questions) {
        expect(question.multiple).toBe(false);
        expect(question.options.filter((o) => o.expected)).toHaveLength(1);
        expect(question.options.every((o) => o.score === undefined)).toBe(true);
      }
    });

    it.each(['CFFEX_KNOWLEDGE', 'INE_KNOWLEDGE'])(
      'knowledge test %s: 10 questions, one correct answer each, 100 points, 80 to pass',
      (code) => {
        const q = questionnaire(code);
        expect(q.passScore).toBe(80);
        expect(q.questions).toHaveLength(10);
        for (const question of q.questions) {
          expect(question.multiple).toBe(false);
          expect(question.options).toHaveLength(4);
          expect(question.options.filter((o) => o.correct)).toHaveLength(1);
        }
        expect(q.questions.reduce((sum, x) => sum + (x.points ?? 0), 0)).toBe(100);
      },
    );
  });

  describe('demo data', () => {
    it('every customer ID number passes the GB 11643 checksum', () => {
      expect(demo.customers.length).toBeGreaterThan(0);
      for (const c of demo.customers)
        expect([c.profile.idNumber, isValidIdNumber(c.profile.idNumber)]).toEqual([c.profile.idNumber, true]);
      // The check itself: a wrong check digit fails, the X checksum passes.
      expect(isValidIdNumber('110105198506123412')).toBe(false);
      expect(isValidIdNumber('42010619920211005X')).toBe(true);
    });

    it('customers have unique numbers, every profile field, and belong to a branch of their broker', () => {
      expect(new Set(demo.customers.map((c) => c.customerNo)).size).toBe(demo.customers.length);
      for (const c of demo.customers) {
        expect(c.customerNo).toMatch(/^DEMO\d{4}$/);
        expect(Object.keys(c.profile).sort()).toEqual([...PROFILE_FIELDS].sort());
        const b = brokers.find((x) => x.code === c.brokerCode);
        expect(b?.branches.map((x) => x.name)).toContain(c.branchName);
      }
    });

    it('staff belong to their broker and branch; agents carry a licence number', () => {
      for (const s of demo.staff) {
        const b = brokers.find((x) => x.code === s.brokerCode)!;
        expect(b).toBeDefined();
        if (s.branchName !== null) expect(b.branches.map((x) => x.name)).toContain(s.branchName);
        expect(s.displayName).not.toBe('');
        if (s.roles.includes('AGENT')) expect(s.licenseNo).toMatch(/^F\d{7}$/);
      }
      expect(Object.fromEntries(demo.staff.map((s) => [s.username, [s.displayName, s.licenseNo ?? null]]))).toEqual({
        agent01: ['刘洋', 'F3040001'],
        agent02: ['孙磊', 'F3040002'],
        review01: ['周静', null],
        admin01: ['吴刚', null],
      });
      expect(demo.partnerKeys).toEqual([
        { key: 'kh_demo_partner_DEMO_0000000000000000', name: '演示合作方', brokerCode: 'DEMO' },
      ]);
    });
  });

  if (!fixture) {
    test.skip(`matches the shared demo fixture — skipped: ${FIXTURE_PATH} is not beside this clone`, () => {});
    return;
  }

  describe('matches ../shared/fixtures/demo.json', () => {
    /** Fixture keys that name something else in CounterCustomer; `note` is commentary only. */
    const CUSTOMER_KEYS: Record<string, (c: DemoData['customers'][number]) => unknown> = {
      accounts: (c) => c.accountTypes,
      broker: (c) => c.brokerCode,
      branch: (c) => c.branchName,
    };

    it('has exactly the fixture customers', () => {
      expect(demo.customers.map((c) => c.profile.idNumber)).toEqual(fixture.customers.map((c) => c.idNumber));
    });

    it.each(fixture.customers.map((c) => [c.name as string, c] as const))(
      'customer %s matches field by field',
      (_, expected) => {
        const actual = demo.customers.find((c) => c.profile.idNumber === expected.idNumber)!;
        for (const [key, value] of Object.entries(expected)) {
          if (key === 'note') continue;
          const got = key in CUSTOMER_KEYS ? CUSTOMER_KEYS[key](actual) : actual.profile[key as keyof CounterProfile];
          expect([key, got]).toEqual([key, value]);
        }
        // Fields the fixture leaves out start empty.
        for (const field of PROFILE_FIELDS.filter((f) => !(f in expected))) {
          expect([field, actual.profile[field]]).toEqual([
            field,
            ['products', 'badCreditRecords'].includes(field) ? [] : null,
          ]);
        }
      },
    );

    it('holds none of the fixture non-customers', () => {
      const ids = new Set(demo.customers.map((c) => c.profile.idNumber));
      for (const n of fixture.notCustomers) expect(ids.has(n.idNumber)).toBe(false);
    });

    it('has the fixture brokers with their names, phones and branches', () => {
      expect(brokers.map((b) => b.code)).toEqual(fixture.brokers.map((b) => b.code));
      for (const expected of fixture.brokers) {
        const actual = brokers.find((b) => b.code === expected.code)!;
        expect(actual.name).toBe(expected.name);
        if (expected.servicePhone !== undefined) expect(actual.servicePhone).toBe(expected.servicePhone);
        expect(actual.branches.map((b) => b.name)).toEqual(expected.branches);
      }
    });

    it('has exactly the fixture staff, field by field', () => {
      expect(
        demo.staff.map(({ username, password, roles, brokerCode, branchName }) => ({
          username,
          password,
          roles,
          brokerCode,
          branchName,
        })),
      ).toEqual(
        fixture.staff.map((s) => ({
          username: s.username,
          password: s.password,
          roles: s.roles,
          brokerCode: s.broker,
          branchName: s.branch ?? null,
        })),
      );
    });

    it('has exactly the fixture partner keys', () => {
      expect(demo.partnerKeys.map((k) => ({ key: k.key, broker: k.brokerCode }))).toEqual(
        fixture.partnerApiKeys.map((k) => ({ key: k.key, broker: k.broker })),
      );
    });
  });
});
