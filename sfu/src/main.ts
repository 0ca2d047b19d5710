#!/usr/bin/env node
/**
 * `node sfu/dist/main.js` (`npm run sfu`): the SFU as its own service for scale-out. Registers in
 * PostgreSQL (`DATABASE_URL`, the API's database, whose migrations create `sfu_nodes`); API nodes
 * started with `KAIHU_SFU=remote` and the same `KAIHU_SFU_SECRET` send new witness sessions to the
 * registered node with the most free capacity.
 *
 * Environment: KAIHU_SFU_PORT (default 4443), KAIHU_SFU_HOST (127.0.0.1), KAIHU_SFU_SECRET
 * (required), DATABASE_URL (required), KAIHU_SFU_PUBLIC_URL (default ws://<host>:<port>),
 * KAIHU_SFU_NODE_ID, KAIHU_SFU_CAPACITY (default 100 per worker), KAIHU_SFU_WORKERS (one per core),
 * KAIHU_SFU_LISTEN_IP (127.0.0.1), KAIHU_SFU_ANNOUNCED_ADDRESS, KAIHU_SFU_RECORDING_DIR
 * (./data/sfu-recordings).
 */
import path from 'node:path';

import { startSfuServer } from './server';

function int(name: string, fallback: number | undefined): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) {
    process.stderr.write(`${name} must be a whole number, got "${v}"\n`);
    process.exit(1);
  }
  return Number(v);
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`${name} is required\n`);
    process.exit(1);
  }
  return v;
}

const line = (level: string) => (obj: object, msg?: string) => {
  const o = { ...obj } as Record<string, unknown>;
  if (o.err instanceof Error) o.err = { message: o.err.message, stack: o.err.stack };
  process.stdout.write(JSON.stringify({ level, time: Date.now(), name: 'kaihu-sfu', msg, ...o }) + '\n');
};
const logger = { info: line('info'), warn: line('warn'), error: line('error') };

async function main(): Promise<void> {
  const workers = int('KAIHU_SFU_WORKERS', undefined);
  const server = await startSfuServer({
    port: int('KAIHU_SFU_PORT', 4443)!,
    host: process.env.KAIHU_SFU_HOST || '127.0.0.1',
    secret: required('KAIHU_SFU_SECRET'),
    databaseUrl: required('DATABASE_URL'),
    publicUrl: process.env.KAIHU_SFU_PUBLIC_URL || undefined,
    nodeId: process.env.KAIHU_SFU_NODE_ID || undefined,
    capacity: int('KAIHU_SFU_CAPACITY', undefined),
    pool: workers ? { workers } : {},
    listenIp: process.env.KAIHU_SFU_LISTEN_IP || '127.0.0.1',
    announcedAddress: process.env.KAIHU_SFU_ANNOUNCED_ADDRESS || null,
    recordingDir: path.resolve(process.env.KAIHU_SFU_RECORDING_DIR || 'data/sfu-recordings'),
    logger,
  });
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`kaihu-sfu: ${(e as Error).message}\n`);
  process.exit(1);
});
