/**
 * Configuration: read from the environment once, validated, frozen and passed
 * down. A bad value stops the boot with a message naming the variable.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const duration = (example: string) => z.string().regex(/^\d+(ms|s|m|h|d)$/, `must be a duration like ${example}`);
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8080),
  WARDEN_TLS_PORT: z.union([z.literal('off'), port]).default(8443),
  WARDEN_TLS_CERT_FILE: z.string().min(1).optional(),
  WARDEN_TLS_KEY_FILE: z.string().min(1).optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  WARDEN_DATA_DIR: z.string().min(1).default('./.warden-data'),
  WARDEN_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WARDEN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WARDEN_BODY_LIMIT: z.string().regex(/^\d+(kb|mb|b)?$/i, 'must be a size like 1mb, 512kb or 1048576').default('1mb'),
  WARDEN_POLL_INTERVAL_MS: positiveInt.default(1000),
  WARDEN_LISTEN_RECONNECT_MS: positiveInt.default(1000),
  WARDEN_RECONCILE_INTERVAL_MS: positiveInt.default(1000),
  WARDEN_DB_POOL_SIZE: positiveInt.default(20),
  WARDEN_SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  WARDEN_SHUTDOWN_DELAY: duration('2s or 500ms').default('1s'),
  WARDEN_MAX_STALENESS: duration('5s or 1500ms').default('5s'),
  WARDEN_DECISION_LOG_RETENTION: z.string().regex(/^[1-9]\d*(s|m|h|d)$/, 'must be a duration like 7d, 24h, 30m or 90s').default('7d'),
  WARDEN_DECISION_LOG_QUEUE: positiveInt.default(10_000),
  WARDEN_DECISION_LOG_BATCH: positiveInt.max(1000).default(500),
  WARDEN_DECISION_LOG_FLUSH_MS: positiveInt.default(1000),
  WARDEN_WATCH_HISTORY: duration('1h or 90s').default('1h'),
  WARDEN_WATCH_BOOKMARK_INTERVAL: duration('1m or 30s').default('1m'),
  WARDEN_WATCH_MAX: positiveInt.default(5000),
  WARDEN_WATCH_MAX_PER_USER: positiveInt.default(100),
  WARDEN_WATCH_BUFFER: z.string().regex(/^\d+(kb|mb|b)?$/i, 'must be a size like 1mb, 512kb or 1048576').default('4mb'),
});

export interface Config {
  host: string;
  port: number;
  /** HTTPS port (kubectl sends bearer tokens only over TLS); undefined when off. */
  tlsPort?: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  databaseUrl?: string;
  dataDir: string;
  adminToken?: string;
  logLevel: string;
  bodyLimit: string;
  pollIntervalMs: number;
  /** Delay before re-opening a dropped LISTEN connection (the poll covers the gap). */
  listenReconnectMs: number;
  /** How often tenant role bindings are checked and repaired after a change. */
  reconcileIntervalMs: number;
  dbPoolSize: number;
  shutdownTimeoutMs: number;
  /**
   * After SIGTERM, how long /readyz answers 503 while requests are still
   * served (each answer with `Connection: close`), so a load balancer stops
   * sending before the listener closes.
   */
  shutdownDelayMs: number;
  /**
   * How old this replica's snapshot may be (time since a refresh last
   * confirmed the database's revision) before it stops serving decisions
   * and authenticating tokens from it: a replica cut off from the database
   * fails closed.
   */
  maxStalenessMs: number;
  /** Decision log entries older than this are pruned. */
  decisionLogRetentionMs: number;
  /** Entries waiting to be written; beyond it new entries are dropped and counted. */
  decisionLogQueue: number;
  /** Entries per multi-row insert. */
  decisionLogBatch: number;
  /** How often the decision log writes what waits. */
  decisionLogFlushMs: number;
  /** How far back a watch may resume from a resourceVersion (older ones get 410 Expired). */
  watchHistoryMs: number;
  /** How often a watch that allows bookmarks gets one. */
  watchBookmarkIntervalMs: number;
  /** Most watches open on this replica, and per user. */
  watchMax: number;
  watchMaxPerUser: number;
  /** Bytes written to a watch and not yet sent before it is ended as too slow. */
  watchBufferBytes: number;
}

export class ConfigError extends Error {}

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `24h`, `30m`, `90s`, `500ms` in milliseconds (the format is checked by the schema). */
/** A size as WARDEN_BODY_LIMIT and WARDEN_WATCH_BUFFER take it (`1mb`, `512kb`, `1048576`), in bytes. */
export function parseSize(limit: string): number {
  const m = /^(\d+)(b|kb|mb)?$/i.exec(limit.trim());
  if (!m) return 1024 * 1024;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  return unit === 'mb' ? n * 1024 * 1024 : unit === 'kb' ? n * 1024 : n;
}

export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
  return Number(m[1]) * unitMs[m[2]];
}

/** Parses `env`; throws ConfigError naming every bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  if (Boolean(e.WARDEN_TLS_CERT_FILE) !== Boolean(e.WARDEN_TLS_KEY_FILE)) {
    throw new ConfigError('invalid configuration: WARDEN_TLS_CERT_FILE and WARDEN_TLS_KEY_FILE must be set together');
  }
  const maxStalenessMs = durationMs(e.WARDEN_MAX_STALENESS);
  if (maxStalenessMs <= e.WARDEN_POLL_INTERVAL_MS) {
    throw new ConfigError(`invalid configuration: WARDEN_MAX_STALENESS (${e.WARDEN_MAX_STALENESS}) must be longer than WARDEN_POLL_INTERVAL_MS (${e.WARDEN_POLL_INTERVAL_MS} ms): the poll is what keeps a quiet replica's snapshot confirmed`);
  }
  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    tlsPort: e.WARDEN_TLS_PORT === 'off' ? undefined : e.WARDEN_TLS_PORT,
    tlsCertFile: e.WARDEN_TLS_CERT_FILE,
    tlsKeyFile: e.WARDEN_TLS_KEY_FILE,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.WARDEN_DATA_DIR,
    adminToken: e.WARDEN_ADMIN_TOKEN,
    logLevel: e.WARDEN_LOG_LEVEL,
    bodyLimit: e.WARDEN_BODY_LIMIT,
    pollIntervalMs: e.WARDEN_POLL_INTERVAL_MS,
    listenReconnectMs: e.WARDEN_LISTEN_RECONNECT_MS,
    reconcileIntervalMs: e.WARDEN_RECONCILE_INTERVAL_MS,
    dbPoolSize: e.WARDEN_DB_POOL_SIZE,
    shutdownTimeoutMs: e.WARDEN_SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: durationMs(e.WARDEN_SHUTDOWN_DELAY),
    maxStalenessMs,
    decisionLogRetentionMs: durationMs(e.WARDEN_DECISION_LOG_RETENTION),
    decisionLogQueue: e.WARDEN_DECISION_LOG_QUEUE,
    decisionLogBatch: e.WARDEN_DECISION_LOG_BATCH,
    decisionLogFlushMs: e.WARDEN_DECISION_LOG_FLUSH_MS,
    watchHistoryMs: durationMs(e.WARDEN_WATCH_HISTORY),
    watchBookmarkIntervalMs: durationMs(e.WARDEN_WATCH_BOOKMARK_INTERVAL),
    watchMax: e.WARDEN_WATCH_MAX,
    watchMaxPerUser: e.WARDEN_WATCH_MAX_PER_USER,
    watchBufferBytes: parseSize(e.WARDEN_WATCH_BUFFER),
  });
}
