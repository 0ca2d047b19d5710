import path from 'node:path';
import { parsePluginSelection, type PluginKind, type PluginSelection } from '@kaihu/plugin-api';

/**
 * Kaihu's configuration, read from environment variables once at start and validated.
 * A bad value stops the process with one line naming the variable and what is allowed
 * ({@link ConfigError}). Every variable is documented in the README's table.
 */
export interface KaihuConfig {
  /** `PORT` — HTTP and WebSocket port. Default 4000. */
  port: number;
  /** `HOST` — interface to listen on. Default `127.0.0.1` (use `0.0.0.0` in containers). */
  host: string;
  /** `NODE_ENV` — `production` forbids demo mode. */
  nodeEnv: string;
  /** `DATABASE_URL` — PostgreSQL URL; when absent, embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** `REDIS_URL` — Redis for cross-node pub/sub; when absent, PostgreSQL LISTEN/NOTIFY (or in-process on PGlite). */
  redisUrl: string | null;
  /** `KAIHU_DATA_DIR` — embedded database, documents and the instance lock. Default `./data`. */
  dataDir: string;
  /** `KAIHU_DEMO` — seed the demo data and serve `/dev/*`. Default on for the embedded database. */
  demo: boolean;
  /** `LOG_LEVEL` — pino level. Default `info` (`silent` in tests that say so). */
  logLevel: LogLevel;
  /** `KAIHU_PLUGINS` — `kind=package,…` overriding the default plugins. */
  plugins: PluginSelection;
  /** `KAIHU_PLUGIN_<KIND>_OPTIONS` — JSON object handed to that plugin. */
  pluginOptions: Record<PluginKind, Record<string, unknown>>;
  /** `KAIHU_SHUTDOWN_TIMEOUT_MS` — how long SIGTERM waits for open requests. Default 10000. */
  shutdownTimeoutMs: number;
  /** `KAIHU_INTROSPECTION` — allow schema introspection. Default on, except in production. */
  introspection: boolean;
  /**
   * `KAIHU_SECRET` — key for HMACs of codes and for signed URLs, at least 32 characters; required
   * in production. Without it a random secret is generated once and kept in the database.
   */
  secret: string | null;
  /** `KAIHU_PORTAL_BROKER` — code of the broker whose customer portal `/` serves (its name, service hours, agreements before login). Default: the first broker by code. */
  portalBroker: string | null;
  /**
   * `KAIHU_CLOCK_START` — an instant (ISO 8601) at which this process's clock starts; it then runs
   * at real speed. For rehearsals (a holiday, service hours) and for test processes that must
   * agree with a pinned clock elsewhere. Refused with `NODE_ENV=production`. Default: the real time.
   */
  clockStart: Date | null;
  /** The video-witness queue's timing. */
  witness: WitnessConfig;
  /** Abuse limits of the GraphQL endpoint and idempotency keys. */
  limits: LimitsConfig;
  /** Partners' webhook deliveries. */
  webhooks: WebhooksConfig;
}

export interface WebhooksConfig {
  /** `KAIHU_WEBHOOK_RETRY_LIMIT` — retries of a delivery after the first attempt (non-2xx or no answer in 5 s). Default 8. */
  retryLimit: number;
  /** `KAIHU_WEBHOOK_RETRY_DELAY_S` — seconds before the first retry; each next one waits twice as long (×1–2 jitter). Default 2. */
  retryDelaySeconds: number;
}

