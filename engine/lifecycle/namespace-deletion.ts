/**
 * Deleting a Namespace, as kube-apiserver's namespace storage and the
 * namespace controller do it together, done by Warden in one write:
 *
 * - the first DELETE marks the namespace: deletionTimestamp, `status.phase`
 *   Terminating, and the garbage collector's finalizers as the options say
 *   (pkg/registry/core/namespace/storage: orphanDependents false means
 *   Foreground); no grace period is set;
 * - the namespace controller then deletes its content with propagation
 *   Background: what no finalizer holds goes, the rest is marked as being
 *   deleted and stays until its finalizers are removed;
 * - while content remains, the namespace keeps `kubernetes` in
 *   spec.finalizers and carries the controller's conditions (what remains,
 *   which finalizers hold it); once none remains, `kubernetes` is removed,
 *   and the namespace goes unless its own finalizers hold it.
 *
 * Pure: the caller reads the content and passes the time.
 */
import type { KubeObject } from '../meta.ts';
import { deletionOf, gcFinalizers, holdingFinalizers, namespaceFinalizer, orphanFinalizer, foregroundFinalizer, specFinalizers, type DeletionPolicy } from './deletion.ts';
import { namespaceDeletionConditions, type NamespaceCondition } from './namespace-conditions.ts';

/** The namespace REST Delete's garbage-collector finalizers: orphanDependents false means Foreground. */
function namespaceGcFinalizers(finalizers: readonly string[], p: DeletionPolicy): string[] | undefined {
  if (p.orphanDependents === undefined) return p.propagationPolicy ? gcFinalizers(finalizers, p) : undefined;
  const has = (f: string) => finalizers.includes(f);
  const orphan = p.orphanDependents;
  const foreground = !p.orphanDependents;
  if (orphan === has(orphanFinalizer) && foreground === has(foregroundFinalizer)) return undefined;
  const next = finalizers.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
  if (orphan) next.push(orphanFinalizer);
  if (foreground) next.push(foregroundFinalizer);
  return next;
}

/** The first DELETE of a namespace: the namespace as marked Terminating. */
export function markNamespace(ns: KubeObject, p: DeletionPolicy, now: string): KubeObject {
  const finalizers = namespaceGcFinalizers(ns.metadata.finalizers ?? [], p);
  const metadata = { ...ns.metadata, deletionTimestamp: ns.metadata.deletionTimestamp ?? now, ...(finalizers ? { finalizers } : {}) };
  return { ...ns, metadata, status: { ...((ns.status ?? {}) as object), phase: 'Terminating' } };
}

/** What the namespace controller's pass over a Terminating namespace writes. */
export interface NamespaceFinalization {
  /** The namespace as it must be stored, or null when it goes (with whatever is still in it). */
  namespace: KubeObject | null;
  /** Content no finalizer holds: removed now. */
  remove: KubeObject[];
  /** Content held by finalizers, marked as being deleted now. */
  mark: KubeObject[];
}

/**
 * One pass of the namespace controller over `ns` (already Terminating) and
 * its `content` as stored. `resourceOf` names an object's resource as the
 * conditions print it (`roles.rbac.authorization.k8s.io`, `serviceaccounts.`).
 */
export function finalizeNamespace(ns: KubeObject, content: readonly KubeObject[], resourceOf: (o: KubeObject) => string, now: string): NamespaceFinalization {
  const remove: KubeObject[] = [];
  const mark: KubeObject[] = [];
  const resources = new Map<string, number>();
  const finalizers = new Map<string, number>();
  for (const o of content) {
    const d = deletionOf(o, { propagationPolicy: 'Background' }, now);
    if (d.kind === 'remove') {
      remove.push(o);
      continue;
    }
    const held = d.kind === 'mark' ? d.object : o;
    if (d.kind === 'mark') mark.push(d.object);
    resources.set(resourceOf(held), (resources.get(resourceOf(held)) ?? 0) + 1);
    for (const f of held.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  }
  const remaining = resources.size > 0;
  const spec = remaining ? specFinalizers(ns) : specFinalizers(ns).filter((f) => f !== namespaceFinalizer);
  if (!spec.length && !holdingFinalizers(ns).length) return { namespace: null, remove, mark };
  const status = (ns.status ?? {}) as { conditions?: NamespaceCondition[] };
  const conditions = namespaceDeletionConditions(status.conditions, { resources, finalizers }, now);
  const namespace = { ...ns, spec: { ...((ns.spec ?? {}) as object), finalizers: spec }, status: { ...status, phase: 'Terminating', conditions } };
  return { namespace, remove, mark };
}
