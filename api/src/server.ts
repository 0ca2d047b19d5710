import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { EntityManager } from '@mikro-orm/postgresql';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, subscribe, type GraphQLFormattedError } from 'graphql';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { RunningClock, systemClock, type Clock } from './common/clock';
import { ErrorCode, defaultMessage } from './common/errors';
import { createLogger, type Logger } from './common/logger';
import { createEventBus, type EventBus } from './common/pubsub';
import type { KaihuConfig } from './config';
import { openDatabase, type Database } from './db/orm';
import { devRoutes } from './demo/dev-routes';
import { seedDemo } from './demo/seed';
import type { KaihuContext } from './graphql/context';
import { translateInputError } from './graphql/errors-zh';
import { fastSubscribe } from './graphql/fast-subscriptions';
import { idempotencyMiddleware } from './graphql/idempotency';
import { clientIpOf, guardWsOperation, httpOperationGuard, rateLimitPlugin } from './graphql/limits';
import { createSchema } from './graphql/schema';
import type { TokenProblem } from './modules/auth';
import type { Viewer } from './modules/auth';
import { SocketSessions, closeCodeFor } from './modules/auth';
import { createDeliveryQueue } from './modules/partners';
import { IdempotencyService } from './modules/platform';
import { RateLimitService } from './modules/platform';
import { Secrets } from './modules/platform';
import { WITNESS_FAST_SUBSCRIPTIONS } from './modules/witness';
import { createPlugins, loadPluginModules } from './plugins/loader';
import { createServices, type Services } from './services';

/** Largest accepted upload (the reference: photos up to 10 MB). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface StartOptions {
  config: KaihuConfig;
  /** Injectable time source; tests pin it. */
  clock?: Clock;
  /** Injectable logger; tests capture its lines. */
  logger?: Logger;
  /** How often open WebSockets' sessions are re-checked (default 15 s). */
  wsAuthCheckMs?: number;
}