export interface LimitsConfig {
  /** `KAIHU_MAX_QUERY_DEPTH` — deepest field nesting of an operation (introspection fields not counted). Default 12. */
  maxDepth: number;
  /** `KAIHU_MAX_QUERY_COMPLEXITY` — most cost of an operation: 1 per field, a list field's selection × its `first` argument or 10. Default 10000 (the largest pages, 500 queue items or events with their fields, cost about 5,000–8,000). */
  maxComplexity: number;
  /** `KAIHU_MAX_BATCH` — most operations in one HTTP request (a JSON array); 0 refuses batches. Default 10. */
  maxBatch: number;
  /** `KAIHU_TRUST_PROXY` — Express `trust proxy`: off (default; X-Forwarded-For ignored), on, a hop count, or addresses/subnets (`loopback`, `10.0.0.0/8`, …). */
  trustProxy: boolean | number | string;
  /** `KAIHU_IDEMPOTENCY_TTL_HOURS` — how long an Idempotency-Key's first result is kept. Default 24. */
  idempotencyTtlHours: number;
  /** `KAIHU_RATE_WINDOW_SECONDS` — the fixed window of the rate limits below. Default 600. */
  rateWindowSeconds: number;
  /** `KAIHU_RATE_CODE_PER_IP` — SMS code requests (and, counted apart, captchas) per client IP per window. Default 20. */
  codePerIp: number;
  /** `KAIHU_RATE_CODE_PER_KEY` — the same per partner API key (calls with a key count against it instead of their IP). Default 60. */
  codePerKey: number;
  /** `KAIHU_RATE_LOGIN_PER_IP` — login and staffLogin attempts per client IP per window. Default 30. */
  loginPerIp: number;
  /** `KAIHU_RATE_LOGIN_PER_KEY` — the same per partner API key. Default 100. */
  loginPerKey: number;
}

