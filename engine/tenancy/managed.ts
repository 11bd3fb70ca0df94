/**
 * The RBAC objects Warden keeps for tenants, all labelled as managed: what
 * a tenant's owners may do is granted by these, not by a second authorizer,
 * so SubjectAccessReviews, who-can and rules reviews all see it.
 *
 * - In every namespace of a tenant: RoleBinding `warden-tenant-owners`
 *   (owners get `admin`), RoleBinding `warden-tenant-owners-namespace`
 *   (owners get ClusterRole `warden:tenant-namespace-owner`: read, change
 *   and delete that namespace, since a RoleBinding grants inside its own
 *   namespace only), and the tenant's own `spec.roleBindings`.
 * - Per tenant: ClusterRole `warden:tenant:<t>:owner` (create namespaces —
 *   admission decides which tenant they land in —, bulk apply, read the
 *   tenant) and ClusterRoleBinding `warden:tenant:<t>:owners` of the owners.
 * - Once: ClusterRole `warden:tenant-namespace-owner`.
 *
 * `managedRepairs` compares what should exist with what does and says
 * what to create, replace and delete, so drift is put back.
 */
import type { KubeObject } from '../meta.ts';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding, Subject } from '../rbac/types.ts';
import type { RbacView } from '../rbac/view.ts';
import {
  isManaged, managedLabel, namespaceOwnerRoleName, ownersBindingName, ownersNamespaceBindingName, tenantLabel, tenantOf,
  tenantOwnerRoleName, tenantOwnersBindingName, type Tenant,
} from './types.ts';

const rbacGroup = 'rbac.authorization.k8s.io';
const rbacV1 = 'rbac.authorization.k8s.io/v1';

function normalizeSubject(s: Subject): Subject {
  const out: Subject = { kind: s.kind, name: s.name };
  if (s.kind === 'User' || s.kind === 'Group') out.apiGroup = s.apiGroup || rbacGroup;
  else if (s.apiGroup) out.apiGroup = s.apiGroup;
  if (s.namespace) out.namespace = s.namespace;
  return out;
}

const labels = (tenant?: string) => ({ [managedLabel]: 'true', ...(tenant ? { [tenantLabel]: tenant } : {}) });

function binding(tenant: string, namespace: string, name: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: rbacV1,
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: labels(tenant) },
    subjects: subjects.map(normalizeSubject),
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName },
  };
}

/** What should exist in `namespace` for `tenant`: the owners' two bindings first, then the tenant's own. */
export function desiredBindings(tenant: Tenant, namespace: string): RoleBinding[] {
  const name = tenant.metadata.name!;
  const owners = tenant.spec.owners ?? [];
  const out = [
    binding(name, namespace, ownersBindingName, 'admin', owners),
    binding(name, namespace, ownersNamespaceBindingName, namespaceOwnerRoleName, owners),
  ];
  for (const b of tenant.spec.roleBindings ?? []) out.push(binding(name, namespace, b.name, b.roleRef.name, b.subjects ?? []));
  return out;
}

/** ClusterRole `warden:tenant-namespace-owner`; bound in a namespace, it grants that namespace and no other. */
export function namespaceOwnerRole(): ClusterRole {
  return {
    apiVersion: rbacV1, kind: 'ClusterRole',
    metadata: { name: namespaceOwnerRoleName, labels: labels() },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'update', 'patch', 'delete'] }],
  };
}

/** A tenant's cluster-scope objects: its owners' ClusterRole and the ClusterRoleBinding of the owners to it. */
export function desiredTenantRbac(tenant: Tenant): [ClusterRole, ClusterRoleBinding] {
  const name = tenant.metadata.name!;
  const rules: PolicyRule[] = [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['create'] },
    { apiGroups: ['warden.dev'], resources: ['apply'], verbs: ['create'] },
    { apiGroups: ['tenancy.warden.dev'], resources: ['tenants'], resourceNames: [name], verbs: ['get'] },
  ];
  return [
    { apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: tenantOwnerRoleName(name), labels: labels(name) }, rules },
    {
      apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: { name: tenantOwnersBindingName(name), labels: labels(name) },
      subjects: (tenant.spec.owners ?? []).map(normalizeSubject),
      roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: tenantOwnerRoleName(name) },
    },
  ];
}

type RbacObject = RoleBinding | ClusterRoleBinding | ClusterRole;

export interface ManagedRepairs {
  create: RbacObject[];
  /** A binding's roleRef cannot change in place: a changed object is deleted and created again. */
  replace: { current: RbacObject; desired: RbacObject }[];
  /** Managed objects nothing asks for any more. */
  remove: RbacObject[];
}

/**
 * Whether a stored object already is the desired one. Compared field by
 * field: stored objects come back from jsonb with their keys reordered, so
 * serializing them as they are would find every object changed and rewrite
 * it on every pass.
 */
