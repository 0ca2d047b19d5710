import fc from 'fast-check';
import { ageOn, checkCharacter, chinaToday, parseIdNumber } from './id-number';

const TODAY = '2026-11-23';

describe('GB 11643 ID numbers', () => {
  it.each([
    '110105198506123411',
    '310115199003052724',
    '42010619920211005X',
    '440306197811201534',
    '330102198808089118',
    '510107197512316677',
  ])('accepts the demo ID %s', (id) => {
    expect(parseIdNumber(id, TODAY)).toMatchObject({ ok: true });
  });

  it('normalises a lower-case x and surrounding spaces', () => {
    expect(parseIdNumber(' 42010619920211005x ', TODAY)).toEqual({
      ok: true,
      value: { idNumber: '42010619920211005X', birthDate: '1992-02-11' },
    });
  });

  it.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['1'.repeat(65), 'TOO_LONG'],
    ['11010519850612341', 'FORMAT'],
    ['1101051985061234111', 'FORMAT'],
    ['11010519850612341Y', 'FORMAT'],
    ['１１０１０５１９８５０６１２３４１１', 'FORMAT'],
    ['11010519850612341１', 'FORMAT'],
    ['990105198506123411', 'REGION'],
    ['110105198502303411', 'BIRTH_DATE'],
    ['110105203001013411', 'BIRTH_DATE'],
    ['110105198506123412', 'CHECKSUM'],
  ])('refuses %j as %s', (id, problem) => {
    expect(parseIdNumber(id, TODAY)).toEqual({ ok: false, problem });
  });

  it('accepts exactly one check character for any 17 digits (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1930-01-01'), max: new Date('2008-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (birth, seq) => {
          const ymd = birth.toISOString().slice(0, 10).replace(/-/g, '');
          const first17 = `110105${ymd}${String(seq).padStart(3, '0')}`;
          const good = first17 + checkCharacter(first17);
          expect(parseIdNumber(good, TODAY).ok).toBe(true);
          for (const c of '0123456789X') {
            if (c !== good[17]) expect(parseIdNumber(first17 + c, TODAY)).toEqual({ ok: false, problem: 'CHECKSUM' });
          }
        },
      ),
    );
  });

  it('computes ages on Chinese dates', () => {
    expect(ageOn('2008-11-23', '2026-11-23')).toBe(18);
    expect(ageOn('2008-11-24', '2026-11-23')).toBe(17);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
    expect(chinaToday(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23');
  });
});
