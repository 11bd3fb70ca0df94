/**
 * kube-apiserver's starting state: the namespaces `default`, `kube-system`,
 * `kube-public` and `kube-node-lease` exist, in no tenant. Warden creates
 * any that are missing when it starts (as the apiserver's system-namespaces
 * controller recreates them), and refuses to delete the first three as the
 * NamespaceLifecycle admission plugin does ("immortal" namespaces).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeObject } from '../../engine/meta.ts';
import { StoreError } from '../../prisma/store/errors.ts';
import type { Store } from '../../prisma/store/store.ts';
import { forbidden } from '../status.ts';
import type { WriteCheck } from './admission.ts';
import { prepareNamespace } from './namespace-strategy.ts';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
export const immortalNamespaces: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

/** The system namespaces as first written, stamped at `now`. */
export function systemNamespaceObjects(names: readonly string[] = systemNamespaces, now = new Date()): KubeObject[] {
  const creationTimestamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return names.map((name) => prepareNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: randomUUID(), creationTimestamp } }));
}

/** Creates the system namespaces that do not exist; replicas starting together race harmlessly. */
export async function ensureSystemNamespaces(store: Store, actor: string, log: Logger): Promise<void> {
  const missing: string[] = [];
  for (const name of systemNamespaces) if (!(await store.getObject('Namespace', undefined, name))) missing.push(name);
  if (!missing.length) return;
  try {
    await store.write(systemNamespaceObjects(missing).map((object) => ({ op: 'create', object })), actor);
    log.info({ namespaces: missing }, 'created the system namespaces');
  } catch (err) {
    if (err instanceof StoreError && err.reason === 'AlreadyExists') return;
    throw err;
  }
}

/** Deleting `default`, `kube-system` or `kube-public` is refused, to everyone. */
export const immortalNamespacesCheck: WriteCheck = (_deps, _ctx, k, next, prev) => {
  if (k.kind !== 'Namespace' || next || !prev || !immortalNamespaces.has(prev.metadata.name ?? '')) return;
  throw forbidden({ resource: 'namespaces', name: prev.metadata.name }, 'this namespace may not be deleted');
};
