import type { EntityManager } from '@mikro-orm/postgresql';
import type { WebSocket } from 'ws';
import type { Logger } from '../../common/logger';
import type { AuthService, TokenProblem } from './auth.service';
import type { Viewer } from './viewer';

/** graphql-ws close codes for authentication (the protocol's own 4401/4403 meanings). */
export const WS_CLOSE = {
  /** no valid credentials: unknown or expired token */
  UNAUTHORIZED: 4401,
  /** credentials withdrawn: token revoked (logout), key revoked, staff disabled */
  FORBIDDEN: 4403,
} as const;

export function closeCodeFor(problem: TokenProblem): { code: number; reason: string } {
  return problem === 'REVOKED'
    ? { code: WS_CLOSE.FORBIDDEN, reason: 'Forbidden: session revoked' }
    : {
        code: WS_CLOSE.UNAUTHORIZED,
        reason: problem === 'EXPIRED' ? 'Unauthorized: session expired' : 'Unauthorized: invalid token',
      };
}

/**
 * Keeps track of sockets opened with a session, so that a logout closes them at once on this node
 * and a periodic sweep closes those whose session expired or was revoked anywhere. An open socket
 * counts as activity: the sweep restarts its session's idle timeout (not its absolute expiry).
 */
export class SocketSessions {
  private readonly sockets = new Map<WebSocket, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly auth: AuthService,
    private readonly forkEm: () => EntityManager,
    private readonly log: Logger,
    private readonly sweepEveryMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.sweepEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sockets.clear();
  }

  add(socket: WebSocket, viewer: Viewer): void {
    if (!viewer.sessionId) return;
    this.sockets.set(socket, viewer.sessionId);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Closes this node's sockets of a session (after logout). */
  revoke(sessionId: string): void {
    for (const [socket, id] of this.sockets) {
      if (id === sessionId) {
        const { code, reason } = closeCodeFor('REVOKED');
        socket.close(code, reason);
      }
    }
  }

  async sweep(): Promise<void> {
    const ids = [...new Set(this.sockets.values())];
    if (!ids.length) return;
    try {
      const problems = await this.auth.checkSocketSessions(this.forkEm(), ids);
      for (const [socket, sid] of this.sockets) {
        const problem = problems.get(sid);
        if (!problem) continue;
        const { code, reason } = closeCodeFor(problem);
        socket.close(code, reason);
      }
    } catch (e) {
      this.log.warn({ err: e }, 'websocket session sweep failed');
    }
  }
}
