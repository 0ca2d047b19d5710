import 'reflect-metadata';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from './common/clock';
import type { Logger } from './common/logger';
import type { KaihuConfig } from './config';
import type { Database } from './db/orm';
import { openCore, prepareData, startBackground } from './server/core';
import { mountGraphql } from './server/graphql';
import { createHttp, mountAppAndErrors } from './server/http';
import type { Services } from './services';

export { MAX_UPLOAD_BYTES, formatGraphQLError } from './server/graphql';

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

/**
 * Boots Kaihu, one named stage after the other: the core (database and migrations, plugins, bus,
 * services), the brokers' data, this node's background work, HTTP routes, GraphQL over HTTP and
 * WebSocket, the Angular app, then listening.
 */
export async function startServer(options: StartOptions): Promise<KaihuServer> {
  const core = await openCore(options);
  const { config, logger, db, bus, plugins, services } = core;
  const stops: (() => Promise<void>)[] = [];
  try {
    await prepareData(core);
    stops.unshift(await startBackground(core));
    const web = createHttp(core);
    stops.unshift(await mountGraphql(core, web, { wsAuthCheckMs: options.wsAuthCheckMs }));
    mountAppAndErrors(core, web.app);
    await new Promise<void>((resolve, reject) => {
      web.server.once('error', reject);
      web.server.listen(config.port, config.host, () => resolve());
    });
    const port = (web.server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info(
      { url, database: db.kind, events: bus.transport, demo: config.demo, plugins: plugins.names },
      'Kaihu is listening',
    );
    let stopped: Promise<void> | null = null;
    return {
      url,
      port,
      httpServer: web.server,
      config,
      db,
      services,
      logger,
      stop() {
        stopped ??= (async () => {
          web.stopping.value = true;
          logger.info('shutting down: draining connections');
          // GraphQL first (drains HTTP and closes the sockets), then the background work, then the core
          for (const stop of stops) await stop();
          await core.close();
          logger.info('stopped');
        })();
        return stopped;
      },
    };
  } catch (e) {
    for (const stop of stops) await stop().catch(() => {});
    await core.close();
    throw e;
  }
}
