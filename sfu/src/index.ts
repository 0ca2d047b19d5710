/**
 * `@kaihu/sfu` — Kaihu's media server side of the video witness: a pool of mediasoup workers with
 * one router per call, placed on the least-loaded worker ({@link createWorkerPool}); rooms with
 * recording and snapshots ({@link LocalRooms}); the SFU as its own service ({@link startSfuServer},
 * `node sfu/dist/main.js`) and its client ({@link RemoteRooms}).
 *
 * The mediasoup worker is built by `sfu/scripts/build-worker.sh` (`npm run setup:sfu`) into a cache
 * directory outside the clone; {@link resolveWorkerBin} finds it (or `KAIHU_MEDIASOUP_WORKER_BIN`).
 * mediasoup's types come with `import type { types } from 'mediasoup'` (a runtime import of
 * `types` throws).
 */
export { DEFAULT_MEDIA_CODECS } from './codecs';
export { createWorkerPool } from './pool';
export { LocalRooms, MediaError } from './rooms';
export type {
  ConsumerInfo,
  LocalRoomsOptions,
  MediaEvent,
  MediaRooms,
  Party,
  ProducerInfo,
  RecordingInfo,
  RoomStats,
  TransportInfo,
} from './rooms';
export { RemoteRooms } from './remote';
export { startSfuServer } from './server';
export type { SfuServer, SfuServerOptions } from './server';
export { SFU_NODES_TABLE } from './protocol';
export { SFU_NODE_STALE_SECONDS, SfuNodeRegistry, type SfuNodeInfo, type SqlQuery } from './registry';
export { SessionRecorder, probeMedia } from './recorder';
export type { RecordTrack, RecordedStream, RecorderOptions, RecordingResult } from './recorder';
export { SnapshotTimeoutError, captureSnapshot } from './snapshot';
export type { SnapshotOptions } from './snapshot';
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
