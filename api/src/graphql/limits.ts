import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { ErrorCode, KaihuError, defaultMessage } from '../common/errors';
import type { LimitsConfig } from '../config';
import type { Viewer } from '../modules/auth';
import type { RateLimitService } from '../modules/platform';
import type { KaihuContext } from './context';

/** A list field without a `first` argument is counted as this many items. */
export const DEFAULT_LIST_SIZE = 10;

export interface OperationCost {
  /** deepest field nesting (root fields are depth 1); introspection fields (`__…`) are not counted */
  depth: number;
  /** 1 per field; a list field's (or a connection's) selection counted `first` (or 10) times */
  complexity: number;
}

/**
 * Measures the operation a request would run, on the document alone (before validation, so absurd
 * documents are refused before GraphQL's own validation spends time on them). Unknown fields count
 * as plain fields; fragments are measured once each (memoised), so fragment fan-out cannot make
 * this walk itself expensive. Returns null when the operation cannot be picked out (GraphQL reports that).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): OperationCost | null {
  const operation = pickOperation(document, operationName);
  if (!operation) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, OperationCost>();
  const vars = variables ?? {};

  const firstOf = (node: FieldNode, def: GraphQLField<unknown, unknown> | undefined): number => {
    const arg = node.arguments?.find((a) => a.name.value === 'first');
    const fromValue = (v: ValueNode | undefined): unknown => {
      if (!v) return undefined;
      if (v.kind === Kind.INT) return Number(v.value);
      if (v.kind === Kind.VARIABLE) return vars[v.name.value];
      return undefined;
    };
    const value = arg ? fromValue(arg.value) : def?.args.find((a) => a.name === 'first')?.defaultValue;
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : DEFAULT_LIST_SIZE;
  };

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    paged: boolean,
    seen: ReadonlySet<string>,
  ): OperationCost => {
    let depth = 0;
    let complexity = 0;
    for (const sel of set.selections) {
      let part: OperationCost;
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue; // introspection and __typename: exempt
        const def =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
        const isList = def ? isListType(getNullableType(def.type)) : false;
        const hasFirst = def ? def.args.some((a) => a.name === 'first') : false;
        // a connection (`first` on a non-list) pays for its items once: its edges/nodes lists are not multiplied again
        const multiplier = hasFirst ? firstOf(sel, def) : isList ? (paged ? 1 : DEFAULT_LIST_SIZE) : 1;
        const child = sel.selectionSet
          ? walk(sel.selectionSet, def ? getNamedType(def.type) : undefined, hasFirst && !isList, seen)
          : { depth: 0, complexity: 0 };
        part = { depth: 1 + child.depth, complexity: 1 + multiplier * child.complexity };
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        part = walk(sel.selectionSet, type ?? undefined, paged, seen);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // unknown or cyclic: validation refuses it
        const key = `${name}\0${paged}`;
        let cached = memo.get(key);
        if (!cached) {
          cached = walk(
            fragment.selectionSet,
            schema.getType(fragment.typeCondition.name.value) ?? undefined,
            paged,
            new Set([...seen, name]),
          );
          memo.set(key, cached);
        }
        part = cached;
      }
      depth = Math.max(depth, part.depth);
      complexity += part.complexity;
    }
    return { depth, complexity };
  };

  return walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, false, new Set());
}

function pickOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | null {
  return getOperationAST(document, operationName ?? undefined) ?? null;
}

/** The limit an operation breaks, as the error to answer with; null when it is within them. */
export function checkCost(
  cost: OperationCost | null,
  limits: Pick<LimitsConfig, 'maxDepth' | 'maxComplexity'>,
): GraphQLError | null {
  if (!cost) return null;
  if (cost.depth > limits.maxDepth) {
    return new KaihuError(
      ErrorCode.QUERY_TOO_DEEP,
      `查询嵌套层级过深（${cost.depth} 层，最多 ${limits.maxDepth} 层），请减少嵌套后重试`,
      { depth: cost.depth, maxDepth: limits.maxDepth },
    );
  }
  if (cost.complexity > limits.maxComplexity) {
    return new KaihuError(
      ErrorCode.QUERY_TOO_COMPLEX,
      `查询过于复杂（复杂度 ${cost.complexity}，上限 ${limits.maxComplexity}），请减少字段或分页数量后重试`,
      {
        complexity: cost.complexity,
        maxComplexity: limits.maxComplexity,
      },
    );
  }
  return null;
}

