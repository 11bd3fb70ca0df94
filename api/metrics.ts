/**
 * The server's Prometheus metrics, in a registry of each Warden's own (so
 * several Wardens in one process never collide on names): how often it
 * degraded rather than answered — the database unreachable, decisions
 * refused on a stale snapshot, connections closed while draining — and the
 * age of the snapshot. The decision log registers its metrics here too.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** Where a stale snapshot made Warden refuse rather than decide. */
export type FailClosed = 'authentication' | 'authorization' | 'review' | 'authorization_webhook' | 'admission_webhook';

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly unavailable: Counter<'cause'>;
  private readonly failClosed: Counter<'where'>;
  private readonly drainClosed: Counter;

  /** `snapshotAgeSeconds`, `ready` and `decisionMemo` are read when the registry is scraped. */
  constructor(snapshotAgeSeconds: () => number | undefined, ready: () => boolean, decisionMemo: () => { hits: number; misses: number } | undefined) {
    const registers = [this.registry];
    this.unavailable = new Counter({
      name: 'warden_unavailable_responses_total', help: '503 answers, by cause (database: unreachable or failing; stale_snapshot: decisions refused; shutdown: refused while stopping).',
      labelNames: ['cause'], registers,
    });
    for (const cause of ['database', 'stale_snapshot', 'shutdown']) this.unavailable.inc({ cause }, 0);
    this.failClosed = new Counter({
      name: 'warden_fail_closed_total', help: 'Requests refused because the snapshot was older than WARDEN_MAX_STALENESS, by where.',
      labelNames: ['where'], registers,
    });
    for (const where of ['authentication', 'authorization', 'review', 'authorization_webhook', 'admission_webhook']) this.failClosed.inc({ where }, 0);
    this.drainClosed = new Counter({
      name: 'warden_drain_connections_closed_total', help: 'Responses sent with Connection: close while draining after SIGTERM.', registers,
    });
    new Gauge({
      name: 'warden_snapshot_age_seconds', help: 'Time since a refresh last confirmed the snapshot against the database.', registers,
      collect() { const age = snapshotAgeSeconds(); if (age !== undefined) this.set(age); },
    });
    new Gauge({ name: 'warden_ready', help: '1 while /readyz answers 200.', registers, collect() { this.set(ready() ? 1 : 0); } });
    new Gauge({
      name: 'warden_decision_memo_lookups', help: 'RBAC decisions looked up in the decision memo since the engine was last built in full, by outcome (hit or miss).',
      labelNames: ['outcome'], registers,
      collect() {
        const s = decisionMemo();
        if (!s) return;
        this.set({ outcome: 'hit' }, s.hits);
        this.set({ outcome: 'miss' }, s.misses);
      },
    });
  }

  unavailableAnswer(cause: 'database' | 'stale_snapshot' | 'shutdown'): void { this.unavailable.inc({ cause }); }
  refusedStale(where: FailClosed): void { this.failClosed.inc({ where }); }
  closedWhileDraining(): void { this.drainClosed.inc(); }
}
