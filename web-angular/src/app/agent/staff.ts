import { Injectable, computed, inject, signal } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { Api } from '../core/api';
import { SessionStore } from '../core/session';
import { StaffViewerGQL, type StaffSelfFieldsFragment } from '../graphql/generated';

export const STAFF_ROLES = ['AGENT', 'REVIEWER', 'BROKER_ADMIN'] as const;

export interface Branch {
  id: string;
  name: string;
}

const BRANCH_KEY = 'kaihu.agent.branch';

/**
 * The logged-in staff member as the console needs it: roles, broker, and for an agent the branch
 * whose queue they serve (their own; an agent of all branches picks one).
 */
@Injectable({ providedIn: 'root' })
export class StaffContext {
  private readonly session = inject(SessionStore);
  private readonly api = inject(Api);
  private readonly viewerQuery = inject(StaffViewerGQL);

  readonly roles = computed(() => this.session.session()?.roles ?? []);
  readonly me = signal<StaffSelfFieldsFragment | null>(null);
  readonly branches = computed<Branch[]>(() => this.me()?.broker.branches ?? []);
  readonly brokerName = computed(() => this.me()?.broker.name ?? '');
  /** an agent tied to one branch serves that branch's queue only */
  readonly fixedBranch = computed(() => this.me()?.branch ?? null);
  private readonly picked = signal<string | null>(localStorage.getItem(BRANCH_KEY));
  readonly branchId = computed(
    () =>
      this.fixedBranch()?.id ??
      (this.branches().some((b) => b.id === this.picked()) ? this.picked() : (this.branches()[0]?.id ?? null)),
  );
  readonly branch = computed(() => this.branches().find((b) => b.id === this.branchId()) ?? null);
  /**
   * server clock − this machine's clock (ms), learnt from the queue's waitingSeconds: waiting
   * times tick here every second from enqueuedAt, right even when this PC's clock is off.
   */
  readonly skewMs = signal(0);
  private loading: Promise<void> | null = null;

  has(role: string): boolean {
    return this.roles().includes(role);
  }

  /** The first page of the console this person may use. */
  home(): string {
    if (this.has('AGENT')) return '/agent/witness';
    if (this.has('REVIEWER')) return '/agent/review';
    if (this.has('BROKER_ADMIN')) return '/agent/admin/branches';
    return '/agent/login';
  }

  /** After login: what staffLogin returned. */
  set(me: StaffSelfFieldsFragment | null): void {
    this.me.set(me);
    this.loading = Promise.resolve();
  }

  /** After a reload: who is logged in (viewer.staff). */
  load(): Promise<void> {
    return (this.loading ??= (async () => {
      try {
        const { viewer } = await this.api.query(this.viewerQuery);
        this.me.set(viewer?.staff ?? null);
      } catch {
        this.loading = null;
      }
    })());
  }

  clear(): void {
    this.me.set(null);
    this.loading = null;
  }

  chooseBranch(id: string): void {
    localStorage.setItem(BRANCH_KEY, id);
    this.picked.set(id);
  }

  /** The server's time now, as far as this page knows. */
  serverNow(localNow: number = Date.now()): number {
    return localNow + this.skewMs();
  }

  learnSkew(serverTimeIso: string, secondsSince: number): void {
    this.skewMs.set(new Date(serverTimeIso).getTime() + secondsSince * 1000 - Date.now());
  }
}

/** Console pages: logged-in staff with `role` (any staff role when none is given). */
export function staffGuard(role?: string): CanActivateFn {
  return (_route, state) => {
    const session = inject(SessionStore);
    const router = inject(Router);
    const roles = session.session()?.roles ?? [];
    if (!session.loggedIn() || !roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r))) {
      return router.createUrlTree(['/agent/login'], { queryParams: { next: state.url } });
    }
    if (role && !roles.includes(role)) return router.createUrlTree([inject(StaffContext).home()]);
    return true;
  };
}