/** Parsed documents by query text (bounded), so the guard does not parse a repeated query again. */
class DocumentCache {
  private readonly docs = new Map<string, DocumentNode | null>();
  constructor(private readonly size = 500) {}

  get(query: string): DocumentNode | null {
    if (this.docs.has(query)) return this.docs.get(query)!;
    let doc: DocumentNode | null;
    try {
      doc = parse(query, { noLocation: true });
    } catch {
      doc = null; // Apollo reports the syntax error
    }
    if (this.docs.size >= this.size) this.docs.delete(this.docs.keys().next().value!);
    this.docs.set(query, doc);
    return doc;
  }
}

function sendError(res: Response, status: number, error: GraphQLError): void {
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message: error.message, extensions: error.extensions }] }));
}

function variablesOf(op: Record<string, unknown>): Record<string, unknown> | null {
  let v = op.variables;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * Express middleware in front of Apollo: refuses too many operations in one batch
 * (BATCH_TOO_LARGE), and operations too deep or too complex (QUERY_TOO_DEEP, QUERY_TOO_COMPLEX),
 * all with HTTP 400 and before anything is validated or executed.
 */
export function httpOperationGuard(
  schema: GraphQLSchema,
  limits: LimitsConfig,
): (req: Request, res: Response, next: NextFunction) => void {
  const cache = new DocumentCache();
  return (req, res, next) => {
    const body: unknown = req.method === 'GET' ? req.query : req.body;
    if (Array.isArray(body)) {
      if (body.length > limits.maxBatch) {
        const message =
          limits.maxBatch === 0
            ? '本服务不支持批量请求，请逐个提交操作'
            : `一次请求最多包含 ${limits.maxBatch} 个操作，请分批提交`;
        sendError(
          res,
          400,
          new KaihuError(ErrorCode.BATCH_TOO_LARGE, message, { size: body.length, maxBatch: limits.maxBatch }),
        );
        return;
      }
    }
    for (const op of Array.isArray(body) ? body : [body]) {
      if (!op || typeof op !== 'object' || typeof (op as { query?: unknown }).query !== 'string') continue;
      const o = op as Record<string, unknown>;
      const doc = cache.get(o.query as string);
      if (!doc) continue;
      const problem = checkCost(
        measureOperation(schema, doc, typeof o.operationName === 'string' ? o.operationName : null, variablesOf(o)),
        limits,
      );
      if (problem) {
        sendError(res, 400, problem);
        return;
      }
    }
    next();
  };
}

/** Which mutations are rate limited, by kind: SMS code requests, captchas (same limits, own counter) and logins. */
export const RATE_LIMITED_MUTATIONS: Readonly<Record<string, 'code' | 'captcha' | 'login'>> = {
  requestLoginCode: 'code',
  requestPhoneCode: 'code',
  createCaptcha: 'captcha',
  login: 'login',
  staffLogin: 'login',
};

/** Root field names of a mutation (through fragments), each as often as it runs. */
function rootMutationFields(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  if (operation.operation !== 'mutation') return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out: string[] = [];
  const visit = (set: SelectionSetNode, seen: Set<string>): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) out.push(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet, seen);
      else if (!seen.has(sel.name.value) && fragments.has(sel.name.value))
        visit(fragments.get(sel.name.value)!.selectionSet, new Set([...seen, sel.name.value]));
    }
  };
  visit(operation.selectionSet, new Set());
  return out;
}

export interface RateLimitDeps {
  limits: LimitsConfig;
  rateLimits: RateLimitService;
}

/**
 * Counts the rate-limited mutations of an operation against the caller's bucket: the partner API
 * key behind the call when there is one (a partner's back end calls for many customers from one
 * address), otherwise the client IP. Returns RATE_LIMITED (with retryAfterSeconds) when over.
 */