export interface KaihuServer {
  /** `http://host:port` */
  url: string;
  port: number;
  httpServer: http.Server;
  config: KaihuConfig;
  db: Database;
  services: Services;
  logger: Logger;
  /** Stops accepting, drains open requests and sockets, closes the database. Idempotent. */
  stop(): Promise<void>;
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Boots Kaihu: database and migrations, plugins, seed data, GraphQL over HTTP and WebSocket. */
export async function startServer(options: StartOptions): Promise<KaihuServer> {
  const { config } = options;
  const clock = options.clock ?? (config.clockStart ? new RunningClock(config.clockStart) : systemClock);
  const logger = options.logger ?? createLogger(config.logLevel);

  const pluginModules = loadPluginModules(config);
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    plugins: pluginModules,
    logger,
  });
  let stopping = false;
  let bus: EventBus | null = null;
  try {
    const plugins = await createPlugins(pluginModules, { db: db.sql, dataDir: config.dataDir, clock, logger, config });
    const forkEm = (): EntityManager => db.orm.em.fork() as EntityManager;
    const secrets = await Secrets.load(forkEm(), config.secret);
    bus = createEventBus(config, logger.child({ component: 'bus' }));
    await bus.ready();
    const services = createServices({ clock, plugins, config, secrets, bus });

    const pack = await plugins.brokers.brokers();
    await services.brokers.syncFromPack(forkEm(), pack);
    const brokers = await services.brokers.list(forkEm());
    for (const b of brokers) {
      const def = pack.find((d) => d.code === b.code);
      if (def) await services.agreements.sync(forkEm(), b.id, def.agreements);
    }
    for (const b of brokers) {
      const assumed = (await services.brokers.holidayYears(forkEm(), b)).filter((y) => y.derived).map((y) => y.year);
      if (assumed.length)
        logger.warn(
          { broker: b.code, years: assumed },
          'the holiday calendar has no entry for these years: closed on their statutory holidays only; add the State Council notice',
        );
    }
    await services.certificates.ensureAuthorities(forkEm(), brokers, logger.child({ component: 'ca' }));
    if (config.demo) await seedDemo(forkEm(), services, logger.child({ component: 'demo' }));
    await services.witness.start(forkEm, logger.child({ component: 'witness' }));
    await services.partners.start(
      forkEm,
      createDeliveryQueue(config, logger.child({ component: 'webhooks' })),
      logger.child({ component: 'partners' }),
    );

    const schema = await createSchema(bus);
    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', config.limits.trustProxy);
    // abuse limits and idempotency keys (api/src/graphql/limits.ts, idempotency.ts)
    const rateLimits = new RateLimitService(clock);
    const idempotency = new IdempotencyService(clock, config.limits.idempotencyTtlHours * 3_600_000);
    const limitDeps = { limits: config.limits, rateLimits };
    const purgeLimits = setInterval(() => {
      void (async () => {
        await idempotency.purge(forkEm());
        await rateLimits.purge(forkEm(), config.limits.rateWindowSeconds);
      })().catch((e: unknown) => logger.warn({ err: e }, 'purging idempotency keys and rate-limit windows failed'));
    }, 15 * 60_000);
    purgeLimits.unref();
    const httpServer = http.createServer(app);
    // Idle keep-alive connections stay open 65 s (Node's default is 5 s): longer than the idle
    // timeout of the usual load balancers (60 s) and of clients that pause between calls (a phone
    // signing agreements), so neither reuses a connection the server is closing (ECONNRESET).
    httpServer.keepAliveTimeout = 65_000;
    httpServer.headersTimeout = 66_000;

    app.use((req: Request, res: Response, next: NextFunction) => {
      const incoming = req.get('x-request-id');
      req.id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      req.log = logger.child({ requestId: req.id });
      res.setHeader('x-request-id', req.id);
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        req.log.info(
          {
            method: req.method,
            path: req.originalUrl.split('?')[0],
            status: res.statusCode,
            ms: Math.round(ms * 10) / 10,
          },
          'request',
        );
      });
      next();
    });

    app.get('/healthz', async (_req, res) => {
      if (stopping) {
        res.status(503).json({ status: 'stopping' });
        return;
      }
      try {
        await db.sql.query('select 1 as ok');
        res.json({ status: 'ok', database: db.kind, events: bus!.transport, plugins: plugins.names });
      } catch (e) {
        logger.error({ err: e }, 'health check failed');
        res.status(503).json({ status: 'error', database: db.kind });
      }
    });

    if (config.demo) app.use('/dev', devRoutes(services, forkEm));

    // Photos and witness recordings behind short-lived signed URLs (the signature names the viewer it was made for).
    type OpenedFile =
      { status: 200; stream: NodeJS.ReadableStream; size: number; contentType: string } | { status: 403 | 404 };
    const signedFile =
      (
        open: (params: Record<string, string>, query: Record<string, unknown>) => Promise<OpenedFile>,
        maxAgeSeconds: number,
        missing: string,
      ): express.RequestHandler =>
      async (req, res, next) => {
        try {
          const file = await open(req.params as Record<string, string>, req.query);
          if (file.status !== 200) {
            res.status(file.status).json({ error: file.status === 403 ? '链接无效或已过期' : missing });
            return;
          }
          res.setHeader('content-type', file.contentType);
          res.setHeader('content-length', String(file.size));
          res.setHeader('cache-control', `private, max-age=${maxAgeSeconds}`);
          res.setHeader('x-content-type-options', 'nosniff');
          file.stream.pipe(res);
        } catch (e) {
          next(e);
        }
      };
    app.get(
      '/files/documents/:id/:variant',
      signedFile(
        (p, q) => services.documents.open(forkEm(), { id: p.id!, variant: p.variant!, ...q }),
        600,
        '文件不存在',
      ),
    );
    app.get(
      '/files/recordings/:id',
      signedFile((p, q) => services.witness.openRecording(forkEm(), { id: p.id!, ...q }), 1800, '录像不存在'),
    );

    // graphql-ws on the same port and path as HTTP; the token comes in connectionParams.authorization.
    const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
    const socketSessions = new SocketSessions(services.auth, forkEm, logger, options.wsAuthCheckMs ?? 15_000);
    socketSessions.start();
    services.sessionsClosed = (sessionId) => socketSessions.revoke(sessionId);
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

    mountPortal(app, async () => {
      if (config.portalBroker) return config.portalBroker;
      const [first] = await services.brokers.list(forkEm());
      return first?.code ?? null;
    });

    app.use((err: Error & { status?: number; expose?: boolean }, req: Request, res: Response, _next: NextFunction) => {
      void _next;
      const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
      if (status >= 500) req.log.error({ err }, 'request failed');
      res.status(status).json({ error: status >= 500 ? defaultMessage(ErrorCode.INTERNAL_SERVER_ERROR) : err.message });
    });

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    const port = (httpServer.address() as AddressInfo).port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info(
      { url, database: db.kind, events: bus.transport, demo: config.demo, plugins: plugins.names },
      'Kaihu is listening',
    );

    let stopped: Promise<void> | null = null;
    return {
      url,
      port,
      httpServer,
      config,
      db,
      services,
      logger,
      stop() {
        stopped ??= (async () => {
          stopping = true;
          logger.info('shutting down: draining connections');
          socketSessions.stop();
          clearInterval(purgeLimits);
          await apollo.stop();
          await services.witness.stop();
          await services.partners.stop();
          await new Promise<void>((resolve) => wsServer.close(() => resolve()));
          await bus!.close();
          await db.close();
          logger.info('stopped');
        })();
        return stopped;
      },
    };
  } catch (e) {
    await bus?.close().catch(() => {});
    await db.close().catch(() => {});
    throw e;
  }
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

/**
 * The Angular app (customer portal at `/`, staff console at `/agent`) when it is built; until then
 * a small page pointing at the API. `/portal-config.json` tells the portal whose portal it is.
 */
function mountPortal(app: express.Express, portalBroker: () => Promise<string | null>): void {
  app.get('/portal-config.json', (_req, res, next) => {
    portalBroker()
      .then((brokerCode) => res.set('Cache-Control', 'no-cache').json({ brokerCode }))
      .catch(next);
  });
  const dist = path.resolve(__dirname, '../../web-angular/dist/browser');
  if (fs.existsSync(path.join(dist, 'index.html'))) {
    // the app's files gzip-compressed on the wire; the hashed ones (main-XXXXXXXX.js) never change
    app.use(
      compression(),
      express.static(dist, {
        index: false,
        maxAge: '1h',
        setHeaders: (res, file) => {
          if (/-[A-Z0-9]{8}\.(js|css)$/.test(file))
            res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        },
      }),
    );
    app.get(/^\/(?!graphql|healthz|dev\/|files\/).*/, (_req, res) =>
      res.set('Cache-Control', 'no-cache').sendFile(path.join(dist, 'index.html')),
    );
    return;
  }
  app.get('/', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>开户云 Kaihu</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.6">
<h1>开户云 Kaihu</h1><p>期货互联网开户云 API 已启动。客户门户尚未构建（web-angular）。</p>
<ul><li><a href="/graphql">GraphQL 接口与调试台 /graphql</a></li><li><a href="/healthz">健康检查 /healthz</a></li></ul>
</body></html>`);
  });
}
