import type { Clock } from '@kaihu/plugin-api';

export type { Clock } from '@kaihu/plugin-api';

/** The real time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; tests pin the time with it. */
export class ManualClock implements Clock {
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
