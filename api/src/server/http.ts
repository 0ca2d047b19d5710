/**
 * The HTTP side of the server that is not GraphQL: request ids and logs, `/healthz`, the demo's
 * `/dev` pages, signed file URLs (photos, witness recordings), the Angular app, and the last-resort
 * error handler.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ErrorCode, defaultMessage } from '../common/errors';
import type { Logger } from '../common/logger';
import { devRoutes } from '../demo/dev-routes';
import type { Core } from './core';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface HttpStage {
  app: express.Express;
  server: http.Server;
  /** true once stopping: `/healthz` answers 503 so load balancers stop sending */
  stopping: { value: boolean };
}

/** Express with the routes that come before GraphQL, on an http.Server that is not listening yet. */
export function createHttp(core: Core): HttpStage {
  const { config, logger, db, bus, plugins, services, forkEm } = core;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.limits.trustProxy);
  const server = http.createServer(app);
  // Idle keep-alive connections stay open 65 s (Node's default is 5 s): longer than the idle
  // timeout of the usual load balancers (60 s) and of clients that pause between calls (a phone
  // signing agreements), so neither reuses a connection the server is closing (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const stopping = { value: false };

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
    if (stopping.value) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    try {
      await db.sql.query('select 1 as ok');
      res.json({ status: 'ok', database: db.kind, events: bus.transport, plugins: plugins.names });
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
    signedFile((p, q) => services.witness.recordings.openRecording(forkEm(), { id: p.id!, ...q }), 1800, '录像不存在'),
  );

  return { app, server, stopping };
}

/** The Angular app and, after everything else, the error handler. */
export function mountAppAndErrors(core: Core, app: express.Express): void {
  mountPortal(app, async () => {
    if (core.config.portalBroker) return core.config.portalBroker;
    const [first] = await core.services.brokers.list(core.forkEm());
    return first?.code ?? null;
  });
  app.use((err: Error & { status?: number; expose?: boolean }, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    res.status(status).json({ error: status >= 500 ? defaultMessage(ErrorCode.INTERNAL_SERVER_ERROR) : err.message });
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
  const dist = path.resolve(__dirname, '../../../web-angular/dist/browser');
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
