/**
 * An RbacView of "the current state with these changes applied", built
 * without copying or writing the current state. Changed objects replace the
 * stored ones in place (keeping lister order), new ones are appended in
 * change order, deleted ones disappear. When any ClusterRole changes,
 * aggregation is re-resolved over the whole changed set of ClusterRoles
 * (`aggregateClusterRoles`, the one aggregation), so adding a labelled
 * ClusterRole that feeds `admin` changes `admin` too.
 */
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, UserInfo } from './types.ts';
import type { ApplicableBinding, RbacView } from './view.ts';
import { firstMatchingSubject } from './subject-match.ts';
import { aggregateClusterRoles } from './aggregation.ts';

export type RbacObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;

export interface RbacObjectRef {
  kind: RbacObject['kind'];
  /** Required for Role and RoleBinding. */
  namespace?: string;
  name: string;
}

/** Objects to create or replace (matched by kind, namespace, name), then objects to delete. */
export interface RbacChangeSet {
  apply?: readonly RbacObject[];
  delete?: readonly RbacObjectRef[];
}

/** Merges `base` with changes keyed by name: replaced in place, `null` removes, new ones appended. */
function overlay<T extends { metadata: { name?: string } }>(base: Iterable<T>, changes: Map<string, T | null> | undefined): T[] {
  if (!changes || changes.size === 0) return [...base];
  const out: T[] = [];
  const seen = new Set<string>();
  for (const item of base) {
    const name = item.metadata.name ?? '';
    seen.add(name);
    if (!changes.has(name)) { out.push(item); continue; }
    const replacement = changes.get(name);
    if (replacement) out.push(replacement);
  }
  for (const [name, item] of changes) if (item && !seen.has(name)) out.push(item);
  return out;
}

function namedMap<T>(outer: Map<string, Map<string, T | null>>, ns: string): Map<string, T | null> {
  let inner = outer.get(ns);
  if (!inner) { inner = new Map(); outer.set(ns, inner); }
  return inner;
}

/** The view after `changes`; `before` is only read. */
export function applyChanges(before: RbacView, changes: RbacChangeSet): RbacView {
  const crbs = new Map<string, ClusterRoleBinding | null>();
  const crs = new Map<string, ClusterRole | null>();
  const rbs = new Map<string, Map<string, RoleBinding | null>>();
  const roles = new Map<string, Map<string, Role | null>>();
  const record = (kind: RbacObject['kind'], namespace: string, name: string, obj: RbacObject | null) => {
    switch (kind) {
      case 'ClusterRoleBinding': crbs.set(name, obj as ClusterRoleBinding | null); break;
      case 'ClusterRole': crs.set(name, obj as ClusterRole | null); break;
      case 'RoleBinding': namedMap(rbs, namespace).set(name, obj as RoleBinding | null); break;
      case 'Role': namedMap(roles, namespace).set(name, obj as Role | null); break;
    }
  };
  for (const obj of changes.apply ?? []) record(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '', obj);
  for (const ref of changes.delete ?? []) record(ref.kind, ref.namespace ?? '', ref.name, null);

  let crbList: ClusterRoleBinding[] | undefined;
  const rbLists = new Map<string, RoleBinding[]>();
  let resolved: { list: ClusterRole[]; byName: Map<string, ClusterRole> } | undefined;
  const resolvedClusterRoles = () => {
    if (!resolved) {
      const list = aggregateClusterRoles(overlay(before.clusterRoles(), crs));
      resolved = { list, byName: new Map(list.map((r) => [r.metadata.name ?? '', r])) };
    }
    return resolved;
  };

  return {
    clusterRoleBindings: () => (crbList ??= overlay(before.clusterRoleBindings(), crbs)),
    roleBindings: (namespace) => {
      if (!rbs.has(namespace)) return before.roleBindings(namespace);
      let list = rbLists.get(namespace);
      if (!list) { list = overlay(before.roleBindings(namespace), rbs.get(namespace)); rbLists.set(namespace, list); }
      return list;
    },
    roleBindingNamespaces: () => {
      const out = new Set<string>();
      for (const ns of before.roleBindingNamespaces()) if (!rbs.has(ns)) out.add(ns);
      for (const ns of rbs.keys()) if (overlay(before.roleBindings(ns), rbs.get(ns)).length > 0) out.add(ns);
      return out;
    },
    role: (namespace, name) => {
      const changed = roles.get(namespace);
      if (changed?.has(name)) return changed.get(name) ?? undefined;
      return before.role(namespace, name);
    },
    clusterRole: (name) => (crs.size === 0 ? before.clusterRole(name) : resolvedClusterRoles().byName.get(name)),
    clusterRoles: () => (crs.size === 0 ? before.clusterRoles() : resolvedClusterRoles().list),
    applicableBindings(user, namespace) {
      return scanApplicable(this, user, namespace);
    },
    evaluator: before.evaluator,
  };
}

/** The bindings of `view` that apply to `user`, found by walking its lists (for views without a subject index). */
export function scanApplicable(view: Pick<RbacView, 'clusterRoleBindings' | 'roleBindings'>, user: UserInfo, namespace: string): ApplicableBinding[] {
  const out: ApplicableBinding[] = [];
  for (const binding of view.clusterRoleBindings()) if (firstMatchingSubject(user, binding.subjects, '') >= 0) out.push({ binding, namespace: '' });
  if (namespace) for (const binding of view.roleBindings(namespace)) if (firstMatchingSubject(user, binding.subjects, namespace) >= 0) out.push({ binding, namespace });
  return out;
}
