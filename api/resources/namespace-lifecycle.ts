/**
 * Namespaces being deleted, as kube-apiserver's NamespaceLifecycle admission
 * plugin and the namespace controller treat them:
 *
 * - nothing new is created in a Terminating namespace (403, with kube's
 *   message and its `NamespaceTerminating` cause on `metadata.namespace`);
 * - a write that marks a namespace Terminating, deletes one as a cascade
 *   does, or changes content of a Terminating one, carries the controller's
 *   pass over that namespace (engine/lifecycle/namespace-deletion.ts): the
 *   content no finalizer holds goes, the rest is marked, the namespace's
 *   conditions say what remains, and the namespace goes with the write that
 *   removes the last of it. The content is read from the store before the
 *   transaction; each op keeps its resourceVersion precondition, so a
 *   concurrent change of the same objects makes the write a 409 Conflict.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../engine/meta.ts';
import { isDeleting, namespaceFinalizer, specFinalizers } from '../../engine/lifecycle/deletion.ts';
import { finalizeNamespace, markNamespace } from '../../engine/lifecycle/namespace-deletion.ts';
import type { WriteOp } from '../../prisma/store/write.ts';
import type { AppDeps } from '../context.ts';
import { forbidden } from '../status.ts';
import type { WriteCheck } from './admission.ts';
import type { OpExpander } from './commit.ts';
import { nowStamp } from './delete.ts';
import { apiKinds } from './registry.ts';

const namespacedKinds = apiKinds.filter((k) => k.namespaced);
const resourceByKind = new Map(namespacedKinds.map((k) => [k.kind as string, `${k.plural}.${k.group}`]));
const resourceOf = (o: KubeObject) => resourceByKind.get(o.kind) ?? `${o.kind.toLowerCase()}.`;

const isTerminating = (ns: KubeObject | undefined) => (ns?.status as { phase?: string } | undefined)?.phase === 'Terminating';

/** NamespaceLifecycle: creating content in a Terminating namespace is forbidden. */
export const terminatingNamespaceCheck: WriteCheck = (deps, _ctx, k, next, prev) => {
  if (!next || prev || !k.namespaced) return;
  const namespace = next.metadata.namespace ?? '';
  if (!isTerminating(deps.snapshots.current.namespaces.get(namespace))) return;
  const err = forbidden({ resource: k.plural, group: k.group || undefined, name: next.metadata.name ?? '' },
    `unable to create new content in namespace ${namespace} because it is being terminated`);
  err.status.details = { ...err.status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] };
  throw err;
};

const subjectOf = (op: WriteOp) => (op.op === 'delete' ? op.before : op.object);

/** The content of `namespace` as stored, with the batch's own writes applied. */
async function contentOf(deps: AppDeps, namespace: string, ops: readonly WriteOp[]): Promise<Map<string, KubeObject>> {
  const content = new Map<string, KubeObject>();
  for (const k of namespacedKinds) for (const o of await deps.store.listObjects(k.kind, namespace)) content.set(o.metadata.uid!, o);
  for (const op of ops) {
    const o = subjectOf(op);
    if (o.kind === 'Namespace' || o.metadata.namespace !== namespace) continue;
    if (op.op === 'delete') content.delete(o.metadata.uid!);
    else content.set(o.metadata.uid ?? `new:${o.kind}/${o.metadata.name}`, o);
  }
  return content;
}

/** The namespace controller's pass over the namespaces the batch deletes or whose content it changes (see the header). */
export const namespaceFinalization: OpExpander = async (deps, _ctx, ops) => {
  const now = nowStamp();
  /** Namespaces to pass over: the op that writes each (when the batch has one) and the namespace as it will be. */
  const passes = new Map<string, { index?: number; ns: KubeObject; before: KubeObject }>();
  ops.forEach((op, index) => {
    if (op.op === 'update' && op.object.kind === 'Namespace' && isDeleting(op.object) && specFinalizers(op.object).includes(namespaceFinalizer)) {
      passes.set(op.object.metadata.name!, { index, ns: op.object, before: op.before });
    } else if (op.op === 'delete' && op.before.kind === 'Namespace' && (!isDeleting(op.before) || specFinalizers(op.before).length)) {
      // A cascade (a tenant's namespaces under Foreground) deletes a namespace as a DELETE of it would:
      // only one whose spec.finalizers are done is removed outright.
      const ns = isDeleting(op.before) ? op.before : markNamespace(op.before, {}, now);
      passes.set(op.before.metadata.name!, { index, ns, before: op.before });
    }
  });
  const snapshot = deps.snapshots.current;
  for (const op of ops) {
    const o = subjectOf(op);
    const name = o.metadata.namespace;
    if (o.kind === 'Namespace' || !name || passes.has(name) || !isTerminating(snapshot.namespaces.get(name))) continue;
    const ns = await deps.store.getObject('Namespace', undefined, name);
    if (ns && isDeleting(ns)) passes.set(name, { ns, before: ns });
  }
  if (!passes.size) return ops;
  const out = ops.slice();
  const touched = new Set(ops.map((op) => subjectOf(op).metadata.uid));
  for (const [name, pass] of passes) {
    const content = await contentOf(deps, name, ops);
    const result = finalizeNamespace(pass.ns, [...content.values()], resourceOf, now);
    let nsOp: WriteOp | undefined;
    if (!result.namespace) nsOp = { op: 'delete', before: pass.before };
    else if (pass.index !== undefined || !isDeepStrictEqual(result.namespace, pass.before)) nsOp = { op: 'update', object: result.namespace, before: pass.before };
    // Removing the namespace removes what is left in it; otherwise the content goes or is marked op by op.
    const contentOps: WriteOp[] = [];
    if (result.namespace) {
      for (const o of result.remove) if (!touched.has(o.metadata.uid)) contentOps.push({ op: 'delete', before: o });
      for (const o of result.mark) if (!touched.has(o.metadata.uid)) contentOps.push({ op: 'update', object: o, before: content.get(o.metadata.uid!)! });
    }
    if (pass.index !== undefined) out[pass.index] = nsOp!;
    else if (nsOp) out.push(nsOp);
    out.push(...contentOps);
  }
  return out;
};
