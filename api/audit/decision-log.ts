/**
 * The decision log. `record` is called on the request path of every review,
 * admission and traffic decision; it never throws, never awaits and never
 * touches the database: it puts the entry in a bounded in-memory queue (or
 * counts it dropped when the queue is full) and returns. A background
 * flusher writes the queue in batches, one multi-row insert each, in the
 * order entries were recorded; a failed batch is retried on the next ticks
 * and dropped (counted) after `maxAttempts`. While the database is slow or
 * down, decisions are answered as ever: only recording suffers, and every
 * lost entry is counted. A periodic prune deletes entries older than the
 * retention.
 */
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Store } from '../../prisma/store/store.ts';
import type { DecisionRow } from '../../prisma/store/decision-log.ts';
import type { Config } from '../config.ts';
import { DecisionLogMetrics, type DecisionLogStats } from './metrics.ts';

/** The review kinds Warden records; other names are accepted as they come. */
export type DecisionKind =
  | 'SubjectAccessReview' | 'LocalSubjectAccessReview' | 'SelfSubjectAccessReview' | 'AdmissionReview'
  | 'TrafficReview' | 'ReachabilityReview' | 'AuthorizationWebhook' | (string & {});

export interface DecisionEntry {
  /** When the decision was made; now when absent. */
  at?: Date;
  /** The authenticated caller (before impersonation) that asked. */
  caller: string;
  /** Whom the question was about. */
  subject: { user: string; groups?: readonly string[] };
  kind: DecisionKind;
  /** Attributes of the question, where it has them ('' counts as absent). */
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  path?: string;
  /** The request's spec, as JSON. Serialized at `record`, so later changes to it are not seen. */
  question: unknown;
  allowed: boolean;
  reason: string;
  /** The snapshot revision the decision was made at. */
  revision: number;
}

/** Where batches go: the database in production (see `databaseSink`), anything that fails in tests. */
export interface DecisionSink {
  insert(rows: DecisionRow[], timeoutMs: number): Promise<void>;
  /** Deletes entries recorded before `before`; returns how many. */
  prune(before: Date, timeoutMs: number): Promise<number>;
}

export interface DecisionLogOptions {
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  retentionMs: number;
  /** How often the prune runs (default: a tenth of the retention, at most 10 minutes). */
  pruneIntervalMs?: number;
  /** Statement timeout of one write (default 5 s). */
  writeTimeoutMs?: number;
  /** Attempts of one batch before its entries are dropped (default 3). */
  maxAttempts?: number;
  now?: () => Date;
  onError?: (err: unknown, what: 'flush' | 'prune') => void;
  registry?: Registry;
}

/** Largest serialized question kept, in characters; a larger one is stored as `{truncated: true, bytes}`. */
export const maxQuestionBytes = 16 * 1024;
const maxReasonChars = 4096;


const optional = (s: string | undefined) => (typeof s === 'string' && s !== '' ? storable(s) : null);
/**
 * Text PostgreSQL can hold: text and jsonb refuse U+0000 (removed), and a
 * lone surrogate is not UTF-8 (replaced by U+FFFD, as the driver's encoding
 * of text always did; jsonb refuses its escape).
 */
const storable = (s: string) => {
  const t = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
  return t.isWellFormed() ? t : t.toWellFormed();
};
const storableValue = (v: unknown): unknown =>
  typeof v === 'string' ? storable(v)
    : Array.isArray(v) ? v.map(storableValue)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), storableValue(x)]))
        : v;
/** JSON.stringify writes U+0000 and lone surrogates as escapes (a surrogate pair as itself). */
const unstorableEscape = /\\u(0000|[dD][89a-fA-F])/;

/** The row for `e`, its question serialized now, so later changes to the caller's object are not seen. */
function toRow(e: DecisionEntry, now: Date): DecisionRow {
  let question = JSON.stringify(e.question ?? null) ?? 'null';
  if (question.length > maxQuestionBytes) question = JSON.stringify({ truncated: true, bytes: Buffer.byteLength(question) });
  // Escapes jsonb refuses (U+0000, a lone surrogate): rebuild such a question without them.
  if (unstorableEscape.test(question)) question = JSON.stringify(storableValue(JSON.parse(question)));
  const at = e.at instanceof Date && !Number.isNaN(e.at.getTime()) ? e.at : now;
  const reason = String(e.reason ?? '');
  return {
    at,
    caller: storable(String(e.caller ?? '')),
    subjectUser: storable(String(e.subject?.user ?? '')),
    subjectGroups: (e.subject?.groups ?? []).map((g) => storable(String(g))),
    kind: storable(String(e.kind)),
    namespace: optional(e.namespace), verb: optional(e.verb), apiGroup: optional(e.group), resource: optional(e.resource),
    subresource: optional(e.subresource), name: optional(e.name), path: optional(e.path),
    question,
    allowed: e.allowed === true,
    reason: storable(reason.length > maxReasonChars ? `${reason.slice(0, maxReasonChars)}…` : reason),
    revision: BigInt(Number.isSafeInteger(e.revision) ? e.revision : 0),
  };
}

