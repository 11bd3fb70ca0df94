/**
 * One watch of a collection, as kube-apiserver serves `?watch=true`: a
 * chunked stream of newline-delimited `{"type","object"}` events.
 *
 * Where it starts, by its options: `resourceVersion` unset or `0` (and no
 * `sendInitialEvents=false`) first sends the current state as ADDED events,
 * read with the revision it is at; `sendInitialEvents=true` (WatchList) does
 * the same and ends it with a BOOKMARK annotated
 * `k8s.io/initial-events-end: "true"` when bookmarks are allowed; a
 * resourceVersion N sends every change after N, read from the change
 * history, or one ERROR event with a 410 `Expired` Status when N is older
 * than the history kept for watches (WARDEN_WATCH_HISTORY). Then every
 * change as it is committed, on any replica (api/watch/hub.ts).
 *
 * What the caller sees is decided as a list would show it: label and field
 * selectors, and the part of a cluster-scope collection it may list. An
 * object entering that view is ADDED, one leaving it DELETED (with its last
 * state seen, at the revision it left), as kube's watch cache does for
 * selectors. The caller's identity and rights are checked again whenever
 * the snapshot changes: a revoked token or lost right ends the stream, and a
 * namespace moving out of a partial view ends as DELETED events for what it
 * held there.
 *
 * A client that does not read fast enough (more than WARDEN_WATCH_BUFFER
 * written but unsent) is disconnected; `timeoutSeconds` ends the stream
 * cleanly, as does shutdown.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import type { ListScope } from '../../engine/tenancy/list-scope.ts';
import type { ChangeEvent } from '../../prisma/store/changes.ts';
import { authenticate, impersonate } from '../authn.ts';
import { attributesOf, scopeOfList } from '../authz.ts';
import { contextOf, type AppDeps, type RequestContext } from '../context.ts';
import { asTable, tableOptionsOf, transformBody } from '../tables/table.ts';
import { apiVersionOf, type ApiKind } from '../resources/registry.ts';
import { expired, invalid, notAcceptable, tooManyRequests, type Status } from '../status.ts';
import type { EndReason, HubWatcher, JoinPosition } from './hub.ts';

/** What a list request selects; decided by api/resources/read.ts. */
export interface WatchSelection {
  matches(o: KubeObject): boolean;
}

export interface WatchRequest {
  kind: ApiKind;
  /** The namespace of a namespaced collection path, undefined for all namespaces. */
  namespace?: string;
  selection: WatchSelection;
  /** resourceVersion as given ('' when absent), already checked to be '', '0' or an unsigned integer. */
  resourceVersion: string;
  sendInitialEvents?: boolean;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
}

/** kube-apiserver's minimum request timeout. */
const minRequestTimeoutMs = 30 * 60_000;
/** Live changes a watch may hold while it catches up, before it is ended as too slow. */
const maxPending = 100_000;
/** Rows read from the history at a time when catching up. */
const page = 1000;

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** The timeoutSeconds option: a non-negative integer (422 otherwise, before anything is sent). */
export function watchTimeoutSeconds(query: Record<string, unknown>): number | undefined {
  const raw = query.timeoutSeconds;
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === '') return undefined;
  const n = Number(String(v).trim());
  if (!Number.isSafeInteger(n) || n < 0) {
    throw invalid('ListOptions', 'meta.k8s.io', '', [{ type: 'FieldValueInvalid', field: 'timeoutSeconds', value: v, detail: 'must be a non-negative integer' }]);
  }
  return n;
}

