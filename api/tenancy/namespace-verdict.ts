/**
 * Where a namespace a user creates lands (engine/tenancy/namespace-admission.ts),
 * asked of the snapshot in force: which tenants the user owns, and whether
 * it may create namespaces through a binding that is not a tenant owner's.
 * Shared by Warden's own writes and the admission webhooks.
 */
import type { Attributes } from '../../engine/rbac/types.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import { admitNamespace, type NamespaceVerdict } from '../../engine/tenancy/namespace-admission.ts';
import { namespacesOf, ownedTenants } from '../../engine/tenancy/owners.ts';
import type { AppDeps } from '../context.ts';

export function createNamespacesAttrs(user: Attributes['user']): Attributes {
  return { user, verb: 'create', isResourceRequest: true, namespace: '', apiGroup: '', apiVersion: 'v1', resource: 'namespaces', subresource: '', name: '', path: '' };
}

/**
 * The verdict on creating namespace `name` labelled `tenant` (undefined:
 * none) as `user`. A namespace the snapshot already holds does not count
 * against its own tenant's limit, so a create retried after it was recorded
 * is decided as the first one was.
 */
export function namespaceCreateVerdict(deps: AppDeps, snapshot: Snapshot, user: Attributes['user'], tenant: string | undefined, name: string): NamespaceVerdict {
  // A tenant being deleted takes no new namespaces: it counts as gone.
  const tenants = [...snapshot.tenants.values()].some((t) => t.metadata.deletionTimestamp)
    ? new Map([...snapshot.tenants].filter(([, t]) => !t.metadata.deletionTimestamp)) : snapshot.tenants;
  return admitNamespace({
    operation: 'CREATE', user: user.name, tenant,
    owned: ownedTenants(tenants, user),
    mayCreateAny: deps.authorizer.allowedOutsideTenancy(createNamespacesAttrs(user)),
    tenants,
    namespaceCount: (t) => namespacesOf(snapshot.namespaces, t).filter((n) => n !== name).length,
  });
}
