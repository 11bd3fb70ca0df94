/**
 * An RbacView over plain arrays, for tests: lister order is array order,
 * aggregation is resolved once with the engine's steady-state resolver, and
 * tiny builders keep test tables short.
 */
import type {
  Attributes, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
} from '../../../engine/rbac/types.ts';
import type { RbacView } from '../../../engine/rbac/view.ts';
import type { Labels, LabelSelector } from '../../../engine/meta.ts';
import { resolveAggregation } from '../../../engine/rbac/review-aggregation.ts';
import { rulesFor } from '../../../engine/rbac/review-rules-for.ts';
import { ruleAllows } from '../../../engine/rbac/rule-matching.ts';

export type AnyRbacObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;

export function arrayView(objects: readonly AnyRbacObject[]): RbacView {
  const roles = objects.filter((o): o is Role => o.kind === 'Role');
  const clusterRoles = resolveAggregation(objects.filter((o): o is ClusterRole => o.kind === 'ClusterRole'));
  const roleBindings = objects.filter((o): o is RoleBinding => o.kind === 'RoleBinding');
  const clusterRoleBindings = objects.filter((o): o is ClusterRoleBinding => o.kind === 'ClusterRoleBinding');
  const byNamespace = new Map<string, RoleBinding[]>();
  for (const b of roleBindings) {
    const ns = b.metadata.namespace ?? '';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), b]);
  }
  return {
    clusterRoleBindings: () => clusterRoleBindings,
    roleBindings: (ns) => byNamespace.get(ns) ?? [],
    roleBindingNamespaces: () => byNamespace.keys(),
    role: (ns, name) => roles.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    clusterRole: (name) => clusterRoles.find((r) => r.metadata.name === name),
    clusterRoles: () => clusterRoles,
  };
}

const apiVersion = 'rbac.authorization.k8s.io/v1' as const;
const group = 'rbac.authorization.k8s.io';

/** `rule('get,list', '', 'pods')`, `rule('get', '', 'pods', ['web'])`. */
export function rule(verbs: string, apiGroups: string, resources: string, resourceNames?: string[]): PolicyRule {
  const r: PolicyRule = { verbs: verbs.split(','), apiGroups: apiGroups.split(','), resources: resources.split(',') };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}

/** `urlRule('get', '/metrics,/healthz')`. */
export function urlRule(verbs: string, urls: string): PolicyRule {
  return { verbs: verbs.split(','), nonResourceURLs: urls.split(',') };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion, kind: 'Role', metadata: { namespace, name }, rules };
}

export function clusterRole(name: string, rules: PolicyRule[], opts: { labels?: Labels; aggregate?: LabelSelector[] } = {}): ClusterRole {
  const r: ClusterRole = { apiVersion, kind: 'ClusterRole', metadata: { name }, rules };
  if (opts.labels) r.metadata.labels = opts.labels;
  if (opts.aggregate) r.aggregationRule = { clusterRoleSelectors: opts.aggregate };
  return r;
}

export const user = (name: string): Subject => ({ kind: 'User', apiGroup: group, name });
export const grp = (name: string): Subject => ({ kind: 'Group', apiGroup: group, name });
export const sa = (name: string, namespace?: string): Subject => (namespace ? { kind: 'ServiceAccount', name, namespace } : { kind: 'ServiceAccount', name });

function ref(target: string): RoleRef {
  const [kind, name] = target.split('/');
  return { apiGroup: group, kind: kind === 'Role' ? 'Role' : 'ClusterRole', name };
}

/** `roleBinding('ns1', 'rb', 'ClusterRole/view', [user('ann')])`. */
export function roleBinding(namespace: string, name: string, target: string, subjects: Subject[]): RoleBinding {
  return { apiVersion, kind: 'RoleBinding', metadata: { namespace, name }, roleRef: ref(target), subjects };
}

/** `clusterRoleBinding('crb', 'view', [grp('devs')])`. */
export function clusterRoleBinding(name: string, clusterRoleName: string, subjects: Subject[]): ClusterRoleBinding {
  return { apiVersion, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: ref(`ClusterRole/${clusterRoleName}`), subjects };
}

/** A plain authorizer over a view: system:masters, then any rule the user holds in the request's namespace. */
export function viewAuthorizer(view: RbacView): (attrs: Attributes) => boolean {
  return (attrs) => (attrs.user.groups ?? []).includes('system:masters') ||
    rulesFor(view, attrs.user, attrs.namespace, 'lister').rules.some((r) => ruleAllows(attrs, r));
}
