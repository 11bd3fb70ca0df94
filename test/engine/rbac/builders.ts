/**
 * Tiny builders for the RBAC engine tests: objects, requests, a state over
 * them with the Casbin model from policies/, and a plain RbacView over
 * arrays with the reference authorizer the reviews are checked against.
 */
import { readFileSync } from 'node:fs';
import type { Labels, LabelSelector } from '../../../engine/meta.ts';
import { RbacState } from '../../../engine/rbac/state.ts';
import type { RbacView } from '../../../engine/rbac/view.ts';
import { scanApplicable } from '../../../engine/rbac/overlay-view.ts';
import { RoleEvaluator } from '../../../engine/casbin/role-evaluator.ts';
import { aggregateClusterRoles } from '../../../engine/rbac/aggregation.ts';
import { rulesFor } from '../../../engine/rbac/rules-for.ts';
import { ruleAllows } from '../../../engine/rbac/rule-matching.ts';
import type {
  Attributes, ClusterRole, ClusterRoleBinding, PolicyRule, RbacObjects, Role, RoleBinding, RoleRef, Subject, UserInfo,
} from '../../../engine/rbac/types.ts';

export const casbinModel = readFileSync(new URL('../../../policies/rbac-model.conf', import.meta.url), 'utf8');
/** The Casbin role evaluator the views built here decide with. */
export const evaluator = new RoleEvaluator(casbinModel);

const apiVersion = 'rbac.authorization.k8s.io/v1' as const;
const rbacGroup = 'rbac.authorization.k8s.io';

/** `rule('get,list', '', 'pods')`, `rule('get', 'apps', 'deployments,deployments/scale', ['web'])`. */
export function rule(verbs: string, apiGroups: string, resources: string, resourceNames?: string[]): PolicyRule {
  const r: PolicyRule = { verbs: verbs.split(','), apiGroups: apiGroups.split(','), resources: resources.split(',') };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}

/** `urlRule('get', '/healthz,/logs*')`. */
export function urlRule(verbs: string, urls: string): PolicyRule {
  return { verbs: verbs.split(','), nonResourceURLs: urls.split(',') };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion, kind: 'Role', metadata: { name, namespace }, rules };
}

export function clusterRole(
  name: string,
  rules: PolicyRule[],
  opts: { labels?: Labels; aggregate?: LabelSelector[] } = {},
): ClusterRole {
  const cr: ClusterRole = { apiVersion, kind: 'ClusterRole', metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) }, rules };
  if (opts.aggregate) cr.aggregationRule = { clusterRoleSelectors: opts.aggregate };
  return cr;
}

export const user = (name: string): Subject => ({ kind: 'User', apiGroup: rbacGroup, name });
export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: rbacGroup, name });
export const sa = (name: string, namespace?: string): Subject => ({ kind: 'ServiceAccount', name, ...(namespace ? { namespace } : {}) });

/** `ref` is `ClusterRole/NAME` or `Role/NAME`. */
function roleRef(ref: string): RoleRef {
  const [kind, name] = ref.split('/');
  return { apiGroup: rbacGroup, kind, name };
}

export function roleBinding(namespace: string, name: string, ref: string, subjects: Subject[]): RoleBinding {
  return { apiVersion, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: roleRef(ref), subjects };
}

export function clusterRoleBinding(name: string, ref: string, subjects: Subject[]): ClusterRoleBinding {
  return { apiVersion, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: roleRef(ref), subjects };
}

export type AnyRbacObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;

export function objectsOf(list: readonly AnyRbacObject[]): RbacObjects {
  return {
    roles: list.filter((o): o is Role => o.kind === 'Role'),
    clusterRoles: list.filter((o): o is ClusterRole => o.kind === 'ClusterRole'),
    roleBindings: list.filter((o): o is RoleBinding => o.kind === 'RoleBinding'),
    clusterRoleBindings: list.filter((o): o is ClusterRoleBinding => o.kind === 'ClusterRoleBinding'),
  };
}

export function stateOf(list: readonly AnyRbacObject[], options: { memoLimit?: number; roleAnswerLimit?: number; listAnswerLimit?: number } = {}): RbacState {
  return RbacState.build(objectsOf(list), { casbinModel, ...options });
}

function asUser(who: string | UserInfo): UserInfo {
  return typeof who === 'string' ? { name: who, groups: [] } : who;
}

/**
 * A resource request: `can('ann', 'get', 'pods', { namespace: 'ns1' })`.
 * `resource` may be `pods/log`; group, name and namespace default to empty.
 */
export function can(
  who: string | UserInfo,
  verb: string,
  resource: string,
  opts: { namespace?: string; group?: string; name?: string } = {},
): Attributes {
  const [res, subresource = ''] = resource.split('/');
  return {
    user: asUser(who), verb, isResourceRequest: true, namespace: opts.namespace ?? '', apiGroup: opts.group ?? '',
    apiVersion: 'v1', resource: res, subresource, name: opts.name ?? '', path: '',
  };
}

/** A non-resource request: `canURL('ann', 'get', '/healthz')`. */
export function canURL(who: string | UserInfo, verb: string, path: string): Attributes {
  return {
    user: asUser(who), verb, isResourceRequest: false, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '', path,
  };
}

/** An RbacView over plain arrays: lister order is array order, aggregation resolved once. */
export function arrayView(objects: readonly AnyRbacObject[]): RbacView {
  const { roles, clusterRoles: raw, roleBindings, clusterRoleBindings } = objectsOf(objects);
  const clusterRoles = aggregateClusterRoles(raw);
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
    applicableBindings(user, namespace) {
      return scanApplicable(this, user, namespace);
    },
    evaluator,
  };
}

/** The reference authorizer over a view: system:masters, then any rule the user holds in the request's namespace. */
export function viewAuthorizer(view: RbacView): (attrs: Attributes) => boolean {
  return (attrs) => (attrs.user.groups ?? []).includes('system:masters') ||
    rulesFor(view, attrs.user, attrs.namespace, 'lister').rules.some((r) => ruleAllows(attrs, r));
}
