import { Injectable, inject } from '@angular/core';
import { EMPTY, defer, firstValueFrom, Observable, map, catchError, retry, throwError, timer } from 'rxjs';
import type { Mutation, Query, Subscription } from 'apollo-angular';
import { toApiError } from './errors';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Vars<O> = O extends { variables?: infer V } ? NonNullable<V> : never;
type DataOf<Op> = Op extends { fetch(o?: any): Observable<{ data?: infer T }> }
  ? NonNullable<T>
  : Op extends { mutate(o: any): Observable<{ data?: infer T }> }
    ? NonNullable<T>
    : Op extends { subscribe(o: any): Observable<{ data?: infer T }> }
      ? NonNullable<T>
      : never;
type VarsOf<Op> = Op extends { fetch(o?: infer O): any }
  ? Vars<O>
  : Op extends { mutate(o: infer O): any }
    ? Vars<O>
    : Op extends { subscribe(o: infer O): any }
      ? Vars<O>
      : never;

/**
 * Runs the generated operation services (graphql-codegen → apollo-angular) and turns every
 * refusal into an ApiError. Queries always go to the network: the server holds the state, and a
 * page must never show a stale step.
 */
@Injectable({ providedIn: 'root' })
export class Api {
  async query<Op extends Query<any, any>>(op: Op, variables?: VarsOf<Op>): Promise<DataOf<Op>> {
    type T = DataOf<Op>;
    try {
      const r = await firstValueFrom(op.fetch({ variables, fetchPolicy: 'network-only' } as never));
      const res = r as unknown as { data?: T; error?: unknown };
      if (res.error) throw res.error;
      return res.data as T;
    } catch (e) {
      throw toApiError(e);
    }
  }

  async mutate<Op extends Mutation<any, any>>(op: Op, variables?: VarsOf<Op>): Promise<DataOf<Op>> {
    type T = DataOf<Op>;
    try {
      const r = (await firstValueFrom(op.mutate({ variables } as never))) as unknown as { data?: T; error?: unknown };
      if (r.error) throw r.error;
      return r.data as T;
    } catch (e) {
      throw toApiError(e);
    }
  }

  subscribe<Op extends Subscription<any, any>>(op: Op, variables: VarsOf<Op>): Observable<DataOf<Op>> {
    type T = DataOf<Op>;
    return op.subscribe({ variables } as never).pipe(
      map((r) => {
        const res = r as unknown as { data?: T; error?: unknown };
        if (res.error) throw res.error;
        return res.data as T;
      }),
      catchError((e) => throwError(() => toApiError(e))),
    );
  }

  /**
   * A subscription a page holds for as long as it is open: after an error (a dropped network,
   * a server restart) it subscribes again every `retryMs`, unless `retryIf` says no more.
   */
  live<Op extends Subscription<any, any>>(
    op: Op,
    variables: VarsOf<Op>,
    options: { retryMs?: number; retryIf?: (e: unknown) => boolean } = {},
  ): Observable<DataOf<Op>> {
    const { retryMs = 3000, retryIf = () => true } = options;
    return defer(() => this.subscribe(op, variables)).pipe(
      retry({ delay: (e) => (retryIf(e) ? timer(retryMs) : EMPTY) }),
    );
  }
}

/** Shorthand for components. */
export function injectApi(): Api {
  return inject(Api);
}
