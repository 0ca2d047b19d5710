/**
 * `@kaihu/sfu` — Kaihu's media server side of the video witness: a pool of mediasoup workers with
 * one router per call, placed on the least-loaded worker ({@link createWorkerPool}).
 *
 * The mediasoup worker is built by `sfu/scripts/build-worker.sh` (`npm run setup:sfu`) into a cache
 * directory outside the clone; {@link resolveWorkerBin} finds it (or `KAIHU_MEDIASOUP_WORKER_BIN`).
 * mediasoup's types come with `import type { types } from 'mediasoup'` (a runtime import of
 * `types` throws).
 */
export { DEFAULT_MEDIA_CODECS } from './codecs';
export { createWorkerPool } from './pool';
export type { PoolLogger, WorkerPool, WorkerPoolEvents, WorkerPoolOptions, WorkerStats } from './pool';
export {
  BUILD_SCRIPT_PATH,
  BUILD_WORKER_COMMAND,
  WorkerBinaryMissingError,
  buildScriptHash,
  defaultWorkerBin,
  resolveWorkerBin,
} from './worker-bin';
export type { types as mediasoupTypes } from 'mediasoup';
