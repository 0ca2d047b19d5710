/**
 * Stage 5 of a start: GraphQL over HTTP (Apollo, with uploads, limits and idempotency keys) and
 * over WebSocket (graphql-ws on the same port and path), both with the same viewer and guards.
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, subscribe, type GraphQLFormattedError } from 'graphql';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, defaultMessage } from '../common/errors';
import type { Logger } from '../common/logger';
import type { KaihuContext } from '../graphql/context';
import { translateInputError } from '../graphql/errors-zh';
import { fastSubscribe } from '../graphql/fast-subscriptions';
import { idempotencyMiddleware } from '../graphql/idempotency';
import { clientIpOf, guardWsOperation, httpOperationGuard, rateLimitPlugin } from '../graphql/limits';
import { createSchema } from '../graphql/schema';
import { SocketSessions, closeCodeFor, type TokenProblem, type Viewer } from '../modules/auth';
import { WITNESS_FAST_SUBSCRIPTIONS } from '../modules/witness/module';
import type { Core } from './core';
import type { HttpStage } from './http';

/** Largest accepted upload (the reference: photos up to 10 MB). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Mounts `/graphql` (HTTP and WebSocket); returns its stop (drain, close the sockets). */
export async function mountGraphql(
  core: Core,
  { app, server: httpServer }: HttpStage,
  options: { wsAuthCheckMs?: number } = {},
): Promise<() => Promise<void>> {
  const { config, logger, services, clock, bus, forkEm, idempotency, rateLimits } = core;
  const schema = await createSchema(bus);
  const limitDeps = { limits: config.limits, rateLimits };

  // graphql-ws on the same port and path as HTTP; the token comes in connectionParams.authorization.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const socketSessions = new SocketSessions(services.auth, forkEm, logger, options.wsAuthCheckMs ?? 15_000, bus);
  socketSessions.start();
  const fastQueue = fastSubscribe(WITNESS_FAST_SUBSCRIPTIONS, (c) => (c as KaihuContext).ws);
  const wsCleanup = useServer<{ authorization?: unknown }, { viewer?: Viewer | null }>(
    {
      schema,
      onConnect: async (ctx) => {
        const authorization =
          typeof ctx.connectionParams?.authorization === 'string' ? ctx.connectionParams.authorization : null;
        const auth = await services.auth.authenticate(forkEm(), authorization);
        if ('problem' in auth) {
          const { code, reason } = closeCodeFor(auth.problem);
          ctx.extra.socket.close(code, reason);
          return false;
        }
        ctx.extra.viewer = auth.viewer;
        if (auth.viewer) socketSessions.add(ctx.extra.socket, auth.viewer);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const sessionId = ctx.extra.viewer?.sessionId;
        const problem = sessionId ? await services.auth.sessionStillValid(forkEm(), sessionId) : null;
        if (problem) {
          const { code, reason } = closeCodeFor(problem);
          ctx.extra.socket.close(code, reason);
        }
        // depth, complexity, introspection (KAIHU_INTROSPECTION) and rate limits, as over HTTP
        const clientIp = clientIpOf(
          ctx.extra.request,
          app.get('trust proxy fn') as (addr: string, i: number) => boolean,
        );
        return guardWsOperation(
          { ...limitDeps, schema, introspection: config.introspection },
          forkEm,
          ctx.extra.viewer ?? null,
          clientIp,
          payload,
        );
      },
      // the witness queue's positions skip per-event execution when they can (fast-subscriptions.ts)
      subscribe: (args) => fastQueue(args) ?? subscribe(args),
      context: (ctx, id): KaihuContext => {
        const requestId = randomUUID();
        const socket = ctx.extra.socket;
        const ws = {
          id,
          send: (m: string) =>
            socket.readyState === socket.OPEN && socket.send(m, { binary: false, compress: false, fin: true }),
        };
        const clientIp = clientIpOf(
          ctx.extra.request,
          app.get('trust proxy fn') as (addr: string, i: number) => boolean,
        );
        return {
          em: forkEm(),
          services,
          clock,
          log: logger.child({ requestId, transport: 'ws' }),
          requestId,
          viewer: ctx.extra.viewer ?? null,
          clientIp,
          ws,
        };
      },
    },
    wsServer,
  );

  const drainWs: ApolloServerPlugin<KaihuContext> = {
    async serverWillStart() {
      return {
        async drainServer() {
          await wsCleanup.dispose();
        },
      };
    },
  };

  const apollo = new ApolloServer<KaihuContext>({
    schema,
    introspection: config.introspection,
    // main.ts handles SIGTERM/SIGINT (drain, close the database, exit 0); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      drainWs,
      rateLimitPlugin(limitDeps),
    ],
    allowBatchedHttpRequests: config.limits.maxBatch > 0,
    formatError: (formatted: GraphQLFormattedError, error: unknown) => formatGraphQLError(formatted, error, logger),
  });
  await apollo.start();

  app.use(
    '/graphql',
    graphqlUploadExpress({ maxFileSize: MAX_UPLOAD_BYTES, maxFiles: 4 }),
    express.json({ limit: '1mb' }),
    httpOperationGuard(schema, config.limits),
    idempotencyMiddleware({
      service: idempotency,
      secrets: () => services.secrets,
      authenticate: (em, header) => services.auth.authenticate(em, header),
      forkEm,
      logger,
    }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<KaihuContext> => {
        const em = forkEm();
        const auth = await services.auth.authenticate(em, req.get('authorization'));
        if ('problem' in auth) throw unauthenticated(auth.problem);
        return {
          em,
          services,
          clock,
          log: req.log,
          requestId: req.id,
          viewer: auth.viewer,
          clientIp: req.ip ?? null,
        };
      },
    }),
  );

  return async () => {
    socketSessions.stop();
    await apollo.stop();
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  };
}

/**
 * Errors: codes of ours and GraphQL's own pass as they are; anything unexpected is logged and
 * reaches the client only as INTERNAL_SERVER_ERROR with a Chinese message (no stack, no SQL).
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    void _drop;
    return translateInputError({ ...formatted, extensions });
  }
  logger.error(
    { err: (error as { originalError?: unknown })?.originalError ?? error, path: formatted.path },
    'unexpected resolver error',
  );
  return {
    message: defaultMessage(ErrorCode.INTERNAL_SERVER_ERROR),
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

const TOKEN_MESSAGES: Record<TokenProblem, string> = {
  INVALID: '登录凭证无效，请重新登录',
  EXPIRED: '登录已超时，请重新登录',
  REVOKED: '登录已失效（已退出或已被撤销），请重新登录',
};

function unauthenticated(problem: TokenProblem): GraphQLError {
  return new GraphQLError(TOKEN_MESSAGES[problem], {
    extensions: { code: ErrorCode.UNAUTHENTICATED, reason: problem, http: { status: 401 } },
  });
}
