/**
 * A subscription's source, opened before the subscription is acknowledged and returned at once.
 *
 * - Opening eagerly (the subscribe resolver awaits {@link openLive}) turns a refusal such as
 *   NOT_FOUND into a GraphQL error result for that one operation, instead of a failing stream
 *   that graphql-ws would answer by closing the whole socket.
 * - An async generator that waits for the next event cannot be returned until that event comes
 *   (its return is queued behind the pending await), so cleanups such as "the customer's socket
 *   dropped" would wait for the next change of the queue. This iterator runs `cleanup` as soon as
 *   graphql-ws returns it, and wakes the pending `next` through `stop`.
 */
export interface LiveSource<T> {
  /** The current value, sent first. */
  first: T;
  /** The next value to send; null when the subscription is over. */
  next: () => Promise<T | null>;
  /** Makes a pending `next` resolve (with null). */
  stop: () => void;
  cleanup: () => Promise<void> | void;
}

export async function openLive<T>(open: () => Promise<LiveSource<T>>): Promise<AsyncIterableIterator<T>> {
  const source = await open();
  let sentFirst = false;
  let done = false;
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      source.stop();
      await source.cleanup();
    }
    return { done: true, value: undefined };
  };
  const it: AsyncIterableIterator<T> = {
    async next() {
      if (done) return { done: true, value: undefined };
      if (!sentFirst) {
        sentFirst = true;
        return { done: false, value: source.first };
      }
      const value = await source.next();
      if (value === null || done) return finish();
      return { done: false, value };
    },
    return: finish,
    async throw(e: unknown) {
      await finish();
      throw e;
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
