import type { EntityManager } from '@mikro-orm/postgresql';
import type { WebSocket } from 'ws';
import { TOPICS, type EventBus } from '../../common/pubsub';
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
    private readonly bus: EventBus,
  ) {}

  private ended: AsyncIterator<Record<string, unknown>> | null = null;

  /** Sweeps periodically, and closes at once the sockets of a session any node announces ended. */
  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.sweepEveryMs);
    this.timer.unref();
    if (this.ended) return;
    const ended = (this.ended = this.bus.subscribe(TOPICS.SESSION_ENDED, 'all')[Symbol.asyncIterator]());
    void (async () => {
      for (let e = await ended.next(); !e.done; e = await ended.next()) this.revoke(String(e.value.sessionId));
    })().catch((err: unknown) => this.log.warn({ err }, 'session-ended events stopped'));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    void this.ended?.return?.();
    this.ended = null;
    this.sockets.clear();
  }

  /** Tells every node (this one included) that these sessions ended: their sockets close. */
  static announceEnded(bus: EventBus, sessionIds: Iterable<string>): void {
    for (const sessionId of sessionIds) bus.publish(TOPICS.SESSION_ENDED, 'all', { sessionId });
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