export async function checkRateLimits(
  deps: RateLimitDeps,
  em: EntityManager,
  viewer: Viewer | null,
  clientIp: string | null | undefined,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Promise<KaihuError | null> {
  const { limits } = deps;
  for (const field of rootMutationFields(document, operation)) {
    const kind = RATE_LIMITED_MUTATIONS[field];
    if (!kind) continue;
    const apiKey = viewer?.apiKeyId ?? null;
    const [perIp, perKey] =
      kind === 'login' ? [limits.loginPerIp, limits.loginPerKey] : [limits.codePerIp, limits.codePerKey];
    const bucket = apiKey ? `${kind}:key:${apiKey}` : `${kind}:ip:${clientIp ?? 'unknown'}`;
    const decision = await deps.rateLimits.hit(em, bucket, apiKey ? perKey : perIp, limits.rateWindowSeconds);
    if (!decision.ok) {
      const minutes = Math.ceil(decision.retryAfterSeconds / 60);
      return new KaihuError(
        ErrorCode.RATE_LIMITED,
        `${defaultMessage(ErrorCode.RATE_LIMITED)}（约 ${minutes} 分钟后可重试）`,
        {
          retryAfterSeconds: decision.retryAfterSeconds,
          http: { status: 429, headers: new HeaderMap([['retry-after', String(decision.retryAfterSeconds)]]) },
        },
      );
    }
  }
  return null;
}

/** Apollo plugin: the rate limits of HTTP operations, after the operation is known and before it runs. */
export function rateLimitPlugin(deps: RateLimitDeps): ApolloServerPlugin<KaihuContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation }) {
          if (!operation || operation.operation !== 'mutation') return;
          const problem = await checkRateLimits(
            deps,
            contextValue.em,
            contextValue.viewer,
            contextValue.clientIp,
            document,
            operation,
          );
          if (problem) throw problem;
        },
      };
    },
  };
}

export interface WsGuardDeps extends RateLimitDeps {
  schema: GraphQLSchema;
  introspection: boolean;
}

/**
 * graphql-ws `onSubscribe`: parses, measures (QUERY_TOO_DEEP / QUERY_TOO_COMPLEX before
 * validation), validates (without introspection unless KAIHU_INTROSPECTION), applies the rate
 * limits, and returns the execution arguments — or the errors to send instead.
 */
export async function guardWsOperation(
  deps: WsGuardDeps,
  em: () => EntityManager,
  viewer: Viewer | null,
  clientIp: string | null,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): Promise<ExecutionArgs | readonly GraphQLError[]> {
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (e) {
    return [e instanceof GraphQLError ? e : new GraphQLError(String(e))];
  }
  const tooMuch = checkCost(
    measureOperation(deps.schema, document, payload.operationName, payload.variables),
    deps.limits,
  );
  if (tooMuch) return [tooMuch];
  const errors = validate(
    deps.schema,
    document,
    deps.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule],
  );
  // the code Apollo gives the same errors over HTTP
  if (errors.length)
    return errors.map(
      (e) =>
        new GraphQLError(e.message, {
          nodes: e.nodes,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions },
        }),
    );
  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (operation?.operation === 'mutation') {
    const limited = await checkRateLimits(deps, em(), viewer, clientIp, document, operation);
    if (limited) {
      const { http: _http, ...extensions } = limited.extensions;
      void _http;
      return [new GraphQLError(limited.message, { extensions })];
    }
  }
  return {
    schema: deps.schema,
    document,
    operationName: payload.operationName ?? undefined,
    variableValues: payload.variables ?? undefined,
  };
}

/**
 * The client address of a WebSocket upgrade under the same `trust proxy` rule as Express's
 * `req.ip`: walk X-Forwarded-For from the socket's address while the hop is trusted.
 */
export function clientIpOf(request: IncomingMessage, trust: (addr: string, i: number) => boolean): string | null {
  const socketAddr = request.socket.remoteAddress ?? null;
  if (!socketAddr) return null;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const addrs = [socketAddr, ...forwarded];
  for (let i = 0; i < addrs.length - 1; i++) if (!trust(addrs[i]!, i)) return addrs[i]!;
  return addrs[addrs.length - 1]!;
}
