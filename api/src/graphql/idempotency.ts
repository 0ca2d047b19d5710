import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import { getOperationAST, parse, print, type DocumentNode } from 'graphql';
import { ErrorCode, KaihuError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { Authentication } from '../modules/auth';
import type { IdempotencyHandle, IdempotencyService } from '../modules/platform';
import type { Secrets } from '../modules/platform';

/** `Idempotency-Key`: 1–255 printable ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
export const REPLAYED_HEADER = 'Idempotency-Replayed';

export interface IdempotencyDeps {
  service: IdempotencyService;
  secrets: () => Secrets;
  authenticate: (em: EntityManager, authorization: string | undefined) => Promise<Authentication>;
  forkEm: () => EntityManager;
  logger: Logger;
}

/** A JSON text of `value` with object keys sorted (uploads stand in as their file name). */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v === undefined ? null : v;
    if (Array.isArray(v)) return v.map(norm);
    if (v instanceof Date) return v.toISOString();
    // graphql-upload's Upload: its promise cannot be hashed; the file name (when known) stands in
    if ('promise' in v && typeof (v as { promise?: unknown }).promise === 'object') {
      return { $upload: (v as { file?: { filename?: string } }).file?.filename ?? true };
    }
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, norm(o[k])]),
    );
  };
  return JSON.stringify(norm(value));
}

/** What makes two requests "the same": the printed document, the operation name and the variables. */
export function operationFingerprint(document: DocumentNode, operationName: string | null, variables: unknown): string {
  const documentHash = createHash('sha256').update(print(document)).digest('hex');
  return createHash('sha256')
    .update(canonicalJson([documentHash, operationName, variables ?? {}]))
    .digest('hex');
}

function refuse(res: Response, status: number, error: KaihuError): void {
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message: error.message, extensions: error.extensions }] }));
}

/**
 * Express middleware in front of Apollo: a mutation sent with an `Idempotency-Key` runs once per
 * caller and key. The first request claims the key in the database (the primary key makes the
 * first writer win across nodes) and its response (status and body, encrypted) is stored before it
 * is sent; the same key with the same operation and variables gets that response again with
 * `Idempotency-Replayed: true`; with another operation or other variables IDEMPOTENCY_KEY_REUSED
 * (422); while the first still runs IDEMPOTENCY_KEY_IN_USE (409). Responses worth retrying (5xx,
 * 429, 409) are not kept. Queries, and requests without the header, pass untouched.
 * Response bodies (tokens, codes) are never logged.
 */
export function idempotencyMiddleware(
  deps: IdempotencyDeps,
): (req: Request, res: Response, next: NextFunction) => Promise<void> {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined || req.method !== 'POST') return next();
    try {
      const body: unknown = req.body;
      const ops = (Array.isArray(body) ? body : [body]) as unknown[];
      const parsed: { document: DocumentNode; operationName: string | null; variables: unknown; mutation: boolean }[] =
        [];
      for (const op of ops) {
        if (!op || typeof op !== 'object' || typeof (op as { query?: unknown }).query !== 'string') return next();
        const o = op as { query: string; operationName?: unknown; variables?: unknown };
        let document: DocumentNode;
        try {
          document = parse(o.query, { noLocation: true });
        } catch {
          return next(); // Apollo reports the syntax error
        }
        const operationName = typeof o.operationName === 'string' ? o.operationName : null;
        const operation = getOperationAST(document, operationName ?? undefined);
        parsed.push({ document, operationName, variables: o.variables, mutation: operation?.operation === 'mutation' });
      }
      if (!parsed.some((p) => p.mutation)) return next(); // queries ignore the header
      if (!IDEMPOTENCY_KEY.test(key)) {
        return refuse(
          res,
          400,
          new KaihuError(ErrorCode.BAD_USER_INPUT, 'Idempotency-Key 须为 1 至 255 个可打印字符', {
            header: 'Idempotency-Key',
          }),
        );
      }
      if (Array.isArray(body)) {
        return refuse(
          res,
          400,
          new KaihuError(ErrorCode.BAD_USER_INPUT, '批量请求不支持 Idempotency-Key，请逐个提交带幂等键的操作', {
            header: 'Idempotency-Key',
          }),
        );
      }
      const auth = await deps.authenticate(deps.forkEm(), req.get('authorization'));
      if ('problem' in auth) return next(); // Apollo answers UNAUTHENTICATED
      const scope = auth.viewer ? `${auth.viewer.kind}:${auth.viewer.id}` : `ip:${req.ip ?? 'unknown'}`;
      const secrets = deps.secrets();
      const handle: IdempotencyHandle = {
        id: secrets.mac('idempotency-key', scope, key),
        bodyKey: Buffer.from(secrets.mac('idempotency-body', scope, key), 'hex'),
      };
      const { document, operationName, variables } = parsed[0]!;
      const fingerprint = operationFingerprint(document, operationName, variables);
      const claim = await deps.service.claim(deps.forkEm(), handle, fingerprint);
      if (claim.kind === 'REUSED') return refuse(res, 422, new KaihuError(ErrorCode.IDEMPOTENCY_KEY_REUSED));
      if (claim.kind === 'IN_USE') return refuse(res, 409, new KaihuError(ErrorCode.IDEMPOTENCY_KEY_IN_USE));
      if (claim.kind === 'REPLAY') {
        res.status(claim.status);
        if (claim.contentType) res.setHeader('content-type', claim.contentType);
        res.setHeader(REPLAYED_HEADER, 'true');
        res.end(claim.body);
        return;
      }
      captureResponse(res, async (status, contentType, responseBody) => {
        const em = deps.forkEm();
        try {
          if (status >= 500 || status === 429 || status === 409) await deps.service.release(em, handle);
          else await deps.service.complete(em, handle, { status, contentType, body: responseBody });
        } catch (e) {
          // the key stays IN_FLIGHT until its lease ends; never log the body
          req.log.error({ err: e, status }, 'idempotency: could not store the response');
        }
      });
      next();
    } catch (e) {
      next(e);
    }
  };
}

type Chunk = string | Buffer | Uint8Array;

/**
 * Collects what is written to `res` and, when the response ends, awaits `store` before the last
 * bytes go out: a client that retries at once after the answer always finds the stored response.
 */
function captureResponse(
  res: Response,
  store: (status: number, contentType: string | null, body: Buffer) => Promise<void>,
): void {
  const chunks: Buffer[] = [];
  const grab = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const c = chunk as Chunk;
    chunks.push(
      typeof c === 'string'
        ? Buffer.from(c, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(c),
    );
  };
  const raw = res as unknown as { write: (...args: unknown[]) => boolean; end: (...args: unknown[]) => unknown };
  const write = raw.write.bind(res);
  const end = raw.end.bind(res);
  raw.write = (...args: unknown[]) => {
    grab(args[0], args[1]);
    return write(...args);
  };
  let ended = false;
  raw.end = (...args: unknown[]) => {
    if (ended) return end(...args);
    ended = true;
    grab(args[0], args[1]);
    const contentType = res.getHeader('content-type');
    void store(res.statusCode, typeof contentType === 'string' ? contentType : null, Buffer.concat(chunks)).finally(
      () => end(...args),
    );
    return res;
  };
}
