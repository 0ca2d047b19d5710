import { Injectable, computed, signal } from '@angular/core';

const KEY = 'kaihu.session';

export interface StoredSession {
  token: string;
  expiresAt: string;
  roles: string[];
}

/**
 * The login session of this tab. Kept in sessionStorage: a refresh keeps it, closing the tab ends
 * it; the server holds everything else (the ticket, its step, the queue place).
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly state = signal<StoredSession | null>(read());
  readonly session = this.state.asReadonly();
  readonly loggedIn = computed(() => this.state() !== null);
  readonly token = computed(() => this.state()?.token ?? null);
  /** Bumped on every login and logout: the subscription socket reconnects with the new token. */
  readonly generation = signal(0);

  set(session: StoredSession): void {
    sessionStorage.setItem(KEY, JSON.stringify(session));
    this.state.set(session);
    this.generation.update((g) => g + 1);
  }

  clear(): void {
    sessionStorage.removeItem(KEY);
    this.state.set(null);
    this.generation.update((g) => g + 1);
  }

  hasRole(role: string): boolean {
    return this.state()?.roles.includes(role) ?? false;
  }
}

function read(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredSession;
    return new Date(s.expiresAt).getTime() > Date.now() ? s : null;
  } catch {
    return null;
  }
}
