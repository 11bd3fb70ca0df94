/**
 * What a DELETE does to a stored object, as kube-apiserver's generic store
 * decides it (registry/generic/registry/store.go: Delete,
 * updateForGracefulDeletionAndFinalizers, deletionFinalizersForGarbageCollection,
 * markAsDeleting), with the garbage collector's part done in the same write:
 *
 * - the garbage collector's finalizers are set as the options say:
 *   Orphan (or orphanDependents: true) adds `orphan`, Foreground adds
 *   `foregroundDeletion`, Background removes both; without a policy the
 *   object keeps those it has;
 * - an object left with other finalizers is not removed but marked: its
 *   deletionTimestamp is set (kept if set already) and its
 *   deletionGracePeriodSeconds is 0; deleting it again changes nothing;
 * - an object held by no other finalizer is removed. The collector's own
 *   finalizers hold nothing here: Warden does the collector's work (the
 *   cascades it keeps, such as a tenant's namespaces under Foreground) in
 *   the write that deletes the owner, and the collector then drops its
 *   finalizer and the object goes, as on a cluster once the collector ran.
 *
 * None of Warden's kinds deletes gracefully (as Pods do), so
 * gracePeriodSeconds changes nothing. A Namespace's own first deletion is
 * engine/lifecycle/namespace-deletion.ts. Everything here is pure: the
 * caller passes the time.
 */
import type { KubeObject } from '../meta.ts';
import type { PropagationPolicy } from './delete-options.ts';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';
/** The namespace controller's finalizer, in a Namespace's spec.finalizers. */
export const namespaceFinalizer = 'kubernetes';

/** How the dependents of a deleted object are treated (validated DeleteOptions). */
export interface DeletionPolicy {
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
}

export type Deletion =
  /** Remove the object now. */
  | { kind: 'remove' }
  /** Store `object`: the object marked as being deleted (or with its finalizers changed). */
  | { kind: 'mark'; object: KubeObject }
  /** Already being deleted as asked: nothing to write. */
  | { kind: 'unchanged' };

export const isDeleting = (o: KubeObject): boolean => !!o.metadata.deletionTimestamp;

const isCollectorFinalizer = (f: string) => f === orphanFinalizer || f === foregroundFinalizer;

/** The finalizers that keep an object: all but the garbage collector's (see the header). */
export function holdingFinalizers(o: KubeObject): string[] {
  return (o.metadata.finalizers ?? []).filter((f) => !isCollectorFinalizer(f));
}

export function specFinalizers(o: KubeObject): string[] {
  const f = (o.spec as { finalizers?: unknown } | undefined)?.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

/** shouldOrphanDependents: options first, then the finalizers the object has; every Warden kind defaults to Background. */
function shouldOrphan(finalizers: readonly string[], p: DeletionPolicy): boolean {
  if (p.orphanDependents !== undefined) return p.orphanDependents;
  if (p.propagationPolicy !== undefined) return p.propagationPolicy === 'Orphan';
  for (const f of finalizers) {
    if (f === orphanFinalizer) return true;
    if (f === foregroundFinalizer) return false;
  }
  return false;
}

/** shouldDeleteDependents: orphanDependents (either value) rules it out. */
function shouldDeleteDependents(finalizers: readonly string[], p: DeletionPolicy): boolean {
  if (p.orphanDependents !== undefined) return false;
  if (p.propagationPolicy !== undefined) return p.propagationPolicy === 'Foreground';
  for (const f of finalizers) {
    if (f === foregroundFinalizer) return true;
    if (f === orphanFinalizer) return false;
  }
  return false;
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

/**
 * deletionFinalizersForGarbageCollection: the object's finalizers with
 * `orphan` and `foregroundDeletion` as the policy wants them (the others
 * kept in order, the garbage collector's appended), or undefined when
 * they are already so.
 */
export function gcFinalizers(finalizers: readonly string[], p: DeletionPolicy): string[] | undefined {
  const next = finalizers.filter((f) => !isCollectorFinalizer(f));
  if (shouldOrphan(finalizers, p)) next.push(orphanFinalizer);
  if (shouldDeleteDependents(finalizers, p)) next.push(foregroundFinalizer);
  return sameSet(finalizers, next) ? undefined : next;
}

/** markAsDeleting: deletionTimestamp (kept when set), a zero grace period, the generation bumped on the first mark. */
export function markAsDeleting(o: KubeObject, finalizers: readonly string[], now: string): KubeObject {
  const m = o.metadata;
  const metadata = { ...m, finalizers: [...finalizers], deletionTimestamp: m.deletionTimestamp ?? now, deletionGracePeriodSeconds: 0 };
  if (!m.deletionTimestamp && (m.generation ?? 0) > 0) metadata.generation = m.generation! + 1;
  return { ...o, metadata };
}

/**
 * What deleting `o` with policy `p` at time `now` (RFC 3339, seconds) does.
 * For a Namespace this is the store's part only, once its spec.finalizers
 * are empty (the caller refuses the delete before that).
 */
export function deletionOf(o: KubeObject, p: DeletionPolicy, now: string): Deletion {
  const finalizers = o.metadata.finalizers ?? [];
  const next = gcFinalizers(finalizers, p) ?? finalizers;
  if (!next.some((f) => !isCollectorFinalizer(f))) return { kind: 'remove' };
  const m = o.metadata;
  const same = sameSet(next, finalizers) && m.deletionTimestamp !== undefined && m.deletionGracePeriodSeconds === 0;
  return same ? { kind: 'unchanged' } : { kind: 'mark', object: markAsDeleting(o, next, now) };
}

/**
 * Whether an object being deleted may now be removed: nothing but the
 * garbage collector's finalizers is left (for a Namespace, its
 * spec.finalizers are empty too). kube-apiserver removes such an object in
 * the write that takes its last finalizer away.
 */
export function isRemovable(o: KubeObject): boolean {
  if (!isDeleting(o) || holdingFinalizers(o).length) return false;
  return o.kind !== 'Namespace' || specFinalizers(o).length === 0;
}
