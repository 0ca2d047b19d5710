import { Kind } from 'graphql';
import { DateScalar, isCalendarDate } from './scalars';

describe('Date scalar', () => {
  it('accepts real calendar dates only', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('20260101')).toBe(false);
    expect(isCalendarDate('2026-1-1')).toBe(false);
  });

  it('parses variables and literals and serializes dates', () => {
    expect(DateScalar.parseValue('2035-06-01')).toBe('2035-06-01');
    expect(() => DateScalar.parseValue('2035-06-31')).toThrow(/YYYY-MM-DD/);
    expect(() => DateScalar.parseValue(20350601)).toThrow(/YYYY-MM-DD/);
    expect(DateScalar.parseLiteral({ kind: Kind.STRING, value: '2015-06-01' }, {})).toBe('2015-06-01');
    expect(DateScalar.serialize('2015-06-01')).toBe('2015-06-01');
    expect(DateScalar.serialize(new Date('2015-06-01T00:00:00Z'))).toBe('2015-06-01');
  });
});