export class DecisionLog {
  readonly metrics: DecisionLogMetrics;
  private queue: DecisionRow[] = [];
  /** The batch being written or waiting to be retried, and its failed attempts. */
  private inflight: { rows: DecisionRow[]; attempts: number } | undefined;
  private flushing: Promise<void> | undefined;
  private pruning: Promise<number> | undefined;
  private kickScheduled = false;
  private stopped = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly opts: Required<Omit<DecisionLogOptions, 'registry' | 'onError'>> & Pick<DecisionLogOptions, 'onError'>;

  constructor(private readonly sink: DecisionSink, options: DecisionLogOptions) {
    this.opts = {
      pruneIntervalMs: Math.min(options.retentionMs / 10, 600_000),
      writeTimeoutMs: 5000,
      maxAttempts: 3,
      now: () => new Date(),
      ...options,
    };
    this.metrics = new DecisionLogMetrics(() => this.depth, options.queueSize, options.registry);
  }

  get registry(): Registry { return this.metrics.registry; }

  /** Entries held in memory: queued, plus the batch being written or retried. */
  get depth(): number {
    return this.queue.length + (this.inflight?.rows.length ?? 0);
  }

  /** Records a decision without waiting or failing; a full queue or an unserializable entry is counted as dropped. */
  record(entry: DecisionEntry): void {
    try {
      if (this.stopped) return this.metrics.drop('stopped');
      if (this.depth >= this.opts.queueSize) return this.metrics.drop('queue_full');
      this.queue.push(toRow(entry, this.opts.now()));
      this.metrics.record();
      if (this.queue.length >= this.opts.batchSize && !this.kickScheduled) {
        this.kickScheduled = true;
        setImmediate(() => { this.kickScheduled = false; void this.flush(); });
      }
    } catch {
      try { this.metrics.drop('invalid'); } catch { /* counting never fails the caller */ }
    }
  }

  /** Hands a failure to `onError`; a failing reporter never breaks the flusher. */
  private report(err: unknown, what: 'flush' | 'prune'): void {
    try { this.opts.onError?.(err, what); } catch { /* the count already says it */ }
  }

  stats(): DecisionLogStats {
    return this.metrics.snapshot(this.depth, this.opts.queueSize);
  }

  /** Starts the periodic flush and prune (timers do not keep the process alive). */
  start(): void {
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushIntervalMs).unref();
    this.pruneTimer = setInterval(() => void this.prune().catch(() => {}), this.opts.pruneIntervalMs).unref();
    setImmediate(() => void this.prune().catch(() => {}));
  }

  /**
   * Writes what is queued, batch after batch, until the queue is empty or a
   * write fails (the failed batch waits for the next call). Concurrent calls
   * share one run, so batches are written one at a time, in order.
   */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => { this.flushing = undefined; });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.inflight) {
        if (!this.queue.length) return;
        this.inflight = { rows: this.queue.splice(0, this.opts.batchSize), attempts: 0 };
      }
      const batch = this.inflight;
      const end = this.metrics.flushSeconds.startTimer();
      try {
        await this.sink.insert(batch.rows, this.opts.writeTimeoutMs);
        end();
        this.metrics.wrote(batch.rows.length);
        this.inflight = undefined;
      } catch (err) {
        this.metrics.flushFailed();
        batch.attempts++;
        if (batch.attempts >= this.opts.maxAttempts) {
          this.metrics.drop('write_failed', batch.rows.length);
          this.inflight = undefined;
        }
        this.report(err, 'flush');
        return;
      }
    }
  }

  /** Deletes entries older than the retention, measured from `now`; returns how many. Runs one at a time. */
  prune(now: Date = this.opts.now()): Promise<number> {
    this.pruning ??= (async () => {
      try {
        const n = await this.sink.prune(new Date(now.getTime() - this.opts.retentionMs), this.opts.writeTimeoutMs);
        this.metrics.prunedRows(n);
        return n;
      } catch (err) {
        this.report(err, 'prune');
        throw err;
      } finally {
        this.pruning = undefined;
      }
    })();
    return this.pruning;
  }

  /**
   * Stops the timers, refuses new entries (counted as `stopped`), and writes
   * what is held for at most `graceMs`; returns how many entries stayed unwritten.
   */
  async stop(graceMs = 5000): Promise<number> {
    this.stopped = true;
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    const writeAll = (async () => {
      await this.flushing;
      for (let i = 0; i < this.opts.maxAttempts && this.depth > 0; i++) await this.flush();
    })();
    await Promise.race([Promise.all([writeAll, this.pruning?.catch(() => 0)]), deadline]);
    clearTimeout(timer);
    return this.depth;
  }
}

/** The store's decision log as a sink. */
export function databaseSink(store: Store): DecisionSink {
  return {
    insert: (rows, timeoutMs) => store.insertDecisions(rows, timeoutMs),
    prune: (before, timeoutMs) => store.pruneDecisions(before, timeoutMs),
  };
}

/** The log as configured, writing to `store`, logging its failures (not yet started). */
export function decisionLogFor(config: Readonly<Config>, store: Store, log: Logger, registry?: Registry): DecisionLog {
  return new DecisionLog(databaseSink(store), {
    queueSize: config.decisionLogQueue,
    batchSize: config.decisionLogBatch,
    flushIntervalMs: config.decisionLogFlushMs,
    retentionMs: config.decisionLogRetentionMs,
    onError: (err, what) => log.warn({ err }, what === 'flush' ? 'decision log write failed; entries are retried, then dropped' : 'decision log prune failed'),
    registry,
  });
}
