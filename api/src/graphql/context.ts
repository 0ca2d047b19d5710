import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import type { Viewer } from '../modules/auth';
import type { Services } from '../services';
import type { WsOperation } from './fast-subscriptions';

/** What every resolver gets: its own EntityManager fork, the services, the clock, a request logger. */
export interface KaihuContext {
  em: EntityManager;
  services: Services;
  clock: Clock;
  log: Logger;
  requestId: string;
  /** null for anonymous calls */
  viewer: Viewer | null;
  /** The caller's address (X-Forwarded-For honoured only under KAIHU_TRUST_PROXY); rate limits count per address. */
  clientIp?: string | null;
  /** Over WebSocket: the operation's id and the raw socket send (fast subscriptions write to it directly). */
  ws?: WsOperation;
}
