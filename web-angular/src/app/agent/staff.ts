import { Injectable, computed, inject, signal } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { Api } from '../core/api';
import { SessionStore } from '../core/session';
import { AgentBrokerBranchesGQL } from '../graphql/generated';

export const STAFF_ROLES = ['AGENT', 'REVIEWER', 'BROKER_ADMIN'] as const;

export interface Branch {
  id: string;
  name: string;
}

const BRANCH_KEY = 'kaihu.agent.branch';

/** The logged-in staff member as the console needs it: roles, and for an agent the branch whose queue they serve. */
@Injectable({ providedIn: 'root' })
export class StaffContext {
  private readonly session = inject(SessionStore);
  private readonly api = inject(Api);
  private readonly branchesQuery = inject(AgentBrokerBranchesGQL);

  readonly roles = computed(() => this.session.session()?.roles ?? []);
  readonly isStaff = computed(() => this.roles().some((r) => (STAFF_ROLES as readonly string[]).includes(r)));
  readonly branches = signal<Branch[]>([]);
  readonly brokerName = signal<string>('');
  readonly branchId = signal<string | null>(localStorage.getItem(BRANCH_KEY));
  readonly branch = computed(() => this.branches().find((b) => b.id === this.branchId()) ?? null);
  /**
   * server clock − this machine's clock (ms), learnt from the queue's waitingSeconds: waiting
   * times tick here every second from enqueuedAt, right even when this PC's clock is off.
   */
  readonly skewMs = signal(0);
  private loading: Promise<void> | null = null;

  /** The server's time now, as far as this page knows. */
  serverNow(localNow: number = Date.now()): number {
    return localNow + this.skewMs();
  }

  learnSkew(serverTimeIso: string, secondsSince: number): void {
    this.skewMs.set(new Date(serverTimeIso).getTime() + secondsSince * 1000 - Date.now());
  }

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

  /** The broker's branches (the agent picks the queue they serve). */
  load(): Promise<void> {
    return (this.loading ??= (async () => {
      try {
        const cfg = (await (await fetch('/portal-config.json')).json()) as { brokerCode: string | null };
        if (!cfg.brokerCode) return;
        const { broker } = await this.api.query(this.branchesQuery, { code: cfg.brokerCode });
        this.brokerName.set(broker?.name ?? '');
        this.branches.set(broker?.branches ?? []);
        if (!this.branch() && broker?.branches[0]) this.chooseBranch(broker.branches[0].id);
      } catch {
        this.loading = null;
      }
    })());
  }

  chooseBranch(id: string): void {
    localStorage.setItem(BRANCH_KEY, id);
    this.branchId.set(id);
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
