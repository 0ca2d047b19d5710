#!/usr/bin/env node
// Prints the SQL a new migration needs: applies every existing migration to a scratch PostgreSQL
// database, then diffs it against the entities. Usage: `npm run migration:diff` (builds first).
require('reflect-metadata');
const { Client } = require('pg');
const { openDatabase } = require('../dist/db/orm.js');
const { loadPluginModules } = require('../dist/plugins/loader.js');
const { loadConfig } = require('../dist/config.js');
const { createLogger } = require('../dist/common/logger.js');

(async () => {
  const admin = process.env.KAIHU_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `kaihu_diff_${process.pid}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let db;
  try {
    const config = loadConfig({});
    db = await openDatabase({
      databaseUrl: url.toString(),
      dataDir: '/tmp',
      plugins: loadPluginModules(config),
      logger: createLogger('warn'),
    });
    const sql = await db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: false });
    console.log(sql.trim() || '-- entities and migrations agree: nothing to migrate');
  } finally {
    await db?.close();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
