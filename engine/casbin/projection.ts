/**
 * Projection of RBAC objects into Casbin policy lines and requests for the
 * model in policies/rbac-model.conf. The vocabulary:
 *
 * - principal: one identity of a requester, `User:<name>` or `Group:<name>`.
 *   A ServiceAccount subject is the user `system:serviceaccount:<ns>:<name>`
 *   (kube's serviceaccount.MatchesUsername), so it projects to a User principal.
 * - role key: `ClusterRole:<name>` or `Role:<namespace>/<name>`; a namespace
 *   never contains `/`, so keys are unambiguous.
 * - domain: `cluster` for a ClusterRoleBinding (it applies in every namespace,
 *   to cluster-scoped and to non-resource requests) or `ns/<namespace>` for a
 *   RoleBinding (it applies only when the request namespace equals its own).
 * - p line: `[roleKey, ruleIndex, verbs, apiGroups, resources, resourceNames,
 *   nonResourceURLs]`, each list a JSON array, one line per PolicyRule.
 * - g line: `[principal, roleKey, domain]`, one per (binding, matching subject).
 */
import type { Attributes, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject, UserInfo } from '../rbac/types.ts';
import type { RbacView } from '../rbac/view.ts';

export type PolicyLine = readonly string[];

export const clusterDomain = 'cluster';

export function userPrincipal(name: string): string {
  return `User:${name}`;
}

export function groupPrincipal(name: string): string {
  return `Group:${name}`;
}

/** Every principal of a requester: the user first, then each group once, in the order given. */
export function requesterPrincipals(user: UserInfo): string[] {
  const out = [userPrincipal(user.name)];
  const groups = user.groups ?? [];
  for (let i = 0; i < groups.length; i++) {
    // A requester has few groups: a scan of the earlier ones costs less than a Set.
    if (groups.indexOf(groups[i]) === i) out.push(groupPrincipal(groups[i]));
  }
  return out;
}

/**
 * The principal a binding subject stands for, or undefined when it can match
 * nobody: unknown kinds, and a ServiceAccount without namespace in a
 * ClusterRoleBinding (`bindingNamespace` empty). A RoleBinding's
 * ServiceAccount without namespace means the binding's namespace.
 */
export function subjectPrincipal(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case 'User':
      return userPrincipal(subject.name);
    case 'Group':
      return groupPrincipal(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns ? userPrincipal(`system:serviceaccount:${ns}:${subject.name}`) : undefined;
    }
    default:
      return undefined;
  }
}

export function clusterRoleKey(name: string): string {
  return `ClusterRole:${name}`;
}

export function roleKey(namespace: string, name: string): string {
  return `Role:${namespace}/${name}`;
}

/**
 * The role a binding's roleRef resolves to, as kube's rule resolver looks it
 * up: a Role in the binding's own namespace, or a ClusterRole. A
 * ClusterRoleBinding cannot use a Role and an unknown kind resolves to
 * nothing: both grant nothing (undefined).
 */
export function roleRefKey(roleRef: RoleRef, bindingNamespace: string): string | undefined {
  if (roleRef.kind === 'ClusterRole') return clusterRoleKey(roleRef.name);
  if (roleRef.kind === 'Role' && bindingNamespace !== '') return roleKey(bindingNamespace, roleRef.name);
  return undefined;
}

export function bindingDomain(bindingNamespace: string): string {
  return bindingNamespace === '' ? clusterDomain : `ns/${bindingNamespace}`;
}

function list(values: readonly string[] | undefined): string {
  return JSON.stringify(values ?? []);
}

/** The p line of rule `index` of a role. */
export function policyLine(key: string, index: number, r: PolicyRule): PolicyLine {
  return [key, String(index), list(r.verbs), list(r.apiGroups), list(r.resources), list(r.resourceNames), list(r.nonResourceURLs)];
}

/** One p line per rule, in rule order. */
export function policyLines(key: string, rules: readonly PolicyRule[]): PolicyLine[] {
  return rules.map((r, i) => policyLine(key, i, r));
}

/** The rule index a p line carries. */
export function lineRuleIndex(line: PolicyLine): number {
  return Number(line[1]);
}

/** g lines of one binding: one per subject that can match someone, duplicates dropped. */
export function groupingLines(binding: RoleBinding | ClusterRoleBinding): PolicyLine[] {
  const ns = binding.kind === 'RoleBinding' ? binding.metadata.namespace ?? '' : '';
  if (binding.kind === 'RoleBinding' && ns === '') return [];
  const key = roleRefKey(binding.roleRef, ns);
  if (key === undefined) return [];
  const domain = bindingDomain(ns);
  const out: PolicyLine[] = [];
  const seen = new Set<string>();
  for (const s of binding.subjects ?? []) {
    const p = subjectPrincipal(s, ns);
    if (p === undefined || seen.has(p)) continue;
    seen.add(p);
    out.push([p, key, domain]);
  }
  return out;
}

/** What a full projection reads: the resolved view plus every Role. */
export interface ProjectableState extends RbacView {
  roles(): Iterable<Role>;
}

/**
 * Every p and g line of a state, ClusterRoles (aggregation resolved) and
 * Roles first, then ClusterRoleBindings and RoleBindings in lister order:
 * the input of one plain enforcer that decides every request.
 */
export function projectPolicy(state: ProjectableState): { p: PolicyLine[]; g: PolicyLine[] } {
  const p: PolicyLine[] = [];
  const g: PolicyLine[] = [];
  for (const cr of state.clusterRoles()) p.push(...policyLines(clusterRoleKey(cr.metadata.name ?? ''), cr.rules ?? []));
  for (const r of state.roles()) p.push(...policyLines(roleKey(r.metadata.namespace ?? '', r.metadata.name ?? ''), r.rules ?? []));
  for (const crb of state.clusterRoleBindings()) g.push(...groupingLines(crb));
  for (const ns of state.roleBindingNamespaces()) {
    for (const rb of state.roleBindings(ns)) g.push(...groupingLines(rb));
  }
  return { p, g };
}

/**
 * The request a Casbin enforcer is asked, for one principal: `[sub, dom,
 * kind, verb, apiGroup, resource, subresource, name, path]`. A non-resource
 * request carries no namespace (kube never sets one), so only
 * ClusterRoleBindings can grant it.
 */
export function casbinRequest(sub: string, attrs: Attributes): string[] {
  if (!attrs.isResourceRequest) return [sub, '', 'nonResource', attrs.verb, '', '', '', '', attrs.path];
  const dom = attrs.namespace === '' ? '' : bindingDomain(attrs.namespace);
  return [sub, dom, 'resource', attrs.verb, attrs.apiGroup, attrs.resource, attrs.subresource, attrs.name, ''];
}
