/**
 * Keeps this replica's snapshot current. A refresh loads the change rows
 * since the current revision and applies them aside, then swaps the new
 * snapshot in with one assignment; concurrent refresh requests coalesce into
 * one. Triggers: the LISTEN client's notifications of revisions it does not
 * hold yet, a poll (the safety net for lost notifications), and this
 * replica's own writes. A failed refresh keeps the last good snapshot and
 * is reported by `health()` until one succeeds.
 *
 * Fail closed: every refresh that reads the database's revision confirms
 * the snapshot at the time of that read. Once the last confirmation is
 * older than `maxStalenessMs` (the database unreachable, or refreshes
 * failing), `current` throws StaleSnapshotError instead of handing out a
 * snapshot that may still hold a revoked token or a deleted binding.
 */
import { applyChanges, buildSnapshot, type Snapshot, type SnapshotOptions } from '../engine/snapshot.ts';
import type { Store } from './store/store.ts';
import type { CommittedRevision } from './store/write.ts';

export interface SnapshotHealth {
  /** Loaded, the last refresh succeeded, and the snapshot is confirmed recently enough to serve. */
  ready: boolean;
  revision: number;
  /** Milliseconds since a refresh last confirmed the revision (undefined before the first load). */
  ageMs?: number;
  stale: boolean;
  lastError?: string;
  lastErrorAt?: string;
}

/** The snapshot is loaded but was not confirmed against the database within the allowed staleness. */
export class StaleSnapshotError extends Error {
  constructor(readonly ageMs: number, readonly maxStalenessMs: number, readonly revision: number) {
    super(`its policy snapshot (revision ${revision}) was last confirmed with the database ${Math.round(ageMs)} ms ago, longer than the ${maxStalenessMs} ms decisions may be served from one`);
  }
}

export interface FreshnessOptions {
  /** How long after its last confirmation the snapshot may still serve; Infinity never goes stale. */
  maxStalenessMs: number;
  /** The clock (epoch ms), for tests. */
  now?: () => number;
}


export class SnapshotSource {
  #current: Snapshot | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #waiters = new Set<{ revision: number; resolve: (ok: boolean) => void }>();
  #timer: NodeJS.Timeout | undefined;
  #lastError: { message: string; at: Date } | undefined;
  #stopped = false;
  /** When a refresh last read the database's revision (epoch ms). */
  #confirmedAt = -Infinity;
  readonly #maxStalenessMs: number;
  readonly #now: () => number;

  #unsubscribe: () => void;
  #advanced = new Set<(revision: number) => void>();

  constructor(
    private readonly store: Store,
    private readonly options: SnapshotOptions,
    private readonly onError: (err: unknown) => void = () => {},
    freshness: FreshnessOptions = { maxStalenessMs: Infinity },
  ) {
    this.#maxStalenessMs = freshness.maxStalenessMs;
    this.#now = freshness.now ?? Date.now;
    this.#unsubscribe = store.onCommitted((c) => this.#committedHere(c));
  }

