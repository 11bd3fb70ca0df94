/**
 * Tenants as an API kind: validated with engine/tenancy/validation.ts;
 * status is the server's: `used` (tenant-wide quota usage, written by
 * admission) is kept, and `namespaces`/`namespaceCount` are computed from
 * the snapshot whenever a tenant is shown.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { Snapshot } from '../../engine/snapshot.ts';
import { namespacesOf } from '../../engine/tenancy/owners.ts';
import { validateTenantSpec } from '../../engine/tenancy/validation.ts';

type TenantStatus = { used?: Record<string, string>; namespaces?: string[]; namespaceCount?: number };

const rbacGroup = 'rbac.authorization.k8s.io';

/** v1 defaulting as for bindings: User and Group subjects, and role references, are in the RBAC group. */
function defaultSubjects(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((s) => (s && typeof s === 'object' && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group') ? { ...s, apiGroup: rbacGroup } : s));
}

export function prepareTenant(o: KubeObject, prev?: KubeObject): KubeObject {
  const used = ((prev?.status ?? {}) as TenantStatus).used ?? {};
  const spec = { ...((o.spec ?? {}) as Record<string, unknown>) };
  if (spec.owners !== undefined) spec.owners = defaultSubjects(spec.owners);
  if (Array.isArray(spec.roleBindings)) {
    spec.roleBindings = spec.roleBindings.map((b) => (b && typeof b === 'object'
      ? { ...b, subjects: defaultSubjects(b.subjects), ...(b.roleRef && typeof b.roleRef === 'object' ? { roleRef: { apiGroup: rbacGroup, ...b.roleRef } } : {}) }
      : b));
  }
  return { ...o, spec, status: { used } };
}

export const validateTenant = (o: KubeObject) => validateTenantSpec(o.spec);
export const validateTenantUpdate = (next: KubeObject) => validateTenantSpec(next.spec);

/** The tenant as shown: its namespaces as the snapshot knows them. */
export function decorateTenant(o: KubeObject, snapshot: Snapshot): KubeObject {
  const namespaces = namespacesOf(snapshot.namespaces, o.metadata.name!);
  const status = { ...((o.status ?? {}) as TenantStatus), namespaces, namespaceCount: namespaces.length };
  return { ...o, status };
}
