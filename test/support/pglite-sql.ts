/**
 * Test support for the plugins' own tests: an in-memory PGlite database behind a
 * {@link SqlClient}, with a plugin's migrations applied. Lives outside the packages, so it is in
 * no build and no plugin depends on another.
 *
 * PGlite runs in a worker thread rather than in the test's own module registry: its Emscripten
 * glue calls `import()` while starting, which Jest's CommonJS sandbox refuses unless Node runs
 * with `--experimental-vm-modules`. In a worker it is plain Node, so `npx jest` works as is.
 * Rows cross the thread boundary by structured clone, which keeps what PGlite parsed (Dates,
 * arrays, JSON objects) intact.
 */
import { Worker } from 'node:worker_threads';

import type { PluginMigration, SqlClient } from '@kaihu/plugin-api';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const pg = new PGlite();
parentPort.on('message', async ({ id, op, sql, params }) => {
  try {
    if (op === 'close') {
      await pg.close();
      parentPort.postMessage({ id });
    } else if (op === 'exec') {
      await pg.exec(sql);
      parentPort.postMessage({ id });
    } else {
      parentPort.postMessage({ id, rows: (await pg.query(sql, params)).rows });
    }
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

interface Reply {
  id: number;
  rows?: Record<string, unknown>[];
  error?: { message: string; code?: string };
}

export interface TestDatabase {
  /** The client a plugin receives as `ctx.db`. */
  db: SqlClient;
  /** Runs one or more statements without parameters (DDL, TRUNCATE). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts an empty in-memory PGlite and applies `migrations` in order, each with `exec`. */
export async function openTestDatabase(migrations: readonly PluginMigration[]): Promise<TestDatabase> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pglitePath: require.resolve('@electric-sql/pglite') },
  });
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  worker.on('message', (reply: Reply) => {
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
  });
  worker.on('error', (err) => {
    for (const call of pending.values()) call.reject(err);
    pending.clear();
  });

  const call = async (op: 'query' | 'exec' | 'close', sql = '', params: readonly unknown[] = []) => {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, sql, params });
    });
    if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.rows ?? [];
  };

  const database: TestDatabase = {
    db: {
      query: async <T extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) =>
        (await call('query', sql, params)) as T[],
    },
    exec: async (sql) => {
      await call('exec', sql);
    },
    close: async () => {
      await call('close');
      await worker.terminate();
    },
  };
  for (const migration of migrations) await database.exec(migration.up);
  return database;
}
