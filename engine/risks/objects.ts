/**
 * Findings about the RBAC objects themselves: bindings of cluster-admin (or
 * a role covering everything cluster-admin grants), bindings to roles that
 * do not exist, roles with wildcard verbs or resources, roles nothing binds,
 * bindings of other tenants' subjects in a tenant's namespace, and users in
 * the system:masters group. Roles are resolved as the authorizer resolves
 * them (engine/rbac/rules-for.ts); "covers everything" is the escalation
 * check's own comparison (engine/rbac/covers.ts).
 */
import type { KubeObject } from '../meta.ts';
import type { UserRecord } from '../identity.ts';
import { covers } from '../rbac/covers.ts';
import { privilegedGroup } from '../rbac/decision.ts';
import { roleRefRole } from '../rbac/rules-for.ts';
import { subjectKey } from '../rbac/subjects.ts';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../rbac/types.ts';
import type { RbacView } from '../rbac/view.ts';
import { matchesLabelSelector } from '../labels/selector.ts';
import { isManaged, tenantOf, type Tenant } from '../tenancy/types.ts';
import {
  bindingOf, bindingText, findingId, finding, listText, normalSubject, roleOf, roleText, subjectId, subjectsText, subjectText,
} from './report.ts';
import { isBootstrapDefault, type Finding, type FindingBinding, type FindingRole } from './types.ts';

const everything: readonly PolicyRule[] = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];

function bindingsIn(view: RbacView, namespace: string): readonly (RoleBinding | ClusterRoleBinding)[] {
  return namespace ? view.roleBindings(namespace) : view.clusterRoleBindings();
}

const where = (namespace: string) => (namespace ? `in namespace "${namespace}"` : 'cluster-wide');

/** Bindings of cluster-admin, or of any role whose rules cover every verb on every resource. */
export function clusterAdminFindings(view: RbacView, namespace: string, includeDefaults: boolean): Finding[] {
  const out: Finding[] = [];
  const equivalent = new Map<string, boolean>();
  for (const b of bindingsIn(view, namespace)) {
    if (!b.subjects?.length) continue;
    const isDefault = isBootstrapDefault(b);
    if (isDefault && !includeDefaults) continue;
    const resolved = roleRefRole(view, b.roleRef, namespace, 'lister');
    if (resolved.error !== undefined) continue;
    const key = `${b.roleRef.kind}/${b.roleRef.name}`;
    let all = equivalent.get(key);
    if (all === undefined) equivalent.set(key, (all = covers(resolved.role.rules ?? [], everything).covers));
    if (!all) continue;
    const fb = bindingOf(b, namespace);
    const subjects = b.subjects.map((s) => normalSubject(s, namespace));
    const role = roleOf(fb);
    const named = role.kind === 'ClusterRole' && role.name === 'cluster-admin' ? roleText(role) : `${roleText(role)} (every verb on every resource, as cluster-admin)`;
    out.push(finding({
      id: findingId('cluster-admin', namespace, `${fb.kind}/${fb.name}`),
      type: 'cluster-admin', severity: namespace ? 'high' : 'critical',
      ...(namespace ? { namespace } : {}),
      message: `${bindingText(fb)} grants ${named} ${where(namespace)} to ${subjectsText(subjects)}`,
      subjects, bindings: [fb],
      ...(isDefault ? { default: true as const } : {}),
    }));
  }
  return out;
}

/** Bindings whose role does not exist: they grant nothing now, and whatever a role created under that name will. */
export function missingRoleFindings(view: RbacView, namespace: string, includeDefaults: boolean): Finding[] {
  const out: Finding[] = [];
  for (const b of bindingsIn(view, namespace)) {
    const isDefault = isBootstrapDefault(b);
    if (isDefault && !includeDefaults) continue;
    if (roleRefRole(view, b.roleRef, namespace, 'lister').error === undefined) continue;
    const fb = bindingOf(b, namespace);
    const subjects = (b.subjects ?? []).map((s) => normalSubject(s, namespace));
    out.push(finding({
      id: findingId('missing-role', namespace, `${fb.kind}/${fb.name}`),
      type: 'missing-role', severity: 'medium',
      ...(namespace ? { namespace } : {}),
      message: `${bindingText(fb)} refers to ${roleText(roleOf(fb))}, which does not exist: a role created under that name is granted to ${subjectsText(subjects)}`,
      subjects, bindings: [fb],
      ...(isDefault ? { default: true as const } : {}),
    }));
  }
  return out;
}