export function sameManaged(a: RbacObject, b: RbacObject): boolean {
  const j = JSON.stringify;
  const marks = (x: RbacObject) => j([x.metadata.labels?.[managedLabel], x.metadata.labels?.[tenantLabel]]);
  if (marks(a) !== marks(b)) return false;
  if (b.kind === 'ClusterRole') {
    const rules = (x: ClusterRole) => j((x.rules ?? []).map((r) => [r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.verbs ?? [], r.nonResourceURLs ?? []]));
    return a.kind === 'ClusterRole' && rules(a) === rules(b) && (a as ClusterRole).aggregationRule === undefined;
  }
  const x = a as RoleBinding, y = b as RoleBinding;
  const ref = (r: RoleBinding) => j([r.roleRef?.apiGroup, r.roleRef?.kind, r.roleRef?.name]);
  const subjects = (r: RoleBinding) => j((r.subjects ?? []).map(normalizeSubject));
  return ref(x) === ref(y) && subjects(x) === subjects(y);
}

function repairs(): ManagedRepairs {
  return { create: [], replace: [], remove: [] };
}

function want(out: ManagedRepairs, current: RbacObject | undefined, desired: RbacObject): void {
  if (!current) out.create.push(desired);
  else if (!sameManaged(current, desired)) out.replace.push({ current, desired });
}

/**
 * What makes the state match `tenant` as written: its cluster-scope role
 * and binding, and the bindings in each of its namespaces (`tenantNamespaces`). The write of a
 * Tenant carries these, so its owners' rights change in the same revision.
 */
export function tenantRepairs(
  tenant: Tenant, tenantNamespaces: Iterable<string>, rbac: RbacView, out = repairs(), crbs = bindingsByName(rbac),
): ManagedRepairs {
  const [role, crb] = desiredTenantRbac(tenant);
  want(out, rbac.clusterRole(role.metadata.name!), role);
  want(out, crbs.get(crb.metadata.name!), crb);
  for (const ns of tenantNamespaces) {
    const existing = new Map(rbac.roleBindings(ns).map((b) => [b.metadata.name!, b]));
    const wanted = desiredBindings(tenant, ns);
    for (const d of wanted) want(out, existing.get(d.metadata.name!), d);
    const wantedNames = new Set(wanted.map((d) => d.metadata.name));
    for (const b of existing.values()) if (isManaged(b) && !wantedNames.has(b.metadata.name)) out.remove.push(b);
  }
  return out;
}

/** The cluster-scope objects of a deleted tenant (its namespaces, and their bindings, go with it or are refused). */
export function tenantRemovals(tenant: string, rbac: RbacView): RbacObject[] {
  const out: RbacObject[] = [];
  const role = rbac.clusterRole(tenantOwnerRoleName(tenant));
  if (role && isManaged(role)) out.push(role);
  const crb = bindingsByName(rbac).get(tenantOwnersBindingName(tenant));
  if (crb && isManaged(crb)) out.push(crb);
  return out;
}

function bindingsByName(rbac: RbacView): Map<string, ClusterRoleBinding> {
  return new Map(rbac.clusterRoleBindings().map((b) => [b.metadata.name!, b]));
}

/** Repairs over every managed object: the shared role, each tenant's objects, and managed objects nothing asks for. */
export function managedRepairs(tenants: ReadonlyMap<string, Tenant>, namespaces: ReadonlyMap<string, KubeObject>, rbac: RbacView): ManagedRepairs {
  const out = repairs();
  // The stored object is what is compared; a managed ClusterRole never aggregates.
  want(out, rbac.clusterRole(namespaceOwnerRoleName), namespaceOwnerRole());
  const wantedCluster = new Set<string>([namespaceOwnerRoleName]);
  const byTenant = new Map<string, string[]>();
  for (const [ns, obj] of namespaces) {
    const t = tenantOf(obj);
    // A namespace being deleted gets no bindings back: its content is going.
    if (t === undefined || obj.metadata.deletionTimestamp) continue;
    const list = byTenant.get(t);
    if (list) list.push(ns);
    else byTenant.set(t, [ns]);
  }
  const crbs = bindingsByName(rbac);
  const live = (t: Tenant | undefined) => !!t && !t.metadata.deletionTimestamp;
  for (const tenant of tenants.values()) {
    // A tenant being deleted grants nothing: what Warden keeps for it goes.
    if (!live(tenant)) continue;
    tenantRepairs(tenant, byTenant.get(tenant.metadata.name!) ?? [], rbac, out, crbs);
    wantedCluster.add(tenantOwnerRoleName(tenant.metadata.name!)).add(tenantOwnersBindingName(tenant.metadata.name!));
  }
  for (const r of rbac.clusterRoles()) if (isManaged(r) && !wantedCluster.has(r.metadata.name!)) out.remove.push(r);
  for (const b of rbac.clusterRoleBindings()) if (isManaged(b) && !wantedCluster.has(b.metadata.name!)) out.remove.push(b);
  // Managed bindings left in a namespace that belongs to no tenant (any more).
  for (const ns of rbac.roleBindingNamespaces()) {
    if (live(tenants.get(tenantOf(namespaces.get(ns)) ?? ''))) continue;
    for (const b of rbac.roleBindings(ns)) if (isManaged(b)) out.remove.push(b);
  }
  return out;
}
