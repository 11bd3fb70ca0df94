/**
 * The decision log's counters, kept twice: as plain numbers (`stats()`, the
 * list's warning) and as Prometheus metrics in a registry of their own, so
 * several Wardens in one process never collide on metric names.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type DropReason = 'queue_full' | 'invalid' | 'write_failed' | 'stopped';

export interface DecisionLogStats {
  /** Entries accepted into the queue. */
  recorded: number;
  /** Entries stored in the database. */
  written: number;
  /** Entries lost, by why. */
  dropped: Record<DropReason, number>;
  droppedTotal: number;
  /** Entries held in memory: waiting, or in a write not yet confirmed. */
  depth: number;
  capacity: number;
  /** Batch writes that failed (their entries are retried, then dropped as write_failed). */
  flushFailures: number;
  /** Entries deleted by retention. */
  pruned: number;
}

export class DecisionLogMetrics {
  readonly registry: Registry;
  readonly counts = {
    recorded: 0, written: 0, flushFailures: 0, pruned: 0,
    dropped: { queue_full: 0, invalid: 0, write_failed: 0, stopped: 0 } as Record<DropReason, number>,
  };
  private readonly recorded: Counter;
  private readonly written: Counter;
  private readonly dropped: Counter<'reason'>;
  private readonly flushFailures: Counter;
  private readonly pruned: Counter;
  readonly flushSeconds: Histogram;

  /** `depth` and `capacity` are read when the registry is scraped. */
  constructor(depth: () => number, capacity: number, registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.recorded = new Counter({ name: 'warden_decision_log_recorded_total', help: 'Decisions accepted into the decision log queue.', registers });
    this.written = new Counter({ name: 'warden_decision_log_written_total', help: 'Decisions written to the database.', registers });
    this.dropped = new Counter({
      name: 'warden_decision_log_dropped_total', help: 'Decisions not recorded, by reason (queue_full, invalid, write_failed, stopped).',
      labelNames: ['reason'], registers,
    });
    for (const reason of Object.keys(this.counts.dropped)) this.dropped.inc({ reason }, 0);
    this.flushFailures = new Counter({ name: 'warden_decision_log_flush_failures_total', help: 'Batch writes of the decision log that failed.', registers });
    this.pruned = new Counter({ name: 'warden_decision_log_pruned_total', help: 'Decision log entries deleted by retention.', registers });
    new Gauge({ name: 'warden_decision_log_queue_depth', help: 'Decisions held in memory, waiting to be written.', registers, collect() { this.set(depth()); } });
    new Gauge({ name: 'warden_decision_log_queue_capacity', help: 'Decisions the queue holds before it drops new ones.', registers, collect() { this.set(capacity); } });
    this.flushSeconds = new Histogram({
      name: 'warden_decision_log_flush_duration_seconds', help: 'Time to write one batch of decisions.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
  }

  record(): void { this.counts.recorded++; this.recorded.inc(); }
  wrote(n: number): void { this.counts.written += n; this.written.inc(n); }
  drop(reason: DropReason, n = 1): void { this.counts.dropped[reason] += n; this.dropped.inc({ reason }, n); }
  flushFailed(): void { this.counts.flushFailures++; this.flushFailures.inc(); }
  prunedRows(n: number): void { this.counts.pruned += n; this.pruned.inc(n); }

  snapshot(depth: number, capacity: number): DecisionLogStats {
    const dropped = { ...this.counts.dropped };
    return {
      recorded: this.counts.recorded, written: this.counts.written, dropped,
      droppedTotal: Object.values(dropped).reduce((a, b) => a + b, 0),
      depth, capacity, flushFailures: this.counts.flushFailures, pruned: this.counts.pruned,
    };
  }
}