export interface RoleUse { binding: FindingBinding; subjects: Subject[]; isDefault: boolean }

const roleKey = (kind: string, namespace: string, name: string) => `${kind}\u0000${kind === 'Role' ? namespace : ''}\u0000${name}`;

/** Which bindings name which role, over ClusterRoleBindings (when asked) and the RoleBindings of `namespaces`. */
export function roleUses(view: RbacView, namespaces: Iterable<string>, withClusterRoleBindings: boolean): Map<string, RoleUse[]> {
  const uses = new Map<string, RoleUse[]>();
  const add = (b: RoleBinding | ClusterRoleBinding, ns: string) => {
    const key = roleKey(b.roleRef.kind, ns, b.roleRef.name);
    let list = uses.get(key);
    if (!list) uses.set(key, (list = []));
    list.push({ binding: bindingOf(b, ns), subjects: (b.subjects ?? []).map((s) => normalSubject(s, ns)), isDefault: isBootstrapDefault(b) });
  };
  if (withClusterRoleBindings) for (const b of view.clusterRoleBindings()) add(b, '');
  for (const ns of namespaces) for (const b of view.roleBindings(ns)) add(b, ns);
  return uses;
}

/** Names of the ClusterRoles some aggregated ClusterRole selects: they are used through it. */
export function aggregatedClusterRoles(view: RbacView): Set<string> {
  const roles = [...view.clusterRoles()];
  const out = new Set<string>();
  for (const aggregator of roles) {
    for (const selector of aggregator.aggregationRule?.clusterRoleSelectors ?? []) {
      for (const r of roles) {
        if (r !== aggregator && matchesLabelSelector(selector, r.metadata.labels)) out.add(r.metadata.name ?? '');
      }
    }
  }
  return out;
}

function roleRefOf(r: Role | ClusterRole): FindingRole {
  return r.kind === 'Role' ? { kind: 'Role', namespace: r.metadata.namespace ?? '', name: r.metadata.name ?? '' } : { kind: 'ClusterRole', name: r.metadata.name ?? '' };
}

/** Roles with `*` among their verbs or resources, with the bindings that use them. */
export function wildcardFindings(roles: Iterable<Role | ClusterRole>, uses: Map<string, RoleUse[]>, includeDefaults: boolean): Finding[] {
  const out: Finding[] = [];
  for (const r of roles) {
    const isDefault = isBootstrapDefault(r);
    if (isDefault && !includeDefaults) continue;
    const rules = r.rules ?? [];
    const at: number[] = [];
    let verbs = false;
    let resources = false;
    let both = false;
    rules.forEach((rule, i) => {
      const v = rule.verbs?.includes('*') ?? false;
      const res = rule.resources?.includes('*') ?? false;
      if (!v && !res) return;
      at.push(i);
      verbs ||= v;
      resources ||= res;
      both ||= v && res;
    });
    if (at.length === 0) continue;
    const role = roleRefOf(r);
    const namespace = role.namespace ?? '';
    const used = (uses.get(roleKey(role.kind, namespace, role.name)) ?? []).filter((u) => includeDefaults || !u.isDefault);
    const what = verbs && resources ? 'verbs and resources' : verbs ? 'verbs' : 'resources';
    const bound = used.length ? `, bound by ${used.length} binding${used.length > 1 ? 's' : ''}` : ', bound by no binding';
    out.push(finding({
      id: findingId('wildcard-rule', namespace, `${role.kind}/${role.name}`),
      type: 'wildcard-rule', severity: both ? 'high' : 'medium',
      ...(namespace ? { namespace } : {}),
      message: `${roleText(role)} grants wildcard ${what} in ${listText(at.map((i) => `rules[${i}]`))}${bound}`,
      subjects: used.flatMap((u) => u.subjects),
      bindings: used.map((u) => u.binding),
      roles: [role],
      rules: at.map((i) => rules[i]),
      ...(isDefault ? { default: true as const } : {}),
    }));
  }
  return out;
}

