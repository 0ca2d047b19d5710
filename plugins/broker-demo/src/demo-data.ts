/**
 * The demo customers, staff and partner keys — the values of `../shared/fixtures/demo.json`, the
 * reference every test suite agrees on, kept here so the package never reads outside itself.
 * A change there is copied here; `index.test.ts` compares the two field by field.
 */
import type { CounterCustomer, CounterProfile, DemoData, DemoPartnerKey, DemoStaff } from '@kaihu/plugin-api';

/** The other-information fields demo customers start without: the first UPDATE_OTHER_INFO fills them. */
const NOT_YET_ASSESSED: Pick<
  CounterProfile,
  | 'investmentHorizon'
  | 'expectedReturn'
  | 'hasActualController'
  | 'beneficialOwnerIsSelf'
  | 'products'
  | 'badCreditRecords'
> = {
  investmentHorizon: null,
  expectedReturn: null,
  hasActualController: null,
  beneficialOwnerIsSelf: null,
  products: [],
  badCreditRecords: [],
};

export const DEMO_CUSTOMERS: readonly CounterCustomer[] = [
  {
    // An ordinary customer.
    customerNo: 'DEMO0001',
    brokerCode: 'DEMO',
    branchName: '北京营业部',
    accountTypes: ['FUTURES_BROKERAGE'],
    profile: {
      name: '张伟',
      idNumber: '110105198506123411',
      idAddress: '北京市朝阳区建国路88号',
      idValidFrom: '2015-06-01',
      idValidTo: '2035-06-01',
      phone: null,
      mobile: '13800138000',
      province: '北京市',
      city: '北京市',
      address: '北京市朝阳区建国路88号院3号楼1201',
      postalCode: '100022',
      email: 'zhangwei@example.com',
      education: '本科',
      occupation: '专业技术人员',
      taxResidency: 'CHINA_ONLY',
      pepRelation: 'NONE',
      ...NOT_YET_ASSESSED,
    },
  },
  {
    // ID expired: may only run UPDATE_ID_VALIDITY.
    customerNo: 'DEMO0002',
    brokerCode: 'DEMO',
    branchName: '上海营业部',
    accountTypes: ['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT'],
    profile: {
      name: '李娜',
      idNumber: '310115199003052724',
      idAddress: '上海市浦东新区世纪大道100号',
      idValidFrom: '2010-03-01',
      idValidTo: '2020-03-01',
      phone: null,
      mobile: '13912345678',
      province: '上海市',
      city: '上海市',
      address: '上海市浦东新区世纪大道100号2201室',
      postalCode: '200120',
      email: null,
      education: '硕士',
      occupation: '企业管理人员',
      taxResidency: 'CHINA_ONLY',
      pepRelation: 'NONE',
      ...NOT_YET_ASSESSED,
    },
  },
  {
    // Long-term ID (长期), checksum X, has a landline.
    customerNo: 'DEMO0003',
    brokerCode: 'DEMO',
    branchName: '北京营业部',
    accountTypes: ['FUTURES_BROKERAGE'],
    profile: {
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
      ...NOT_YET_ASSESSED,
    },
  },
  {
    // Asset-management only: a FUTURES_BROKERAGE login gets CUSTOMER_NOT_FOUND.
    customerNo: 'DEMO0004',
    brokerCode: 'DEMO',
    branchName: '北京营业部',
    accountTypes: ['ASSET_MANAGEMENT'],
    profile: {
      name: '陈强',
      idNumber: '440306197811201534',
      idAddress: '广东省深圳市宝安区新安街道',
      idValidFrom: '2018-11-20',
      idValidTo: '2038-11-20',
      phone: null,
      mobile: '18655556666',
      province: '北京市',
      city: '北京市',
      address: '北京市西城区金融大街15号',
      postalCode: '100033',
      email: null,
      education: '大专',
      occupation: '个体工商户',
      taxResidency: 'CHINA_ONLY',
      pepRelation: 'NONE',
      ...NOT_YET_ASSESSED,
    },
  },
  {
    // Customer of the broker with real service hours.
    customerNo: 'DEMO0005',
    brokerCode: 'DEMO-HOURS',
    branchName: '深圳营业部',
    accountTypes: ['FUTURES_BROKERAGE'],
    profile: {
      name: '赵敏',
      idNumber: '330102198808089118',
      idAddress: '浙江省杭州市上城区解放路1号',
      idValidFrom: '2019-08-08',
      idValidTo: '2039-08-08',
      phone: null,
      mobile: '13700001111',
      province: '广东省',
      city: '深圳市',
      address: '广东省深圳市福田区深南大道6008号',
      postalCode: '518034',
      email: 'zhaomin@example.com',
      education: '博士',
      occupation: '专业技术人员',
      taxResidency: 'CHINA_ONLY',
      pepRelation: 'NONE',
      ...NOT_YET_ASSESSED,
    },
  },
];

/** Demo staff. Passwords are the published demo ones: demo mode only. */
export const DEMO_STAFF: readonly DemoStaff[] = [
  {
    username: 'agent01',
    password: 'Agent#2026',
    displayName: '刘洋',
    roles: ['AGENT'],
    brokerCode: 'DEMO',
    branchName: '北京营业部',
    licenseNo: 'F3040001',
  },
  {
    username: 'agent02',
    password: 'Agent#2026',
    displayName: '孙磊',
    roles: ['AGENT'],
    brokerCode: 'DEMO',
    branchName: '上海营业部',
    licenseNo: 'F3040002',
  },
  {
    username: 'review01',
    password: 'Review#2026',
    displayName: '周静',
    roles: ['REVIEWER'],
    brokerCode: 'DEMO',
    branchName: null,
  },
  {
    username: 'admin01',
    password: 'Admin#2026',
    displayName: '吴刚',
    roles: ['BROKER_ADMIN'],
    brokerCode: 'DEMO',
    branchName: null,
  },
];

/** Partner API keys (demo mode only). */
export const DEMO_PARTNER_KEYS: readonly DemoPartnerKey[] = [
  { key: 'kh_demo_partner_DEMO_0000000000000000', name: '演示合作方', brokerCode: 'DEMO' },
];

export const DEMO_DATA: DemoData = {
  customers: [...DEMO_CUSTOMERS],
  staff: [...DEMO_STAFF],
  partnerKeys: [...DEMO_PARTNER_KEYS],
};
