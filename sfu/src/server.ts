import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';

import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

import type { PoolLogger } from './pool';
import { RPC_METHODS, type RpcRequest } from './protocol';
import { SfuNodeRegistry } from './registry';
import { LocalRooms, MediaError, type LocalRoomsOptions, type MediaEvent } from './rooms';

/**
 * The SFU as its own service (scale-out): {@link LocalRooms} on this machine's workers, offered to
 * API nodes over a WebSocket (see `protocol.ts`), registered in PostgreSQL's `sfu_nodes` with its
 * URL and capacity and a heartbeat every few seconds, so API nodes send each new witness session
 * to the node with the most free capacity. Started by `node sfu/dist/main.js`.
 */
export interface SfuServerOptions extends LocalRoomsOptions {
  /** The port to listen on (0: any free port). */
  port: number;
  /** The address to listen on; default 127.0.0.1. */
  host?: string;
  /** The shared secret API nodes present. */
  secret: string;
  /** PostgreSQL to register in; none: not registered (tests that connect directly). */
  databaseUrl?: string | null;
  /** This node's id in `sfu_nodes`; default the host name and port. */
  nodeId?: string;
  /** The URL API nodes reach this service at; default `ws://<host>:<port>`. */
  publicUrl?: string;
  /** How many sessions this node takes; default 100 per worker. */
  capacity?: number;
  heartbeatMs?: number;
  logger?: PoolLogger;
}

export interface SfuServer {
  url: string;
  nodeId: string;
  rooms: LocalRooms;
  close(): Promise<void>;
}

const toJson = (value: unknown): unknown => {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if ('jpeg' in o && Buffer.isBuffer(o.jpeg)) return { ...o, jpeg: o.jpeg.toString('base64') };
  }
  return value;
};

export async function startSfuServer(options: SfuServerOptions): Promise<SfuServer> {
  const { secret, logger } = options;
  const rooms = new LocalRooms(options);
  const expected = Buffer.from(`Bearer ${secret}`);
  const authorised = (header: string | undefined) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sfu');
    if (url.pathname === '/healthz') {
      void rooms.stats().then((s) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', rooms: s.rooms, transports: s.transports, workers: s.workers.length }));
      });
      return;
    }
    if (!authorised(req.headers.authorization)) {
      res.writeHead(401).end();
      return;
    }
    const m = /^\/recordings\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      rooms.readRecording(decodeURIComponent(m[1])).then(
        (stream) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          stream.pipe(res);
        },
        () => res.writeHead(404).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://sfu').pathname !== '/rooms' || !authorised(req.headers.authorization)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const broadcast = (e: MediaEvent) => {
    const data = JSON.stringify({ event: e });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  };
  rooms.on('event', broadcast);
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      let req: RpcRequest;
      try {
        req = JSON.parse(String(data)) as RpcRequest;
      } catch {
        return;
      }
      const reply = (msg: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ id: req.id, ...msg }));
      if (!RPC_METHODS.includes(req.method) || !Array.isArray(req.params)) {
        reply({ error: { code: 'BAD_INPUT', message: `unknown method ${String(req.method)}` } });
        return;
      }
      const fn = rooms[req.method] as (...args: unknown[]) => Promise<unknown>;
      fn.apply(rooms, req.params).then(
        (result) => reply({ result: toJson(result) ?? null }),
        (e: unknown) => {
          if (!(e instanceof MediaError)) logger?.error({ err: e, method: req.method }, 'sfu: request failed');
          reply({
            error:
              e instanceof MediaError
                ? { code: e.code, message: e.message }
                : { code: 'UNAVAILABLE', message: `视频服务出错：${(e as Error).message}` },
          });
        },
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url =
    options.publicUrl ?? `ws://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`;
  const nodeId = options.nodeId ?? `${os.hostname()}:${port}`;
  const workers = options.pool?.workers ?? os.availableParallelism();
  const capacity = options.capacity ?? workers * 100;

  let db: pg.Pool | null = null;
  let registry: SfuNodeRegistry | null = null;
  let timer: NodeJS.Timeout | null = null;
  if (options.databaseUrl) {
    db = new pg.Pool({ connectionString: options.databaseUrl, max: 2, application_name: 'kaihu-sfu' });
    const pool = db;
    registry = new SfuNodeRegistry({ query: async (sql, params) => (await pool.query(sql, params as unknown[])).rows });
    const beat = async () => registry!.beat({ id: nodeId, url, capacity, rooms: (await rooms.stats()).rooms, workers });
    await beat();
    timer = setInterval(
      () => beat().catch((err: unknown) => logger?.warn({ err }, 'sfu: heartbeat failed')),
      options.heartbeatMs ?? 5000,
    );
    timer.unref();
  }
  logger?.info({ url, nodeId, capacity, workers }, 'sfu: listening');

  return {
    url,
    nodeId,
    rooms,
    async close() {
      if (timer) clearInterval(timer);
      if (db) {
        await registry?.leave(nodeId).catch(() => undefined);
        await db.end();
      }
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rooms.shutdown();
    },
  };
}