/** Roles no binding names (ClusterRoles also not aggregated into another); those Warden keeps for tenants aside. */
export function unboundRoleFindings(roles: Iterable<Role | ClusterRole>, uses: Map<string, RoleUse[]>, aggregated: ReadonlySet<string>, includeDefaults: boolean): Finding[] {
  const out: Finding[] = [];
  for (const r of roles) {
    if (isManaged(r)) continue;
    const isDefault = isBootstrapDefault(r);
    if (isDefault && !includeDefaults) continue;
    const role = roleRefOf(r);
    const namespace = role.namespace ?? '';
    if (uses.has(roleKey(role.kind, namespace, role.name))) continue;
    if (role.kind === 'ClusterRole' && aggregated.has(role.name)) continue;
    out.push(finding({
      id: findingId('unbound-role', namespace, `${role.kind}/${role.name}`),
      type: 'unbound-role', severity: 'low',
      ...(namespace ? { namespace } : {}),
      message: role.kind === 'Role'
        ? `${roleText(role)} is bound by no RoleBinding`
        : `${roleText(role)} is bound by no binding and aggregated into no ClusterRole`,
      subjects: [], bindings: [], roles: [role],
      ...(isDefault ? { default: true as const } : {}),
    }));
  }
  return out;
}

/** Owner subject identity -> names of the tenants it owns. */
export function tenantOwners(tenants: ReadonlyMap<string, Tenant>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, t] of tenants) {
    for (const o of t.spec?.owners ?? []) {
      const key = subjectKey(o);
      const list = out.get(key) ?? [];
      if (!list.includes(name)) list.push(name);
      out.set(key, list);
    }
  }
  return out;
}

export interface TenancyFacts {
  namespaces: ReadonlyMap<string, KubeObject>;
  owners: Map<string, string[]>;
  /** Whether the caller may read a tenant: a subject counts as another tenant's only through a tenant the caller may read. */
  visibleTenant(name: string): boolean;
}

/**
 * RoleBindings in a tenant's namespace naming subjects of another tenant:
 * an owner of another tenant who does not own this one, or a service
 * account of another tenant's namespace.
 */
export function foreignTenantFindings(view: RbacView, namespace: string, facts: TenancyFacts): Finding[] {
  const tenant = tenantOf(facts.namespaces.get(namespace));
  if (!tenant) return [];
  const out: Finding[] = [];
  for (const b of view.roleBindings(namespace)) {
    const foreign: Subject[] = [];
    const others = new Set<string>();
    for (const s of b.subjects ?? []) {
      const subject = normalSubject(s, namespace);
      const owned = facts.owners.get(subjectKey(subject)) ?? [];
      const of = new Set<string>();
      if (!owned.includes(tenant)) for (const t of owned) of.add(t);
      if (subject.kind === 'ServiceAccount') {
        const t = tenantOf(facts.namespaces.get(subject.namespace ?? ''));
        if (t && t !== tenant) of.add(t);
      }
      const seen = [...of].filter((t) => facts.visibleTenant(t));
      if (seen.length === 0) continue;
      foreign.push(subject);
      for (const t of seen) others.add(t);
    }
    if (foreign.length === 0) continue;
    const fb = bindingOf(b, namespace);
    const own = facts.visibleTenant(tenant) ? `tenant "${tenant}"` : 'its tenant';
    out.push(finding({
      id: findingId('foreign-tenant-subject', namespace, `${fb.kind}/${fb.name}`),
      type: 'foreign-tenant-subject', severity: 'high', namespace,
      message: `${bindingText(fb)} in a namespace of ${own} binds subjects of tenant ${listText([...others].sort().map((t) => `"${t}"`))}: ${subjectsText(foreign)}`,
      subjects: foreign, bindings: [fb],
    }));
  }
  return out;
}

/** Users Warden stores with the group system:masters: they may do everything, RBAC unasked. */
export function systemMastersFindings(users: ReadonlyMap<string, UserRecord>): Finding[] {
  const out: Finding[] = [];
  for (const u of users.values()) {
    if (!u.groups.includes(privilegedGroup)) continue;
    const subject: Subject = { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: u.name };
    out.push(finding({
      id: findingId('system-masters', '', subjectId(subject)),
      type: 'system-masters', severity: 'critical',
      message: `${subjectText(subject)} is in group ${privilegedGroup}, which may do everything before RBAC is asked`,
      subjects: [subject], bindings: [], roles: [],
    }));
  }
  return out;
}
