/**
 * The first stages of a start: the database (migrations applied), the plugins, the secrets, the
 * event bus and the services (stage 1); the brokers' data from their pack, certificate
 * authorities and demo data (stage 2); the background work of this node (stage 3).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { RunningClock, systemClock, type Clock } from '../common/clock';
import { createLogger, type Logger } from '../common/logger';
import { createEventBus, type EventBus } from '../common/pubsub';
import type { KaihuConfig } from '../config';
import { openDatabase, type Database } from '../db/orm';
import { seedDemo } from '../demo/seed';
import { createDeliveryQueue } from '../modules/partners';
import { IdempotencyService, RateLimitService, Secrets } from '../modules/platform';
import { createPlugins, loadPluginModules, type Plugins } from '../plugins/loader';
import { createServices, type Services } from '../services';

export interface Core {
  config: KaihuConfig;
  clock: Clock;
  logger: Logger;
  db: Database;
  plugins: Plugins;
  bus: EventBus;
  services: Services;
  forkEm: () => EntityManager;
  rateLimits: RateLimitService;
  idempotency: IdempotencyService;
  /** Closes what stage 1 opened (the bus, then the database). */
  close(): Promise<void>;
}

/** Stage 1: database and migrations, plugins, secrets, the event bus, the services. */
export async function openCore(options: { config: KaihuConfig; clock?: Clock; logger?: Logger }): Promise<Core> {
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
  let bus: EventBus | null = null;
  try {
    const plugins = await createPlugins(pluginModules, { db: db.sql, dataDir: config.dataDir, clock, logger, config });
    const forkEm = (): EntityManager => db.orm.em.fork() as EntityManager;
    const secrets = await Secrets.load(forkEm(), config.secret);
    bus = createEventBus(config, logger.child({ component: 'bus' }));
    await bus.ready();
    const services = createServices({ clock, plugins, config, secrets, bus, sql: db.sql });
    const opened = bus;
    return {
      config,
      clock,
      logger,
      db,
      plugins,
      bus,
      services,
      forkEm,
      rateLimits: new RateLimitService(clock),
      idempotency: new IdempotencyService(clock, config.limits.idempotencyTtlHours * 3_600_000),
      async close() {
        await opened.close().catch(() => {});
        await db.close().catch(() => {});
      },
    };
  } catch (e) {
    await bus?.close().catch(() => {});
    await db.close().catch(() => {});
    throw e;
  }
}

/** Stage 2: brokers, branches, hours and agreements from the broker pack; CAs; the demo's data. */
export async function prepareData({ config, logger, plugins, services, forkEm }: Core): Promise<void> {
  const pack = await plugins.brokers.brokers();
  await services.brokers.syncFromPack(forkEm(), pack);
  const brokers = await services.brokers.list(forkEm());
  for (const b of brokers) {
    const def = pack.find((d) => d.code === b.code);
    if (def) await services.agreements.sync(forkEm(), b.id, def.agreements);
    const assumed = (await services.brokers.holidayYears(forkEm(), b)).filter((y) => y.derived).map((y) => y.year);
    if (assumed.length)
      logger.warn(
        { broker: b.code, years: assumed },
        'the holiday calendar has no entry for these years: closed on their statutory holidays only; add the State Council notice',
      );
  }
  await services.opening.sync(forkEm(), pack);
  await services.certificates.ensureAuthorities(forkEm(), brokers, logger.child({ component: 'ca' }));
  if (config.demo) await seedDemo(forkEm(), services, logger.child({ component: 'demo' }));
}

/** Stage 3: this node's witness queue board and sweeps, partner deliveries, purges. Returns its stop. */
export async function startBackground(core: Core): Promise<() => Promise<void>> {
  const { config, logger, services, forkEm, idempotency, rateLimits } = core;
  await services.witness.start(forkEm, logger.child({ component: 'witness' }));
  await services.partners.start(
    forkEm,
    createDeliveryQueue(config, logger.child({ component: 'webhooks' })),
    logger.child({ component: 'partners' }),
  );
  services.opening.start(forkEm, logger.child({ component: 'opening' }));
  const purge = setInterval(() => {
    void (async () => {
      await idempotency.purge(forkEm());
      await rateLimits.purge(forkEm(), config.limits.rateWindowSeconds);
    })().catch((e: unknown) => logger.warn({ err: e }, 'purging idempotency keys and rate-limit windows failed'));
  }, 15 * 60_000);
  purge.unref();
  return async () => {
    clearInterval(purge);
    await services.opening.stop();
    await services.witness.stop();
    await services.partners.stop();
  };
}
