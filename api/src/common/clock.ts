import type { Clock } from '@kaihu/plugin-api';

export type { Clock } from '@kaihu/plugin-api';

/** The real time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that tests can move: to an instant, or ahead. */
export interface SettableClock extends Clock {
  set(to: Date | string): void;
  advance(ms: number): void;
}

/** A clock that only moves when told to; tests pin the time with it. */
export class ManualClock implements SettableClock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * A clock that starts at `start` and then runs at the speed of the real one (`KAIHU_CLOCK_START`:
 * a process that must agree with a pinned clock elsewhere, a rehearsal of a holiday). `advance`
 * jumps it ahead.
 */
export class RunningClock implements SettableClock {
  private offset: number;

  constructor(start: Date | string = new Date()) {
    this.offset = new Date(start).getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  set(to: Date | string): void {
    this.offset = new Date(to).getTime() - Date.now();
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