/** Opens a watch: refusals (limits, media types) are answered as plain Status errors before the stream starts. */
export async function serveWatch(deps: AppDeps, req: Request, res: Response, w: WatchRequest): Promise<void> {
  const ctx = contextOf(res);
  const accept = req.headers.accept ?? '';
  if (/application\/yaml/.test(accept) && !/application\/json|\*\/\*/.test(accept)) {
    throw notAcceptable('only the following media types are accepted: application/json, application/json;stream=watch');
  }
  const watcher = new StreamWatcher(deps, req, res, ctx, w);
  const joined = deps.watches.join(watcher);
  if (!joined.ok) throw tooManyRequests(joined.message, 1);
  try {
    await watcher.begin(joined.position);
  } catch (err) {
    deps.watches.leave(watcher);
    throw err;
  }
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

class StreamWatcher implements HubWatcher {
  readonly user: string;
  readonly kind: string;
  readonly namespace?: string;
  /** Changes of later revisions are sent. */
  #from = 0;
  /** The revision of the last event or bookmark written. */
  #written = 0;
  #live = false;
  #pending: { changes: readonly ChangeEvent[]; snapshot: Snapshot | undefined }[] = [];
  #pendingCount = 0;
  #draining = false;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;
  /** The snapshot the caller's identity and view were last decided under. */
  #decidedUnder: Snapshot | undefined;
  /** The part of a cluster-scope collection the caller may see; undefined when it may see all of it. */
  #scope: ListScope | undefined;
  /** What the client holds, when its view is partial: DELETED events for what leaves the view. */
  readonly #held = new Map<string, KubeObject>();

  constructor(
    private readonly deps: AppDeps,
    private readonly req: Request,
    private readonly res: Response,
    private readonly ctx: RequestContext,
    private readonly w: WatchRequest,
  ) {
    this.user = ctx.user.name;
    this.kind = w.kind.kind;
    this.namespace = w.namespace;
    this.#scope = ctx.listScope;
    // A client gone before the stream started leaves the hub all the same.
    res.on('close', () => this.#finish());
  }

  /** Decides where to start, starts the stream, sends what precedes the live changes. */
  async begin(position: JoinPosition): Promise<void> {
    const { deps, w } = this;
    const rv = w.resourceVersion === '' || w.resourceVersion === '0' ? undefined : Number(w.resourceVersion);
    const initial = w.sendInitialEvents ?? rv === undefined;
    let initialObjects: KubeObject[] = [];
    let failure: Status | undefined;
    if (initial) {
      const at = await deps.store.listObjectsAt(w.kind.kind, w.namespace);
      if (rv !== undefined && rv > at.revision) failure = tooLarge(rv, at.revision);
      this.#from = at.revision;
      initialObjects = at.objects;
    } else if (rv === undefined) {
      // The most recent state is the database's, which this replica's reader may not have reached yet.
      this.#from = Math.max(position.revision, await deps.store.currentRevision());
    } else {
      const [current, floor] = await Promise.all([deps.store.currentRevision(), deps.store.watchFloor(deps.config.watchHistoryMs)]);
      if (rv > current) failure = tooLarge(rv, current);
      else if (rv < floor) {
        failure = expired(`too old resource version: ${rv} (${floor})`).status;
        deps.watches.servedExpired();
      }
      this.#from = rv;
    }
    if (this.#ended) return;
    this.#startStream();
    if (failure) {
      this.#write('ERROR', failure);
      this.#finish();
      return;
    }
    this.#decidedUnder = deps.snapshots.held;
    for (const o of initialObjects) if (this.#visible(o)) this.#emit('ADDED', o, this.#from);
    if (w.sendInitialEvents === true && w.allowWatchBookmarks) {
      this.#bookmark(this.#from, true);
    }
    // What was committed after the start and handed out before this watch joined.
    let afterId: bigint | undefined;
    const through = Number.MAX_SAFE_INTEGER;
    for (;;) {
      if (this.#ended) return;
      const rows = (await deps.store.changesBetween(this.#from, through, { kind: w.kind.kind, namespace: w.namespace }, page, afterId))
        .filter((r) => r.id <= position.cursor);
      for (const r of rows) this.#apply(r);
      if (rows.length < page) break;
      afterId = rows[rows.length - 1].id;
    }
    this.#live = true;
    this.#drain();
  }

  deliver(changes: readonly ChangeEvent[], snapshot: Snapshot | undefined): void {
    if (this.#ended) return;
    this.#pending.push({ changes, snapshot });
    this.#pendingCount += changes.length;
    if (this.#pendingCount > maxPending) {
      this.#dropSlow();
      return;
    }
    if (this.#live) this.#drain();
  }

  progress(revision: number): void {
    if (this.#ended || !this.#live || this.#pending.length || !this.w.allowWatchBookmarks || revision <= this.#written) return;
    this.#bookmark(revision, false);
  }

  end(why: EndReason): void {
    if (this.#ended) return;
    if (why === 'stale' && this.res.headersSent) {
      this.#write('ERROR', {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'ServiceUnavailable', code: 503,
        message: 'this replica can no longer confirm its state with the database; watch again (another replica may serve it)',
      });
    }
    this.#finish();
  }

  #startStream(): void {
    const { res, req } = this;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json;stream=watch');
    res.setHeader('Cache-Control', 'no-cache, private');
    res.setHeader('Transfer-Encoding', 'chunked');
    res.removeHeader('Content-Length');
    res.flushHeaders();
    // As kube-apiserver: 0 or none is its default, a random time between 30 and 60 minutes.
    const ms = this.w.timeoutSeconds ? this.w.timeoutSeconds * 1000 : minRequestTimeoutMs * (1 + Math.random());
    this.#timer = setTimeout(() => this.#finish(), ms).unref();
    req.socket.setTimeout(0);
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (!this.#ended && this.#pending.length) {
        const { changes, snapshot } = this.#pending.shift()!;
        this.#pendingCount -= changes.length;
        if (snapshot !== this.#decidedUnder) {
          this.#decidedUnder = snapshot;
          if (!this.#decideAgain()) return;
        }
        for (const c of changes) this.#apply(c);
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Checks the caller's identity and rights again under a new snapshot.
   * False when the stream was ended (identity or right gone); a partial view
   * that shrank has sent DELETED for what left it.
   */
  #decideAgain(): boolean {
    const { deps, req, ctx } = this;
    let attrs;
    try {
      const caller = authenticate(deps, req);
      const user = impersonate(deps, req, caller);
      if (user.name !== this.user) throw new Error('identity changed');
      attrs = attributesOf({ user }, ctx.info);
      if (deps.authorizer.authorize(attrs).allowed) {
        // A partial view that became whole keeps showing what it showed; new objects arrive as they change.
        this.#scope = undefined;
        this.#held.clear();
        return true;
      }
    } catch {
      this.#finish();
      return false;
    }
    const scope = this.#scope === undefined ? undefined : scopeOfList(deps, attrs);
    if (!scope) {
      for (const o of this.#held.values()) this.#emit('DELETED', o, this.#written);
      this.#finish();
      return false;
    }
    this.#scope = scope;
    for (const [key, o] of [...this.#held]) {
      if (!inScope(scope, o)) {
        this.#held.delete(key);
        this.#emit('DELETED', o, this.#written);
      }
    }
    return true;
  }

  #visible(o: KubeObject): boolean {
    return this.w.selection.matches(o) && (this.#scope === undefined || inScope(this.#scope, o));
  }

  /** One committed change, as the caller's view shows it. */
  #apply(c: ChangeEvent): void {
    if (c.revision <= this.#from || this.#ended) return;
    const before = c.before && (this.#scope ? this.#held.has(keyOf(c.before)) : this.#visible(c.before)) ? c.before : null;
    const after = c.after && this.#visible(c.after) ? c.after : null;
    if (after) this.#emit(before ? 'MODIFIED' : 'ADDED', after, c.revision);
    else if (before) this.#emit('DELETED', before, c.revision);
  }

  #emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', o: KubeObject, revision: number): void {
    if (this.#scope) {
      if (type === 'DELETED') this.#held.delete(keyOf(o));
      else this.#held.set(keyOf(o), o);
    }
    const k = this.w.kind;
    const withRevision = () => (type === 'DELETED' ? { ...o, metadata: { ...o.metadata, resourceVersion: String(revision) } } : o);
    if (!k.decorate && !this.ctx.output?.conversion) {
      // The same line for every watch that shows this change as it is (written once per change, not per watch).
      this.#writeLine(type, this.deps.watches.line(o, type, revision, () => JSON.stringify({ type, object: withRevision() })));
    } else {
      let object = withRevision();
      const snapshot = this.deps.snapshots.held;
      if (k.decorate && snapshot) object = k.decorate(object, snapshot);
      this.#write(type, this.#converted(object));
    }
    if (revision > this.#written) this.#written = revision;
  }

  #bookmark(revision: number, initialEventsEnd: boolean): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision), creationTimestamp: null };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.#write('BOOKMARK', { kind: this.w.kind.kind, apiVersion: apiVersionOf(this.w.kind), metadata });
    this.#written = revision;
  }

  /** The object in the form the request negotiated: itself, a one-row Table, or its metadata. */
  #converted(o: KubeObject): unknown {
    const out = this.ctx.output;
    if (!out?.conversion) return o;
    const search = (this.req.originalUrl ?? '').split('?')[1] ?? '';
    if (out.conversion === 'Table') return asTable(o, out.version!, tableOptionsOf(search).includeObject, Date.now());
    return transformBody(o, 'PartialObjectMetadata', out.version!, search, Date.now());
  }

  #write(type: EventType, object: unknown): void {
    this.#writeLine(type, JSON.stringify({ type, object }));
  }

  #writeLine(type: EventType, line: string): void {
    if (this.#ended) return;
    this.res.write(`${line}\n`);
    this.deps.watches.counted(type);
    if (this.res.writableLength > this.deps.watches.settings.bufferBytes) this.#dropSlow();
  }

  #dropSlow(): void {
    if (this.#ended) return;
    this.deps.watches.droppedSlow();
    this.#ended = true;
    this.#cleanup();
    this.res.destroy();
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#cleanup();
    if (this.res.headersSent && !this.res.writableEnded) this.res.end();
  }

  #cleanup(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#pending = [];
    this.#held.clear();
    this.deps.watches.leave(this);
  }
}

function inScope(scope: ListScope, o: KubeObject): boolean {
  return scope.by === 'name' ? scope.names.has(o.metadata.name ?? '') : scope.namespaces.has(o.metadata.namespace ?? '');
}

/** A resourceVersion newer than any committed: the answer a list gets, which clients relist after. */
function tooLarge(rv: number, current: number): Status {
  return expired(`Too large resource version: ${rv}, current: ${current}`, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]).status;
}

