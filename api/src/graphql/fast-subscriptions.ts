import {
  Kind,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  isObjectType,
  locatedError,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLLeafType,
} from 'graphql';

/** Where a push-based subscription source delivers its values. */
export interface PushSink<T> {
  /** Delivers a value (synchronously, when the transport allows it). */
  push(value: T): void;
  /** The subscription is over (e.g. the session ended). */
  end(): void;
}

/**
 * A push-based subscription source: opened with the field's arguments, the request context and a
 * sink; resolves with the first value and how to close it. Refusals (NOT_FOUND, FORBIDDEN) throw
 * while opening and become a GraphQL error for that operation only.
 */
export type PushSource = (
  args: Record<string, unknown>,
  context: unknown,
  sink: PushSink<Record<string, unknown>>,
) => Promise<{ first: Record<string, unknown>; close: () => Promise<void> | void }>;

/** What the WebSocket transport puts into the context of a subscription: its id and the raw socket send. */
export interface WsOperation {
  id: string;
  send(message: string): void;
}

type Plan = [alias: string, value: (v: Record<string, unknown>) => unknown][];

/**
 * Subscriptions that push to many subscribers at once (the witness queue's positions) skip
 * graphql-js's per-event execution when the operation selects only scalar fields of the pushed
 * object: the selection is compiled once per subscription into (alias, field, serializer)
 * triples; each value becomes `{ data: { <alias>: { … } } }` and, over WebSocket, is written to
 * the socket as a graphql-transport-ws `next` message at once, with no promise chain per
 * subscriber — one branch-wide change is then one synchronous loop over its subscribers. The
 * document was validated by graphql-ws; anything else (fragments, directives, nested selections)
 * returns null and takes the normal path, with the same results.
 */
export function fastSubscribe(
  sources: Record<string, PushSource>,
  wsOperationOf: (context: unknown) => WsOperation | undefined,
): (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> | null {
  return (args) => {
    const op = getOperationAST(args.document, args.operationName);
    if (!op || op.operation !== 'subscription' || op.selectionSet.selections.length !== 1) return null;
    const root = op.selectionSet.selections[0]!;
    if (root.kind !== Kind.FIELD || root.directives?.length || !root.selectionSet) return null;
    const open = sources[root.name.value];
    const fieldDef = args.schema.getSubscriptionType()?.getFields()[root.name.value];
    if (!open || !fieldDef) return null;
    const objectType = getNamedType(fieldDef.type);
    if (!isObjectType(objectType)) return null;
    const plan: Plan = [];
    for (const sel of root.selectionSet.selections) {
      if (sel.kind !== Kind.FIELD || sel.directives?.length || sel.selectionSet || sel.arguments?.length) return null;
      const name = sel.name.value;
      const alias = sel.alias?.value ?? name;
      if (name === '__typename') {
        plan.push([alias, () => objectType.name]);
        continue;
      }
      const f = objectType.getFields()[name];
      if (!f) return null;
      const leaf = getNamedType(f.type);
      if (!isLeafType(leaf) || isListType(getNullableType(f.type))) return null;
      const serialize = (leaf as GraphQLLeafType).serialize.bind(leaf);
      plan.push([alias, (v) => (v[name] == null ? null : serialize(v[name]))]);
    }
    const variables = getVariableValues(args.schema, op.variableDefinitions ?? [], args.variableValues ?? {});
    if (variables.errors) return Promise.resolve({ errors: variables.errors });
    const rootAlias = root.alias?.value ?? root.name.value;
    const fields = (v: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const [alias, value] of plan) out[alias] = value(v);
      return out;
    };
    const project = (v: Record<string, unknown>): ExecutionResult => ({ data: { [rootAlias]: fields(v) } });
    const ws = wsOperationOf(args.contextValue);
    // the message around the fields is the same every time: serialized once
    const prefix = ws
      ? `{"id":${JSON.stringify(ws.id)},"type":"next","payload":{"data":{${JSON.stringify(rootAlias)}:`
      : '';
    const message = (v: Record<string, unknown>) => `${prefix}${JSON.stringify(fields(v))}}}}`;
    return pushIterator<ExecutionResult>(ws, project, message, (sink) =>
      open(getArgumentValues(fieldDef, root, variables.coerced), args.contextValue, sink),
    ).catch((e: unknown) => ({ errors: [locatedError(e, [root as FieldNode], [rootAlias])] }) as ExecutionResult);
  };
}

/**
 * The iterator graphql-ws drives. Its first value is the source's first; after graphql-ws has
 * sent it (it asks for the next), pushes go straight to the socket when there is one, and
 * otherwise are handed out through `next` (latest value wins while the consumer is busy).
 */
export async function pushIterator<R>(
  ws: WsOperation | undefined,
  project: (v: Record<string, unknown>) => R,
  message: ((v: Record<string, unknown>) => string) | null,
  open: (sink: PushSink<Record<string, unknown>>) => ReturnType<PushSource>,
): Promise<AsyncIterableIterator<R>> {
  let armed = false;
  let done = false;
  let pending: Record<string, unknown> | null = null;
  let wake: (() => void) | null = null;
  const write = (v: Record<string, unknown>) =>
    ws!.send(message ? message(v) : JSON.stringify({ id: ws!.id, type: 'next', payload: project(v) }));
  const sink: PushSink<Record<string, unknown>> = {
    push(v) {
      if (done) return;
      if (armed && ws) write(v);
      else {
        pending = v;
        wake?.();
      }
    },
    end() {
      done = true;
      wake?.();
    },
  };
  const source = await open(sink);
  let sentFirst = false;
  let closed = false;
  const close = async () => {
    done = true;
    wake?.();
    if (!closed) {
      closed = true;
      await source.close();
    }
  };
  const it: AsyncIterableIterator<R> = {
    async next() {
      if (!sentFirst) {
        sentFirst = true;
        return { done: false, value: project(source.first) };
      }
      if (ws && !armed) {
        armed = true;
        if (pending && !done) write(pending);
        pending = null;
      }
      for (;;) {
        if (done) {
          await close();
          return { done: true, value: undefined };
        }
        if (!ws && pending) {
          const v = pending;
          pending = null;
          return { done: false, value: project(v) };
        }
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
