import { signal } from '@angular/core';
import type { ApiError, FieldProblem } from '../core/errors';

/** Field messages of a form: from the page's own checks or from the server's `extensions.fields`. */
export class FieldErrors {
  private readonly map = signal<Record<string, string>>({});
  readonly general = signal<string | null>(null);

  of(field: string): string | null {
    return this.map()[field] ?? null;
  }

  any(): boolean {
    return Object.keys(this.map()).length > 0;
  }

  set(problems: readonly FieldProblem[]): void {
    const m: Record<string, string> = {};
    for (const p of problems) m[p.field] ??= p.message;
    this.map.set(m);
    this.general.set(null);
  }

  /** A refusal of the server: field messages beside their fields, the rest above the buttons. */
  fromApi(e: ApiError): void {
    if (e.fields.length) this.set(e.fields);
    else {
      this.map.set({});
      this.general.set(e.message);
    }
  }

  clear(): void {
    this.map.set({});
    this.general.set(null);
  }

  /** Focuses the first field with a problem (by element id = field name). */
  focusFirst(): void {
    const first = Object.keys(this.map())[0];
    if (first) setTimeout(() => document.getElementById(first)?.focus());
  }
}
