/**
 * One transaction for a change that spans several services (completeWitness: the session, the
 * ticket's step, the partner events), with what it announces held back until it has committed: a
 * failure leaves nothing stored and nothing announced.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

const pending = new WeakMap<EntityManager, (() => void)[]>();

/** Runs `work` in a transaction on a fork of `em`; the `afterCommit` callbacks it queued run once it committed. */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const queue: (() => void)[] = [];
  const result = await em.transactional(async (tx) => {
    pending.set(tx as EntityManager, queue);
    return work(tx as EntityManager);
  });
  for (const f of queue) f();
  return result;
}

/** Runs `f` after the transaction `em` belongs to commits (see {@link inTransaction}), or now outside one. */
export function afterCommit(em: EntityManager, f: () => void): void {
  const queue = pending.get(em);
  if (queue) queue.push(f);
  else f();
}
