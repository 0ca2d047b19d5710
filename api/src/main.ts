import 'reflect-metadata';
import { ConfigError, loadConfig, type KaihuConfig } from './config';
import { createLogger } from './common/logger';
import { DataDirInUseError } from './db/lock';
import { startServer } from './server';

/** `node dist/main.js`: reads the environment, starts Kaihu, stops cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: KaihuConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer({ config, logger });
  } catch (e) {
    if (e instanceof DataDirInUseError) {
      process.stderr.write(`Kaihu cannot start: ${e.message}\n`);
    } else {
      logger.fatal({ err: e }, 'Kaihu failed to start');
    }
    process.exit(1);
  }
  if (config.demo) {
    logger.info(
      `demo mode: portal ${server.url}/ — GraphQL ${server.url}/graphql — SMS outbox ${server.url}/dev/outbox`,
    );
  }
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'signal received');
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

void main();