  /**
   * A revision this process committed: applied at once when it is the next
   * one and complete, without reading it back; otherwise a refresh reads
   * what is missing.
   */
  #committedHere(c: CommittedRevision): void {
    const base = this.#current;
    if (!base || this.#stopped) return;
    if (c.complete && c.revision === base.revision + 1 && this.#lastError === undefined) {
      try {
        const next = applyChanges(base, c.revision, c.changes);
        this.#current = next;
        for (const w of [...this.#waiters]) if (next.revision >= w.revision) w.resolve(true);
        this.#announce(next.revision);
        return;
      } catch (err) {
        this.onError(err);
      }
    }
    void this.refresh();
  }

  /**
   * The snapshot in force, for deciding and authenticating. Throws before
   * the first load finished, and StaleSnapshotError while the snapshot is
   * older than the allowed staleness.
   */
  get current(): Snapshot {
    const snap = this.#current;
    if (!snap) throw new Error('snapshot not loaded yet');
    const age = this.#now() - this.#confirmedAt;
    if (age > this.#maxStalenessMs) throw new StaleSnapshotError(age, this.#maxStalenessMs, snap.revision);
    return snap;
  }

  /**
   * The snapshot held, stale or not (undefined before the first load): for
   * what is no decision and may lag, such as the resources discovery lists.
   */
  get held(): Snapshot | undefined {
    return this.#current;
  }

  /** Decision memo counts of the snapshot held, stale or not (for metrics; decisions use `current`). */
  peekRbacMemo(): { hits: number; misses: number } | undefined {
    return this.#current?.rbac.memoStats;
  }

  /** The revision of the snapshot held, stale or not (0 before the first load). */
  get revision(): number {
    return this.#current?.revision ?? 0;
  }

  get loaded(): boolean {
    return this.#current !== undefined;
  }

  health(): SnapshotHealth {
    const ageMs = this.#current ? Math.max(0, this.#now() - this.#confirmedAt) : undefined;
    const stale = ageMs !== undefined && ageMs > this.#maxStalenessMs;
    return {
      ready: this.#current !== undefined && this.#lastError === undefined && !stale,
      revision: this.#current?.revision ?? 0,
      ...(ageMs !== undefined ? { ageMs } : {}),
      stale,
      ...(this.#lastError ? { lastError: this.#lastError.message, lastErrorAt: this.#lastError.at.toISOString() } : {}),
    };
  }

  async start(pollIntervalMs: number): Promise<void> {
    await this.refresh();
    if (!this.#current) throw new Error(`initial snapshot load failed: ${this.#lastError?.message}`);
    const tick = () => {
      if (this.#stopped) return;
      this.refresh().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, pollIntervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, pollIntervalMs).unref();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters.clear();
  }

  /**
   * A notification that `revision` was committed (none: something may have
   * been missed). Refreshes unless the snapshot already holds that revision,
   * as it does for this process's own writes, which it applied at commit.
   */
  notified(revision?: number): void {
    if (revision === undefined) {
      void this.refresh();
      return;
    }
    const held = () => this.#current !== undefined && this.#current.revision >= revision && this.#lastError === undefined;
    if (held()) return;
    // The notification of this process's own write can come before the write's reply: let that write be applied first.
    void this.store.writeInFlight().then(() => {
      if (!held()) void this.refresh();
    });
  }

  /** Resolves once a refresh that started after this call has finished (successfully or not). */
  refresh(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#refreshOnce().finally(() => { this.#running = undefined; });
      return this.#running;
    }
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.refresh();
    });
    return this.#queued;
  }

  /** True once the snapshot reaches `revision`; false after `timeoutMs`. Triggers a refresh if behind. */
  async waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if ((this.#current?.revision ?? -1) >= revision) return true;
    void this.refresh();
    return new Promise<boolean>((resolve) => {
      const waiter = {
        revision,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.resolve((this.#current?.revision ?? -1) >= revision), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /**
   * Calls `listener` with the revision each time the snapshot moves to a
   * newer one (every change up to it is then committed and readable);
   * returns a function that stops it.
   */
  onAdvance(listener: (revision: number) => void): () => void {
    this.#advanced.add(listener);
    return () => this.#advanced.delete(listener);
  }

  #announce(revision: number): void {
    for (const l of this.#advanced) {
      try {
        l(revision);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  #confirm(at: number): void {
    if (at > this.#confirmedAt) this.#confirmedAt = at;
  }

  async #refreshOnce(): Promise<void> {
    try {
      const base = this.#current;
      let next: Snapshot;
      // The database's revision as of the start of the read; the snapshot built from it is confirmed as of then.
      const readAt = this.#now();
      if (!base) {
        next = buildSnapshot(await this.store.loadSnapshot(), this.options);
      } else {
        const batch = await this.store.changesSince(base.revision);
        if (batch.revision === base.revision) {
          this.#lastError = undefined;
          this.#confirm(readAt);
          return;
        }
        next = batch.contiguous ? applyChanges(base, batch.revision, batch.changes) : buildSnapshot(await this.store.loadSnapshot(), this.options);
      }
      const advanced = !this.#current || next.revision > this.#current.revision;
      if (!this.#current || next.revision >= this.#current.revision) this.#current = next;
      this.#lastError = undefined;
      this.#confirm(readAt);
      for (const w of [...this.#waiters]) if (next.revision >= w.revision) w.resolve(true);
      if (advanced) this.#announce(next.revision);
    } catch (err) {
      this.#lastError = { message: err instanceof Error ? err.message : String(err), at: new Date() };
      this.onError(err);
    }
  }
}
