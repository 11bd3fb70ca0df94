/**
 * The watch fan-out of one replica. One reader follows the change history
 * (the `change` table every replica's commits write) each time the snapshot
 * advances, whatever advanced it: a LISTEN notification of another
 * replica's commit, this replica's own commit, or the poll. It hands each
 * change, in commit order, to the open watches of its kind, together with
 * the snapshot it was committed under (or a newer one), so each watch can
 * decide what its caller may see.
 *
 * A watch joins at the reader's position (the id of the last change row
 * handed out): what it needs from before that position it reads from the
 * history itself, everything after reaches it live, so each change reaches
 * it exactly once and in order, on every replica.
 *
 * Open watches are bounded in total and per user; a periodic tick sends
 * bookmarks and ends every watch when the replica can no longer confirm its
 * snapshot against the database (clients watch again, and are then refused
 * until it can).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Snapshot } from '../../engine/snapshot.ts';
import type { SnapshotSource } from '../../prisma/snapshot-source.ts';
import type { ChangeEvent } from '../../prisma/store/changes.ts';
import type { Store } from '../../prisma/store/store.ts';

export interface WatchSettings {
  /** Most watches open at once on this replica. */
  max: number;
  /** Most watches one user may have open on this replica. */
  maxPerUser: number;
  /** How long the change history serves watches that resume from a resourceVersion. */
  historyMs: number;
  /** How often watches that allow bookmarks get one. */
  bookmarkIntervalMs: number;
  /** Bytes a watch may have written but not yet sent before it is ended as too slow. */
  bufferBytes: number;
}

/** Why the hub ends a watch. */
export type EndReason = 'shutdown' | 'stale';

/** A watch as the hub sees it. */
export interface HubWatcher {
  readonly user: string;
  readonly kind: string;
  /** Changes of other namespaces are not handed to it. */
  readonly namespace?: string;
  /** Live changes (after its join position), in commit order, with the snapshot to decide them under. */
  deliver(changes: readonly ChangeEvent[], snapshot: Snapshot | undefined): void;
  /** Every change through `revision` has been handed out. */
  progress(revision: number): void;
  end(why: EndReason): void;
}

/** Where a watch joined: changes with a larger row id reach it live. */
export interface JoinPosition {
  cursor: bigint;
  /** Every change through this revision was handed out before the watch joined. */
  revision: number;
}

/** Kinds whose changes can change what a caller may see or who it is. */
const rightsKinds: ReadonlySet<string> = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Namespace', 'Tenant', 'User', 'Token', 'ServiceAccount']);

/** Rows read from the history at a time. */
const page = 1000;
const tickMs = 1000;

export class WatchHub {
  #cursor = 0n;
  #revision = 0;
  #target = 0;
  readonly #byKind = new Map<string, Set<HubWatcher>>();
  readonly #perUser = new Map<string, number>();
  #count = 0;
  #pumping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sinceBookmark = 0;
  #stopAdvance: (() => void) | undefined;
  #stopped = false;
  readonly #sent: Counter<'type'>;
  readonly #dropped: Counter;
  readonly #expired: Counter;
  readonly #refused: Counter<'limit'>;
  /** Event lines by the change's object: gone with the object once no watch holds it. */
  readonly #lines = new WeakMap<object, Map<string, string>>();

