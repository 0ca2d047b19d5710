import fc from 'fast-check';
import { StepRegistry } from '../tickets';
import { contactPhoneStep } from './steps/contact-phone.step';
import { idValidityStep } from './steps/id-validity.step';
import { otherInfoStep } from './steps/other-info.step';
import { classifyPhone, validateIdValidity, validateOtherInfo, type OtherInfoInput } from './profile-changes';

const TODAY = '2026-11-23';
const good: OtherInfoInput = {
  province: '北京市',
  city: '北京市',
  address: '北京市朝阳区建国路88号院3号楼1201',
  postalCode: '100022',
  email: 'zhangwei@example.com',
  education: '本科',
  occupation: '专业技术人员',
  taxResidency: 'CHINA_ONLY',
  pepRelation: 'NONE',
  investmentHorizon: 'ONE_TO_5_YEARS',
  expectedReturn: 'GROWTH',
  hasActualController: false,
  beneficialOwnerIsSelf: true,
  products: ['FUTURES_OPTIONS'],
  badCreditRecords: [],
};

const fieldsOf = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    return ((e as { extensions: { fields: { field: string }[] } }).extensions.fields ?? []).map((p) => p.field);
  }
  return [];
};

describe('ID validity', () => {
  it('accepts a valid range or 长期', () => {
    expect(validateIdValidity({ validFrom: '2015-06-01', validTo: '2035-06-01', longTerm: false }, TODAY)).toEqual({
      idValidFrom: '2015-06-01',
      idValidTo: '2035-06-01',
    });
    expect(validateIdValidity({ validFrom: '2015-06-01', validTo: null, longTerm: true }, TODAY)).toEqual({
      idValidFrom: '2015-06-01',
      idValidTo: null,
    });
    expect(
      validateIdValidity({ validFrom: TODAY, validTo: TODAY.replace('2026', '2036'), longTerm: false }, TODAY)
        .idValidFrom,
    ).toBe(TODAY);
  });

  it.each([
    [{ validFrom: '2027-01-01', validTo: '2037-01-01', longTerm: false }, ['validFrom']],
    [{ validFrom: '2015-06-01', validTo: '2015-06-01', longTerm: false }, ['validTo']],
    [{ validFrom: '2010-03-01', validTo: '2020-03-01', longTerm: false }, ['validTo']],
    [{ validFrom: '2015-06-01', validTo: null, longTerm: false }, ['validTo']],
    [{ validFrom: '2015-06-01', validTo: '2035-06-01', longTerm: true }, ['validTo']],
    [{ validFrom: '2015-02-30', validTo: '2035-06-01', longTerm: false }, ['validFrom']],
  ])('refuses %j on %j with INVALID_VALIDITY', (input, fields) => {
    expect(() => validateIdValidity(input, TODAY)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_VALIDITY' }) }),
    );
    expect(fieldsOf(() => validateIdValidity(input, TODAY))).toEqual(fields);
  });
});

describe('phones', () => {
  it('tells mainland mobiles from landlines and refuses anything else', () => {
    expect(classifyPhone('13912345678')).toEqual({ kind: 'MOBILE', phone: '13912345678' });
    expect(classifyPhone('010-62345678')).toEqual({ kind: 'LANDLINE', phone: '010-62345678' });
    expect(classifyPhone('075582345678')).toEqual({ kind: 'LANDLINE', phone: '0755-82345678' });
    expect(classifyPhone('01062345678')).toEqual({ kind: 'LANDLINE', phone: '010-62345678' });
    expect(classifyPhone('021-62345678-123')).toEqual({ kind: 'LANDLINE', phone: '021-62345678-123' });
    for (const bad of ['12912345678', '1391234567', '+8613912345678', '62345678', 'abc', '', '010-1234']) {
      expect(() => classifyPhone(bad)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_PHONE' }) }),
      );
    }
  });

  it('accepts every 1[3-9] mobile (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 999_999_999 }), (second, rest) => {
        const m = `1${second}${String(rest).padStart(9, '0')}`;
        expect(classifyPhone(m).kind).toBe('MOBILE');
      }),
    );
  });
});

describe('other information', () => {
  it('accepts a complete form; an empty bad-credit list means 无', () => {
    expect(validateOtherInfo(good)).toMatchObject({
      postalCode: '100022',
      badCreditRecords: [],
      email: 'zhangwei@example.com',
    });
    expect(validateOtherInfo({ ...good, email: '' }).email).toBeNull();
  });

  it.each([
    [{ postalCode: '10002' }, 'postalCode'],
    [{ postalCode: '10002a' }, 'postalCode'],
    [{ email: 'not-an-email' }, 'email'],
    [{ address: '  ' }, 'address'],
    [{ province: '火星' }, 'province'],
    [{ city: '' }, 'city'],
    [{ education: '幼儿园' }, 'education'],
    [{ occupation: '' }, 'occupation'],
    [{ taxResidency: 'MARS' }, 'taxResidency'],
    [{ products: [] }, 'products'],
    [{ products: ['FUTURES_OPTIONS', 'FUTURES_OPTIONS'] }, 'products'],
    [{ badCreditRecords: ['TAX_AUTHORITY', 'TAX_AUTHORITY'] }, 'badCreditRecords'],
    [{ hasActualController: null }, 'hasActualController'],
  ])('refuses %j naming the field %s', (change, field) => {
    expect(fieldsOf(() => validateOtherInfo({ ...good, ...(change as object) }))).toEqual([field]);
  });
});

describe('changes of a ticket', () => {
  const registry = new StepRegistry([idValidityStep, contactPhoneStep, otherInfoStep] as never[]);
  const changesOf = (data: Record<string, unknown>) =>
    registry.profileChanges({ steps: Object.keys(data).map((kind) => ({ kind, done: true })) as never, data });

  it('map each step’s data onto profile fields', () => {
    expect(
      changesOf({ DOCUMENTS: { documents: [] }, ID_VALIDITY: { idValidFrom: '2020-03-01', idValidTo: null } }),
    ).toEqual({ idValidFrom: '2020-03-01', idValidTo: null });
    expect(changesOf({ CONTACT_PHONE: { kind: 'MOBILE', phone: '13912345678' } })).toEqual({ mobile: '13912345678' });
    expect(changesOf({ CONTACT_PHONE: { kind: 'LANDLINE', phone: '010-62345678' } })).toEqual({
      phone: '010-62345678',
    });
  });
});
