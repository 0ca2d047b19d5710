import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Migration, Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import type { KaihuPlugin, SqlClient } from '@kaihu/plugin-api';
import { PGliteDriver } from 'mikro-orm-pglite';
import type { Logger } from '../common/logger';
import { ENTITIES } from './entities';
import { lockDataDir } from './lock';
import { CORE_MIGRATIONS } from './migrations';

/** PostgreSQL's type OID of `date`. */
const DATE_OID = 1082;

export interface Database {
  orm: MikroORM;
  kind: 'postgresql' | 'pglite';
  /** SQL access for plugins (`$1` placeholders). */
  sql: SqlClient;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  plugins: KaihuPlugin[];
  logger: Logger;
  /** Print SQL at debug level. */
  debug?: boolean;
}

/** Wraps a plugin's SQL migration as a MikroORM migration named `plugin_<plugin>_<id>`. */
function pluginMigrations(plugins: KaihuPlugin[]): MigrationObject[] {
  return plugins.flatMap((plugin) =>
    [...(plugin.migrations ?? [])]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((m) => {
        const up = m.up;
        class PluginMigration extends Migration {
          override async up(): Promise<void> {
            await this.execute(up);
          }
        }
        return { name: `plugin_${plugin.name.replace(/[^a-z0-9]+/gi, '_')}_${m.id}`, class: PluginMigration };
      }),
  );
}

/** Turns `$1`-style SQL into the ORM connection's `?` bindings, in the order the SQL uses them. */
export function toKnexBindings(sql: string, params: readonly unknown[]): { sql: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  const out = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length)
      throw new Error(`SQL uses $${n} but only ${params.length} parameter(s) were given`);
    bindings.push(params[i]);
    return '?';
  });
  return { sql: out, bindings };
}

/**
 * Opens the database: PostgreSQL when `databaseUrl` is set, otherwise embedded PGlite in
 * `<dataDir>/pglite` under an exclusive lock. Applies pending migrations (core, then plugins').
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const log = options.logger.child({ component: 'db' });
  const common: Options = {
    entities: ENTITIES,
    extensions: [Migrator],
    discovery: { requireEntitiesArray: true },
    debug: options.debug ?? false,
    logger: (msg) => log.debug(msg),
    allowGlobalContext: false,
    forceUtcTimezone: true,
    migrations: {
      tableName: 'kaihu_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      migrationsList: [...CORE_MIGRATIONS, ...pluginMigrations(options.plugins)],
    },
  };

  let orm: MikroORM;
  let kind: Database['kind'];
  let release = () => {};
  let pglite: PGlite | null = null;
  if (options.databaseUrl) {
    kind = 'postgresql';
    orm = await MikroORM.init({ ...common, clientUrl: options.databaseUrl, pool: { min: 1, max: 10 } });
  } else {
    kind = 'pglite';
    release = lockDataDir(options.dataDir);
    try {
      const dir = path.join(options.dataDir, 'pglite');
      // `date` columns as 'YYYY-MM-DD' strings, as MikroORM's PostgreSQL driver returns them
      // (PGlite's default would turn them into Date objects at UTC midnight).
      pglite = await PGlite.create(dir, { parsers: { [DATE_OID]: (v: string) => v } });
      const instance = pglite;
      orm = (await MikroORM.init({
        ...common,
        driver: PGliteDriver as never,
        dbName: 'postgres',
        driverOptions: { connection: { pglite: () => instance } },
      })) as MikroORM;
    } catch (e) {
      await pglite?.close().catch(() => {});
      release();
      throw e;
    }
  }

  try {
    const applied = await orm.getMigrator().up();
    if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  } catch (e) {
    await orm.close(true);
    await pglite?.close().catch(() => {});
    release();
    throw e;
  }

  const connection = orm.em.getConnection();
  const sql: SqlClient = {
    async query(text, params = []) {
      const { sql: q, bindings } = toKnexBindings(text, params);
      return (await connection.execute(q, bindings as never[], 'all')) as never;
    },
  };

  return {
    orm,
    kind,
    sql,
    async close() {
      await orm.close(true);
      if (pglite && !pglite.closed) await pglite.close();
      release();
    },
  };
}
