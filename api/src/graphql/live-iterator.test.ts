import { openLive } from './live-iterator';

describe('openLive', () => {
  it('sends the first value, then the next ones, and cleans up at once when returned while waiting', async () => {
    let wake: ((v: number | null) => void) | null = null;
    const log: string[] = [];
    const it = await openLive(async () => ({
      first: 1,
      next: () => new Promise<number | null>((r) => (wake = r)),
      stop: () => {
        log.push('stop');
        wake?.(null);
      },
      cleanup: () => void log.push('cleanup'),
    }));
    expect(await it.next()).toEqual({ done: false, value: 1 });
    const second = it.next();
    wake!(2);
    expect(await second).toEqual({ done: false, value: 2 });
    // nothing will come for a long time: return() must not wait for it (an async generator would)
    const pending = it.next();
    await it.return!();
    expect(log).toEqual(['stop', 'cleanup']);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await it.next()).toEqual({ done: true, value: undefined });
    await it.return!();
    expect(log).toEqual(['stop', 'cleanup']);
  });

  it('turns a refusal while opening into a rejected promise (an error of that operation)', async () => {
    await expect(openLive(async () => Promise.reject(new Error('受理单不存在')))).rejects.toThrow('受理单不存在');
  });
});
