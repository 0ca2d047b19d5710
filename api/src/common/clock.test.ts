import { ManualClock, RunningClock } from './clock';

describe('clocks', () => {
  it('a ManualClock moves only when told', () => {
    const c = new ManualClock('2026-11-23T02:00:00Z');
    expect(c.now().toISOString()).toBe('2026-11-23T02:00:00.000Z');
    c.advance(1500);
    expect(c.now().toISOString()).toBe('2026-11-23T02:00:01.500Z');
    c.set('2030-01-01T00:00:00Z');
    expect(c.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('a RunningClock starts where it is told and runs at real speed', async () => {
    const c = new RunningClock('2026-11-23T02:00:00Z');
    const first = c.now().getTime();
    expect(first - Date.parse('2026-11-23T02:00:00Z')).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.now().getTime() - first).toBeGreaterThanOrEqual(25);
    c.advance(3_600_000);
    expect(c.now().getTime() - first).toBeGreaterThanOrEqual(3_600_000);
    c.set('2030-01-01T00:00:00Z');
    expect(Math.abs(c.now().getTime() - Date.parse('2030-01-01T00:00:00Z'))).toBeLessThan(1000);
  });
});