  constructor(
    private readonly store: Store,
    private readonly snapshots: SnapshotSource,
    readonly settings: WatchSettings,
    registry: Registry,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    const registers = [registry];
    const hub = this;
    new Gauge({ name: 'warden_watches_open', help: 'Watches open on this replica.', registers, collect() { this.set(hub.#count); } });
    this.#sent = new Counter({ name: 'warden_watch_events_sent_total', help: 'Watch events written, by type.', labelNames: ['type'], registers });
    for (const type of ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']) this.#sent.inc({ type }, 0);
    this.#dropped = new Counter({ name: 'warden_watch_slow_dropped_total', help: 'Watches ended because their client did not read fast enough.', registers });
    this.#expired = new Counter({ name: 'warden_watch_expired_total', help: 'Watches answered 410 Expired (resourceVersion older than the watch history).', registers });
    this.#refused = new Counter({ name: 'warden_watch_refused_total', help: 'Watches refused with 429, by the limit reached.', labelNames: ['limit'], registers });
    for (const limit of ['total', 'user']) this.#refused.inc({ limit }, 0);
  }

  /** Starts following the snapshot from its current revision. */
  async start(): Promise<void> {
    const revision = this.snapshots.revision;
    this.#cursor = await this.store.lastChangeId(revision);
    this.#revision = revision;
    this.#target = revision;
    this.#stopAdvance = this.snapshots.onAdvance((r) => this.#advance(r));
    this.#advance(this.snapshots.revision);
    this.#timer = setInterval(() => this.#tick(), tickMs).unref();
  }

  /** Ends every watch and stops following. */
  stop(): void {
    this.#stopped = true;
    this.#stopAdvance?.();
    if (this.#timer) clearInterval(this.#timer);
    this.#endAll('shutdown');
  }

  get open(): number {
    return this.#count;
  }

  /** Adds a watch, or says which limit refuses it. */
  join(w: HubWatcher): { ok: true; position: JoinPosition } | { ok: false; message: string } {
    if (this.#stopped) return { ok: false, message: 'the server is shutting down' };
    if (this.#count >= this.settings.max) {
      this.#refused.inc({ limit: 'total' });
      return { ok: false, message: `too many open watches on this server (limit ${this.settings.max}); retry later` };
    }
    const mine = this.#perUser.get(w.user) ?? 0;
    if (mine >= this.settings.maxPerUser) {
      this.#refused.inc({ limit: 'user' });
      return { ok: false, message: `too many open watches for user ${JSON.stringify(w.user)} (limit ${this.settings.maxPerUser}); close some and retry` };
    }
    let set = this.#byKind.get(w.kind);
    if (!set) this.#byKind.set(w.kind, (set = new Set()));
    set.add(w);
    this.#perUser.set(w.user, mine + 1);
    this.#count++;
    return { ok: true, position: { cursor: this.#cursor, revision: this.#revision } };
  }

  leave(w: HubWatcher): void {
    const set = this.#byKind.get(w.kind);
    if (!set?.delete(w)) return;
    this.#count--;
    const mine = (this.#perUser.get(w.user) ?? 1) - 1;
    if (mine > 0) this.#perUser.set(w.user, mine);
    else this.#perUser.delete(w.user);
  }

  /** The event line of `object` as changed at `revision`, made once and shared by every watch that sends it unchanged. */
  line(object: object, type: string, revision: number, make: () => string): string {
    let lines = this.#lines.get(object);
    if (!lines) this.#lines.set(object, (lines = new Map()));
    const key = `${type} ${revision}`;
    let line = lines.get(key);
    if (line === undefined) lines.set(key, (line = make()));
    return line;
  }

  counted(type: string, n = 1): void {
    this.#sent.inc({ type }, n);
  }

  droppedSlow(): void {
    this.#dropped.inc();
  }

  servedExpired(): void {
    this.#expired.inc();
  }

  #advance(revision: number): void {
    if (revision > this.#target) this.#target = revision;
    if (this.#revision < this.#target) void this.#pump();
  }

  #pump(): Promise<void> {
    this.#pumping ??= this.#follow().finally(() => { this.#pumping = undefined; });
    return this.#pumping;
  }

  /** Reads and hands out the changes up to the snapshot's revision, page by page. */
  async #follow(): Promise<void> {
    try {
      while (!this.#stopped && this.#revision < this.#target) {
        const through = this.#target;
        for (;;) {
          const rows = await this.store.changesBetween(this.#revision, through, {}, page, this.#cursor);
          if (rows.length) this.#handOut(rows);
          if (rows.length < page) break;
        }
        this.#revision = through;
      }
    } catch (err) {
      // Tried again at the next advance or tick; watches keep waiting meanwhile.
      this.onError(err);
    }
  }

  #handOut(rows: ChangeEvent[]): void {
    this.#cursor = rows[rows.length - 1].id;
    if (!this.#count) return;
    const snapshot = this.snapshots.held;
    const byKind = new Map<string, ChangeEvent[]>();
    for (const r of rows) {
      if (!this.#byKind.get(r.kind)?.size) continue;
      const list = byKind.get(r.kind);
      if (list) list.push(r);
      else byKind.set(r.kind, [r]);
    }
    // A change to who may see what (a binding, a role, a token...) is handed to every watch, with or without changes of its kind.
    const rightsChanged = rows.some((r) => rightsKinds.has(r.kind));
    for (const [kind, set] of this.#byKind) {
      const changes = byKind.get(kind);
      if (!changes && !rightsChanged) continue;
      for (const w of [...set]) {
        const mine = !changes ? [] : w.namespace === undefined ? changes : changes.filter((c) => c.namespace === w.namespace);
        if (mine.length || rightsChanged) w.deliver(mine, snapshot);
      }
    }
  }

  #each(fn: (w: HubWatcher) => void): void {
    for (const set of this.#byKind.values()) for (const w of [...set]) fn(w);
  }

  #endAll(why: EndReason): void {
    this.#each((w) => w.end(why));
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#revision < this.#target) void this.#pump();
    if (!this.#count) return;
    if (this.snapshots.health().stale) {
      this.#endAll('stale');
      return;
    }
    this.#sinceBookmark += tickMs;
    if (this.#sinceBookmark >= this.settings.bookmarkIntervalMs) {
      this.#sinceBookmark = 0;
      const revision = this.#revision;
      this.#each((w) => w.progress(revision));
    }
  }
}
