/**
 * The RoleBindings Warden keeps in every namespace of a tenant: the owners'
 * `admin` binding and the tenant's extra `spec.roleBindings`, labelled as
 * managed. `bindingRepairs` compares what should exist with what does and
 * says what to create, replace and delete, so a deleted or edited managed
 * binding is put back.
 */
import type { KubeObject } from '../meta.ts';
import type { RoleBinding, Subject } from '../rbac/types.ts';
import type { RbacView } from '../rbac/view.ts';
import { managedLabel, ownersBindingName, tenantLabel, tenantOf, type Tenant } from './types.ts';

const rbacGroup = 'rbac.authorization.k8s.io';
const rbacV1 = 'rbac.authorization.k8s.io/v1';

function normalizeSubject(s: Subject): Subject {
  const out: Subject = { kind: s.kind, name: s.name };
  if (s.kind === 'User' || s.kind === 'Group') out.apiGroup = s.apiGroup || rbacGroup;
  else if (s.apiGroup) out.apiGroup = s.apiGroup;
  if (s.namespace) out.namespace = s.namespace;
  return out;
}

function binding(tenant: string, namespace: string, name: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: rbacV1,
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: { [managedLabel]: 'true', [tenantLabel]: tenant } },
    subjects: subjects.map(normalizeSubject),
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName },
  };
}

/** What should exist in `namespace` for `tenant`, owners' binding first. */
export function desiredBindings(tenant: Tenant, namespace: string): RoleBinding[] {
  const name = tenant.metadata.name!;
  const out = [binding(name, namespace, ownersBindingName, 'admin', tenant.spec.owners ?? [])];
  for (const b of tenant.spec.roleBindings ?? []) out.push(binding(name, namespace, b.name, b.roleRef.name, b.subjects ?? []));
  return out;
}

export interface BindingRepairs {
  create: RoleBinding[];
  /** roleRef cannot change in place: a changed binding is deleted and created again. */
  replace: { current: RoleBinding; desired: RoleBinding }[];
  /** Managed bindings the tenant no longer asks for. */
  remove: RoleBinding[];
}

/**
 * Whether a stored binding already is the desired one. Compared field by
 * field: stored objects come back from jsonb with their keys reordered, so
 * serializing them as they are would find every binding changed and rewrite
 * it on every pass.
 */
function same(a: RoleBinding, b: RoleBinding): boolean {
  const labels = (x: RoleBinding) => JSON.stringify([x.metadata.labels?.[managedLabel], x.metadata.labels?.[tenantLabel]]);
  const ref = (x: RoleBinding) => JSON.stringify([x.roleRef?.apiGroup, x.roleRef?.kind, x.roleRef?.name]);
  const subjects = (x: RoleBinding) => JSON.stringify((x.subjects ?? []).map(normalizeSubject));
  return ref(a) === ref(b) && subjects(a) === subjects(b) && labels(a) === labels(b);
}

/** Repairs over every namespace of every tenant that exists. */
export function bindingRepairs(tenants: ReadonlyMap<string, Tenant>, namespaces: ReadonlyMap<string, KubeObject>, rbac: RbacView): BindingRepairs {
  const out: BindingRepairs = { create: [], replace: [], remove: [] };
  for (const [ns, obj] of namespaces) {
    const tenant = tenants.get(tenantOf(obj) ?? '');
    if (!tenant) continue;
    const existing = new Map(rbac.roleBindings(ns).map((b) => [b.metadata.name!, b]));
    const wanted = desiredBindings(tenant, ns);
    for (const d of wanted) {
      const current = existing.get(d.metadata.name!);
      if (!current) out.create.push(d);
      else if (!same(current, d)) out.replace.push({ current, desired: d });
    }
    const wantedNames = new Set(wanted.map((d) => d.metadata.name));
    for (const b of existing.values()) {
      if (b.metadata.labels?.[managedLabel] === 'true' && !wantedNames.has(b.metadata.name)) out.remove.push(b);
    }
  }
  return out;
}
