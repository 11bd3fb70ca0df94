/**
 * RiskReview: every finding of the cluster, or of one namespace, from one
 * snapshot, in the report's order (engine/risks/report.ts).
 *
 * Cluster-wide: grants of ClusterRoleBindings (reported without a
 * namespace) and of each namespace's RoleBindings (reported in it), the
 * bindings of both kinds, every Role and ClusterRole, the users in
 * system:masters. One namespace: its RoleBindings and Roles, and the
 * cluster-wide grants that reach into it (the same findings, same ids, as
 * the cluster-wide review has); ClusterRole-level findings (wildcards,
 * unbound ClusterRoles, ClusterRoleBindings to missing roles) and users are
 * for the cluster-wide review alone.
 *
 * Kubernetes' bootstrap defaults (objects labelled
 * `kubernetes.io/bootstrapping: rbac-defaults`, and the system:masters
 * group) are left out unless `includeDefaults`; then a finding made of
 * defaults alone says `default: true`.
 *
 * What the caller may not read is not looked at, and `omitted` names it.
 */
import type { ClusterRole, Role } from '../rbac/types.ts';
import { grantFindings } from './grants.ts';
import {
  aggregatedClusterRoles, clusterAdminFindings, foreignTenantFindings, missingRoleFindings, roleUses, systemMastersFindings,
  tenantOwners, unboundRoleFindings, wildcardFindings, type TenancyFacts,
} from './objects.ts';
import { compareFindings } from './report.ts';
import { systemNamespaces, type Finding, type RiskOptions, type RiskResult, type RiskState } from './types.ts';

export function reviewRisks(state: RiskState, opts: RiskOptions): RiskResult {
  const view = state.rbac;
  const includeDefaults = opts.includeDefaults === true;
  const visible = opts.visible;
  const omitted = new Set<string>();
  const out: Finding[] = [];
  const tenancy: TenancyFacts = { namespaces: state.namespaces, owners: tenantOwners(state.tenants), visibleTenant: (t) => visible.tenant(t) };
  const inNamespace = (ns: string) => {
    out.push(
      ...grantFindings(view, { namespace: ns, systemPods: systemNamespaces.includes(ns), includeDefaults }),
      ...clusterAdminFindings(view, ns, includeDefaults),
      ...missingRoleFindings(view, ns, includeDefaults),
      ...foreignTenantFindings(view, ns, tenancy),
    );
  };
  const rolesByNamespace = new Map<string, Role[]>();
  for (const r of view.roles()) {
    const ns = r.metadata.namespace ?? '';
    if (opts.namespace !== undefined && ns !== opts.namespace) continue;
    const list = rolesByNamespace.get(ns) ?? [];
    list.push(r);
    rolesByNamespace.set(ns, list);
  }

  if (opts.namespace === undefined) {
    const namespaces = [...view.roleBindingNamespaces()].sort();
    out.push(
      ...grantFindings(view, { namespace: '', systemPods: true, includeDefaults }),
      ...clusterAdminFindings(view, '', includeDefaults),
      ...missingRoleFindings(view, '', includeDefaults),
    );
    for (const ns of namespaces) inNamespace(ns);
    const uses = roleUses(view, namespaces, true);
    if (visible.clusterRoles) {
      const clusterRoles: ClusterRole[] = [...view.clusterRoles()];
      out.push(...wildcardFindings(clusterRoles, uses, includeDefaults), ...unboundRoleFindings(clusterRoles, uses, aggregatedClusterRoles(view), includeDefaults));
    } else omitted.add('clusterroles');
    for (const [ns, roles] of rolesByNamespace) {
      if (!visible.roles(ns)) {
        omitted.add('roles');
        continue;
      }
      out.push(...wildcardFindings(roles, uses, includeDefaults), ...unboundRoleFindings(roles, uses, new Set(), includeDefaults));
    }
    if (visible.users) out.push(...systemMastersFindings(state.users));
    else omitted.add('users');
  } else {
    const ns = opts.namespace;
    if (visible.clusterRoleBindings) {
      out.push(
        ...grantFindings(view, { namespace: '', systemPods: systemNamespaces.includes(ns), includeDefaults }),
        ...clusterAdminFindings(view, '', includeDefaults),
      );
    } else omitted.add('clusterrolebindings');
    inNamespace(ns);
    if (visible.roles(ns)) {
      const roles = rolesByNamespace.get(ns) ?? [];
      const uses = roleUses(view, [ns], false);
      out.push(...wildcardFindings(roles, uses, includeDefaults), ...unboundRoleFindings(roles, uses, new Set(), includeDefaults));
    } else omitted.add('roles');
  }
  return { findings: out.sort(compareFindings), omitted: [...omitted].sort() };
}
