/**
 * Where the mediasoup worker binary is.
 *
 * mediasoup's npm package cannot fetch its prebuilt worker on Kaihu's networks, so Kaihu builds
 * the worker itself with `sfu/scripts/build-worker.sh` (`npm run setup:sfu`) into a cache
 * directory outside the clone, keyed by the mediasoup version and the build script's hash. This
 * module computes the same path as the script; keep the two in step.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { version as mediasoupVersion } from 'mediasoup';

/** The command that builds the worker, as an operator types it in the repository. */
export const BUILD_WORKER_COMMAND = 'npm run setup:sfu';

/** `sfu/scripts/build-worker.sh`, from `sfu/src` (tests) and `sfu/dist` (the build) alike. */
export const BUILD_SCRIPT_PATH = path.resolve(__dirname, '..', 'scripts', 'build-worker.sh');

/** Thrown when no usable worker binary is found; the message says which command builds it. */
export class WorkerBinaryMissingError extends Error {
  constructor(
    /** The path that was tried. */
    readonly workerBin: string,
    /** Why it is not usable (missing, not executable, not a file). */
    readonly reason: string,
  ) {
    super(
      `找不到可用的 mediasoup worker（${workerBin}：${reason}）。请在仓库根目录运行 \`${BUILD_WORKER_COMMAND}\` 构建，` +
        `或用 KAIHU_MEDIASOUP_WORKER_BIN 指定已构建的 worker。 / ` +
        `No usable mediasoup worker binary at ${workerBin} (${reason}). Build it with \`${BUILD_WORKER_COMMAND}\` ` +
        `in the repository root, or point KAIHU_MEDIASOUP_WORKER_BIN at a built worker.`,
    );
    this.name = 'WorkerBinaryMissingError';
  }
}

/** First 16 hex digits of the SHA-256 of the build script: the script's part of the cache key. */
export function buildScriptHash(scriptPath: string = BUILD_SCRIPT_PATH): string {
  return createHash('sha256').update(readFileSync(scriptPath)).digest('hex').slice(0, 16);
}

/**
 * The path `build-worker.sh` writes to by default:
 * `${KAIHU_MEDIASOUP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kaihu}/mediasoup-<version>-<scripthash>/mediasoup-worker`.
 */
export function defaultWorkerBin(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot =
    env.KAIHU_MEDIASOUP_CACHE_DIR ||
    path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'kaihu');
  return path.join(cacheRoot, `mediasoup-${mediasoupVersion}-${buildScriptHash()}`, 'mediasoup-worker');
}

/**
 * The worker binary to run: `explicit` if given, else `KAIHU_MEDIASOUP_WORKER_BIN`, else
 * `MEDIASOUP_WORKER_BIN`, else {@link defaultWorkerBin}. Checks that it is an executable file.
 *
 * @throws {@link WorkerBinaryMissingError} when it is not.
 */
export function resolveWorkerBin(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const workerBin = path.resolve(
    explicit || env.KAIHU_MEDIASOUP_WORKER_BIN || env.MEDIASOUP_WORKER_BIN || defaultWorkerBin(env),
  );
  let isFile: boolean;
  try {
    isFile = statSync(workerBin).isFile();
  } catch {
    throw new WorkerBinaryMissingError(workerBin, '文件不存在 / file does not exist');
  }
  if (!isFile) throw new WorkerBinaryMissingError(workerBin, '不是文件 / not a file');
  try {
    accessSync(workerBin, constants.X_OK);
  } catch {
    throw new WorkerBinaryMissingError(workerBin, '不可执行 / not executable');
  }
  return workerBin;
}
