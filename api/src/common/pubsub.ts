import { createPubSub } from '@graphql-yoga/subscription';
import type { PubSub } from 'type-graphql';

/**
 * Kaihu's event bus for subscriptions: `publish(topic, id, payload)` and
 * `subscribe(topic, id)`. Payloads are small JSON values (ids), so that a cross-node transport
 * (PostgreSQL LISTEN/NOTIFY, Redis) can carry them; subscribers reload what they show.
 * In-process here: one API process, or the embedded PGlite deployment.
 */
export interface EventBus extends PubSub {
  publish(topic: string, id: string, payload: Record<string, unknown>): void;
  subscribe(topic: string, id: string): AsyncIterable<Record<string, unknown>>;
}

export function createInProcessBus(): EventBus {
  return createPubSub() as unknown as EventBus;
}

export const TOPICS = {
  /** id = ticket id; payload { id } */
  TICKET_UPDATED: 'TICKET_UPDATED',
} as const;
