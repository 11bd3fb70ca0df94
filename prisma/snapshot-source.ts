/**
 * Keeps this replica's snapshot current. A refresh loads the change rows
 * since the current revision and applies them aside, then swaps the new
 * snapshot in with one assignment; concurrent refresh requests coalesce into
 * one. Triggers: the LISTEN client's notifications of revisions it does not
 * hold yet, a poll (the safety net for lost notifications), and this
 * replica's own writes. A failed refresh keeps the last good snapshot and
 * is reported by `health()` until one succeeds.
 */
import { applyChanges, buildSnapshot, type Snapshot, type SnapshotOptions } from '../engine/snapshot.ts';
import type { PrismaClient } from './generated/client.ts';
import { loadChangesSince, loadFull } from './snapshot-loader.ts';
import { onCommitted, writeInFlight, type CommittedRevision } from './store/write.ts';

export interface SnapshotHealth {
  ready: boolean;
  revision: number;
  lastError?: string;
  lastErrorAt?: string;
}


export class SnapshotSource {
  #current: Snapshot | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #waiters = new Set<{ revision: number; resolve: (ok: boolean) => void }>();
  #timer: NodeJS.Timeout | undefined;
  #lastError: { message: string; at: Date } | undefined;
  #stopped = false;

  #unsubscribe: () => void;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: SnapshotOptions,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.#unsubscribe = onCommitted(prisma, (c) => this.#committedHere(c));
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
        return;
      } catch (err) {
        this.onError(err);
      }
    }
    void this.refresh();
  }

  /** The snapshot in force. Throws before the first load finished. */
  get current(): Snapshot {
    if (!this.#current) throw new Error('snapshot not loaded yet');
    return this.#current;
  }

  get loaded(): boolean {
    return this.#current !== undefined;
  }

  health(): SnapshotHealth {
    return {
      ready: this.#current !== undefined && this.#lastError === undefined,
      revision: this.#current?.revision ?? 0,
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
    void writeInFlight(this.prisma).then(() => {
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

  async #refreshOnce(): Promise<void> {
    try {
      const base = this.#current;
      let next: Snapshot;
      if (!base) {
        next = buildSnapshot(await loadFull(this.prisma), this.options);
      } else {
        const batch = await loadChangesSince(this.prisma, base.revision);
        if (batch.revision === base.revision) {
          this.#lastError = undefined;
          return;
        }
        next = batch.contiguous ? applyChanges(base, batch.revision, batch.changes) : buildSnapshot(await loadFull(this.prisma), this.options);
      }
      if (!this.#current || next.revision >= this.#current.revision) this.#current = next;
      this.#lastError = undefined;
      for (const w of [...this.#waiters]) if (next.revision >= w.revision) w.resolve(true);
    } catch (err) {
      this.#lastError = { message: err instanceof Error ? err.message : String(err), at: new Date() };
      this.onError(err);
    }
  }
}