export interface WitnessConfig {
  /** `KAIHU_WITNESS_GRACE_MS` — how long a waiting customer whose socket dropped keeps the place. Default 120000 (2 min). */
  customerGraceMs: number;
  /** `KAIHU_WITNESS_AGENT_GRACE_MS` — how long an agent whose socket dropped may come back before the customer returns to the head of the queue. Default 30000. */
  agentGraceMs: number;
  /** `KAIHU_WITNESS_SWEEP_MS` — how often each node applies those grace periods. Default 5000. */
  sweepMs: number;
  /** `KAIHU_QUEUE_PUSH_INTERVAL_MS` — least time between two position pushes of one branch (bursts of changes are coalesced). Default 250. */
  pushIntervalMs: number;
  /** `KAIHU_SFU_WORKERS` — mediasoup workers of the embedded SFU, started on the first call. Default one per CPU core. */
  sfuWorkers: number | null;
  /** `KAIHU_SFU_LISTEN_IP` — the address the media transports listen on. Default `127.0.0.1` (use `0.0.0.0` or the host's address in deployment). */
  sfuListenIp: string;
  /** `KAIHU_SFU_ANNOUNCED_ADDRESS` — the address (or host name) clients are told to send media to, when it differs (NAT, containers). */
  sfuAnnouncedAddress: string | null;
  /**
   * `KAIHU_SFU` — where the witness call's media runs: `embedded` (default; mediasoup workers in
   * this API process, started on the first call) or `remote` (SFU services started with
   * `node sfu/dist/main.js`, registered in the database; new sessions go to the one with the most
   * free capacity).
   */
  sfuMode: 'embedded' | 'remote';
  /** `KAIHU_SFU_SECRET` — the shared secret of the SFU services (at least 16 characters); required with `KAIHU_SFU=remote`. */
  sfuSecret: string | null;
  /** `KAIHU_SFU_RECORDING_DIR` — where the embedded SFU writes recordings before they are stored as documents. Default `<data dir>/recordings`. */
  recordingDir: string;
  /**
   * `KAIHU_WITNESS_RECORDING_MIN_SECONDS` — a PASSED witness needs a recording of both parties'
   * audio and video at least this long (RECORDING_MISSING otherwise). Default 30.
   */
  recordingMinSeconds: number;
  /**
   * `KAIHU_WITNESS_REQUIRE_RECORDING` — refuse PASSED without that recording. Default on; turn it
   * off only where no camera exists (tests that drive the queue without media).
   */
  requireRecording: boolean;
  /** `KAIHU_WITNESS_TIMEOUT_MS` — a witness session still open this long after the call began is ended (TIMEOUT) and the customer returns to the head. Default 1800000 (30 min). */
  sessionTimeoutMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const PLUGIN_KINDS: readonly PluginKind[] = ['counter', 'sms', 'documents', 'brokers'];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    value: string,
    allowed: string,
  ) {
    super(`Configuration error: ${variable}=${JSON.stringify(value)} is not allowed: ${allowed}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, raw, `an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, raw, '1, true, yes, on, 0, false, no or off');
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = read(env, name);
  if (raw === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, redactUrl(raw), `a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, redactUrl(raw), `a URL starting with ${protocols.join(' or ')}`);
  }
  return raw;
}

/** Hides a password in a URL before it is printed. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

function address(env: Env, name: string): string | null {
  const v = read(env, name);
  if (v === undefined) return null;
  if (!/^[A-Za-z0-9.:-]+$/.test(v)) throw new ConfigError(name, v, 'an IP address or host name');
  return v;
}

/** `KAIHU_TRUST_PROXY`: off/on, a hop count, or a comma-separated list of addresses, subnets and `loopback`/`linklocal`/`uniquelocal`. */
function trustProxy(env: Env, name: string): boolean | number | string {
  const raw = read(env, name);
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (/^\d+$/.test(v) && Number(v) <= 100) return Number(v);
  const parts = v.split(',').map((p) => p.trim());
  if (parts.every((p) => ['loopback', 'linklocal', 'uniquelocal'].includes(p) || /^[0-9a-f.:]+(\/\d{1,3})?$/.test(p)))
    return parts.join(',');
  throw new ConfigError(name, raw, 'off, on, a hop count, or addresses/subnets such as loopback,10.0.0.0/8');
}

/** Reads and validates the configuration; throws {@link ConfigError} on the first bad value. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): KaihuConfig {
  const nodeEnv = read(env, 'NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = read(env, 'HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError('HOST', host, 'a host name or IP address');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const dataDir = path.resolve(cwd, read(env, 'KAIHU_DATA_DIR') ?? './data');
  const demo = boolean(env, 'KAIHU_DEMO', databaseUrl === null && !production);
  if (demo && production) {
    throw new ConfigError(
      'KAIHU_DEMO',
      read(env, 'KAIHU_DEMO') ?? '(default)',
      'off when NODE_ENV=production (demo data and /dev pages must never run in production)',
    );
  }
  const logLevelRaw = read(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevelRaw as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', logLevelRaw, LOG_LEVELS.join(', '));
  }
  let plugins: PluginSelection;
  try {
    plugins = parsePluginSelection(read(env, 'KAIHU_PLUGINS'));
  } catch (e) {
    throw new ConfigError('KAIHU_PLUGINS', read(env, 'KAIHU_PLUGINS') ?? '', (e as Error).message);
  }
  const pluginOptions = {} as Record<PluginKind, Record<string, unknown>>;
  for (const kind of PLUGIN_KINDS) {
    const name = `KAIHU_PLUGIN_${kind.toUpperCase()}_OPTIONS`;
    const raw = read(env, name);
    let parsed: unknown = {};
    if (raw !== undefined) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = null;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError(name, raw, 'a JSON object');
      }
    }
    pluginOptions[kind] = parsed as Record<string, unknown>;
  }
  const secret = read(env, 'KAIHU_SECRET') ?? null;
  if (secret !== null && secret.length < 32) throw new ConfigError('KAIHU_SECRET', '***', 'at least 32 characters');
  if (secret === null && production)
    throw new ConfigError('KAIHU_SECRET', '', 'a secret of at least 32 characters (required when NODE_ENV=production)');
  const sfuModeRaw = read(env, 'KAIHU_SFU') ?? 'embedded';
  if (sfuModeRaw !== 'embedded' && sfuModeRaw !== 'remote')
    throw new ConfigError('KAIHU_SFU', sfuModeRaw, 'embedded or remote');
  const sfuMode = sfuModeRaw;
  const sfuSecret = read(env, 'KAIHU_SFU_SECRET') ?? null;
  if (sfuSecret !== null && sfuSecret.length < 16)
    throw new ConfigError('KAIHU_SFU_SECRET', '***', 'at least 16 characters');
  if (sfuMode === 'remote' && sfuSecret === null)
    throw new ConfigError('KAIHU_SFU_SECRET', '', "the SFU services' shared secret (required with KAIHU_SFU=remote)");
  if (sfuMode === 'remote' && databaseUrl === null)
    throw new ConfigError('KAIHU_SFU', 'remote', 'DATABASE_URL (SFU services register in PostgreSQL)');
  const portalBroker = read(env, 'KAIHU_PORTAL_BROKER') ?? null;
  if (portalBroker !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(portalBroker))
    throw new ConfigError('KAIHU_PORTAL_BROKER', portalBroker, 'a broker code (letters, digits, - and _)');
  const clockStartRaw = read(env, 'KAIHU_CLOCK_START');
  let clockStart: Date | null = null;
  if (clockStartRaw !== undefined) {
    clockStart = new Date(clockStartRaw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(clockStartRaw) || Number.isNaN(clockStart.getTime())) {
      throw new ConfigError('KAIHU_CLOCK_START', clockStartRaw, 'an ISO 8601 instant such as 2026-11-23T02:00:00Z');
    }
    if (production)
      throw new ConfigError(
        'KAIHU_CLOCK_START',
        clockStartRaw,
        'unset when NODE_ENV=production (production runs on the real time)',
      );
  }
  return {
    secret,
    portalBroker,
    clockStart,
    port,
    host,
    nodeEnv,
    databaseUrl,
    redisUrl,
    dataDir,
    demo,
    logLevel: logLevelRaw as LogLevel,
    plugins,
    pluginOptions,
    shutdownTimeoutMs: integer(env, 'KAIHU_SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000),
    introspection: boolean(env, 'KAIHU_INTROSPECTION', !production),
    webhooks: {
      retryLimit: integer(env, 'KAIHU_WEBHOOK_RETRY_LIMIT', 8, 0, 30),
      retryDelaySeconds: integer(env, 'KAIHU_WEBHOOK_RETRY_DELAY_S', 2, 1, 3600),
    },
    limits: {
      maxDepth: integer(env, 'KAIHU_MAX_QUERY_DEPTH', 12, 1, 1000),
      maxComplexity: integer(env, 'KAIHU_MAX_QUERY_COMPLEXITY', 10000, 1, 100000000),
      maxBatch: integer(env, 'KAIHU_MAX_BATCH', 10, 0, 1000),
      trustProxy: trustProxy(env, 'KAIHU_TRUST_PROXY'),
      idempotencyTtlHours: integer(env, 'KAIHU_IDEMPOTENCY_TTL_HOURS', 24, 1, 8760),
      rateWindowSeconds: integer(env, 'KAIHU_RATE_WINDOW_SECONDS', 600, 1, 86400),
      codePerIp: integer(env, 'KAIHU_RATE_CODE_PER_IP', 20, 1, 100000000),
      codePerKey: integer(env, 'KAIHU_RATE_CODE_PER_KEY', 60, 1, 100000000),
      loginPerIp: integer(env, 'KAIHU_RATE_LOGIN_PER_IP', 30, 1, 100000000),
      loginPerKey: integer(env, 'KAIHU_RATE_LOGIN_PER_KEY', 100, 1, 100000000),
    },
    witness: {
      customerGraceMs: integer(env, 'KAIHU_WITNESS_GRACE_MS', 120000, 0, 3600000),
      agentGraceMs: integer(env, 'KAIHU_WITNESS_AGENT_GRACE_MS', 30000, 0, 3600000),
      sweepMs: integer(env, 'KAIHU_WITNESS_SWEEP_MS', 5000, 100, 600000),
      pushIntervalMs: integer(env, 'KAIHU_QUEUE_PUSH_INTERVAL_MS', 250, 0, 10000),
      sfuWorkers: read(env, 'KAIHU_SFU_WORKERS') === undefined ? null : integer(env, 'KAIHU_SFU_WORKERS', 1, 1, 256),
      sfuListenIp: address(env, 'KAIHU_SFU_LISTEN_IP') ?? '127.0.0.1',
      sfuAnnouncedAddress: address(env, 'KAIHU_SFU_ANNOUNCED_ADDRESS'),
      sfuMode,
      sfuSecret,
      recordingDir: path.resolve(cwd, read(env, 'KAIHU_SFU_RECORDING_DIR') ?? path.join(dataDir, 'recordings')),
      recordingMinSeconds: integer(env, 'KAIHU_WITNESS_RECORDING_MIN_SECONDS', 30, 0, 36000),
      requireRecording: boolean(env, 'KAIHU_WITNESS_REQUIRE_RECORDING', true),
      sessionTimeoutMs: integer(env, 'KAIHU_WITNESS_TIMEOUT_MS', 1800000, 1000, 86400000),
    },
  };
}
