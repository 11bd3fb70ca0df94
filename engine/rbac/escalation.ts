/**
 * Privilege-escalation prevention on RBAC writes, as kube-apiserver's RBAC
 * storage does it (pkg/registry/rbac/{role,clusterrole,rolebinding,
 * clusterrolebinding}/policybased, escalation_check.go, ConfirmNoEscalation).
 *
 * A Role/ClusterRole write passes when the user is in system:masters, or may
 * `escalate` roles/clusterroles (asked with the request's own namespace and
 * name, so a name-restricted grant helps updates only), or already holds
 * every rule it writes. A ClusterRole with an aggregationRule can gather any
 * rule later, so setting, keeping or removing one also needs `*` on `*.*`
 * and on every URL. A binding write passes when the user is in
 * system:masters, or may `bind` the referenced role in the binding's
 * namespace (cluster-wide for a ClusterRoleBinding), or holds every rule of
 * the referenced role. Held rules are those of ClusterRoleBindings plus the
 * RoleBindings of the write's namespace (none for cluster-scoped kinds);
 * covering ignores scope. Updates that only change ownerReferences or
 * finalizers (what garbage collection edits) are not checked.
 *
 * The write request itself (verb create/update on the kind) is authorized
 * before this check, by the caller; `writeAttributes` builds its attributes.
 */
import type { Attributes, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, UserInfo } from './types.ts';
import type { RbacView } from './view.ts';
import { covers } from './covers.ts';
import { rulesFor, roleRefRules } from './rules-for.ts';
import { aggregateErrorString, describeMissingRules, goQuoteList } from './rule-format.ts';
import { goQuote } from '../validation/go-quote.ts';
import { isSystemMasters } from './subjects.ts';
import { onlyGcFieldsChanged } from './gc-fields.ts';

export interface EscalationPorts {
  /** The authorizer's verdict (RBAC, preceded by system:masters) for one request. */
  authorize(attrs: Attributes): boolean;
  /** Current state: held rules and referenced roles come from here (aggregation resolved). */
  view: RbacView;
}

export type RbacWriteObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;

export interface EscalationRequest {
  user: UserInfo;
  operation: 'create' | 'update';
  /** The object as it would be stored. */
  object: RbacWriteObject;
  /** The stored object; required for `update`. */
  oldObject?: RbacWriteObject;
  /** The request's namespace (from the URL); defaults to the object's namespace. */
  namespace?: string;
  /** The request's name: empty on create; defaults to the object's name on update. */
  name?: string;
}

export type EscalationDecidedBy =
  | 'system:masters' | 'escalate-verb' | 'bind-verb' | 'gc-fields-only' | 'covers'
  | 'forbidden:rules-not-covered' | 'forbidden:role-not-covered'
  | 'forbidden:aggregationRule-requires-cluster-admin' | 'error:referenced-role-not-found';

export interface EscalationDecision {
  allowed: boolean;
  decidedBy: EscalationDecidedBy;
  /** Why it is denied: the write grants what the user does not hold, or the binding names a role that does not exist. */
  denial?: 'escalation' | 'missing-role';
  /** kube-apiserver's exact Status message when denied. */
  message?: string;
  /** Atoms the user's rules failed to cover (forbidden:* decisions). */
  uncoveredRules?: PolicyRule[];
}

const rbacGroup = 'rbac.authorization.k8s.io';

/** `* on *.*` and `* on every URL`: what an aggregationRule demands. */
export const fullAuthority: readonly PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const kindResource: Record<RbacWriteObject['kind'], string> = {
  Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings',
};

function requestScope(req: EscalationRequest): { namespace: string; name: string } {
  const clusterScoped = req.object.kind === 'ClusterRole' || req.object.kind === 'ClusterRoleBinding';
  const namespace = clusterScoped ? '' : (req.namespace ?? req.object.metadata.namespace ?? '');
  const name = req.name ?? (req.operation === 'update' ? req.object.metadata.name ?? '' : '');
  return { namespace, name };
}

function resourceAttributes(user: UserInfo, verb: string, resource: string, namespace: string, name: string, apiGroup = rbacGroup): Attributes {
  return {
    user, verb, isResourceRequest: true, namespace, apiGroup, apiVersion: 'v1',
    resource, subresource: '', name, path: '',
  };
}

/** The attributes of the write request itself (create/update on the kind, in its namespace; named on update). */
export function writeAttributes(req: EscalationRequest): Attributes {
  const { namespace, name } = requestScope(req);
  return resourceAttributes(req.user, req.operation, kindResource[req.object.kind], namespace, name);
}

function forbiddenMessage(kind: RbacWriteObject['kind'], name: string, detail: string): string {
  const resource = `${kindResource[kind]}.${rbacGroup}`;
  return name ? `${resource} ${goQuote(name)} is forbidden: ${detail}` : `${resource} is forbidden: ${detail}`;
}

/** ConfirmNoEscalation: the user's rules in `namespace` must cover `rules`; else kube's error text. */
function confirmNoEscalation(view: RbacView, user: UserInfo, namespace: string, rules: readonly PolicyRule[]):
  { ok: true } | { ok: false; detail: string; uncovered: PolicyRule[] } {
  const held = rulesFor(view, user, namespace, 'storage');
  const result = covers(held.rules, rules);
  if (result.covers) return { ok: true };
  let detail = `user ${goQuote(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n` +
    describeMissingRules(result.uncoveredRules).join('\n');
  if (held.errors.length > 0) detail += `; resolution errors: [${aggregateErrorString(held.errors)}]`;
  return { ok: false, detail, uncovered: result.uncoveredRules };
}

const allow = (decidedBy: EscalationDecidedBy): EscalationDecision => ({ allowed: true, decidedBy });

function forbid(decidedBy: EscalationDecidedBy, message: string, uncoveredRules: PolicyRule[]): EscalationDecision {
  return { allowed: false, decidedBy, denial: 'escalation', message, uncoveredRules };
}

function hasAggregationRule(object: RbacWriteObject | undefined): boolean {
  return object?.kind === 'ClusterRole' && (object.aggregationRule?.clusterRoleSelectors?.length ?? 0) > 0;
}

function checkRoleWrite(ports: EscalationPorts, req: EscalationRequest, namespace: string, name: string): EscalationDecision {
  const object = req.object as Role | ClusterRole;
  const resource = object.kind === 'Role' ? 'roles' : 'clusterroles';
  if (ports.authorize(resourceAttributes(req.user, 'escalate', resource, namespace, name))) return allow('escalate-verb');
  if (req.operation === 'update' && req.oldObject && onlyGcFieldsChanged(object, req.oldObject)) return allow('gc-fields-only');
  const objectName = object.metadata.name ?? '';
  const rules = confirmNoEscalation(ports.view, req.user, namespace, object.rules ?? []);
  if (!rules.ok) return forbid('forbidden:rules-not-covered', forbiddenMessage(object.kind, objectName, rules.detail), rules.uncovered);
  if (hasAggregationRule(object) || (req.operation === 'update' && hasAggregationRule(req.oldObject))) {
    const full = confirmNoEscalation(ports.view, req.user, namespace, fullAuthority);
    if (!full.ok) {
      return forbid('forbidden:aggregationRule-requires-cluster-admin',
        forbiddenMessage(object.kind, objectName, 'must have cluster-admin privileges to use the aggregationRule'), full.uncovered);
    }
  }
  return allow('covers');
}

/** BindingAuthorized: may the user `bind` this role in `namespace` ('' for a ClusterRoleBinding)? */
function bindingAuthorized(ports: EscalationPorts, user: UserInfo, roleRef: RoleRef, namespace: string): boolean {
  const resource = roleRef.kind === 'ClusterRole' ? 'clusterroles' : roleRef.kind === 'Role' ? 'roles' : '';
  if (!resource) return false;
  return ports.authorize({ ...resourceAttributes(user, 'bind', resource, namespace, roleRef.name, roleRef.apiGroup ?? ''), apiVersion: '' });
}

function checkBindingWrite(ports: EscalationPorts, req: EscalationRequest, namespace: string): EscalationDecision {
  const object = req.object as RoleBinding | ClusterRoleBinding;
  if (req.operation === 'update' && req.oldObject && onlyGcFieldsChanged(object, req.oldObject)) return allow('gc-fields-only');
  if (bindingAuthorized(ports, req.user, object.roleRef, namespace)) return allow('bind-verb');
  const resolved = roleRefRules(ports.view, object.roleRef, namespace, 'storage');
  if (resolved.error !== undefined) {
    return { allowed: false, decidedBy: 'error:referenced-role-not-found', denial: 'missing-role', message: resolved.error };
  }
  const result = confirmNoEscalation(ports.view, req.user, namespace, resolved.rules);
  if (!result.ok) {
    return forbid('forbidden:role-not-covered', forbiddenMessage(object.kind, object.metadata.name ?? '', result.detail), result.uncovered);
  }
  return allow('covers');
}

/**
 * Decides one RBAC write. Never throws: a refusal is a decision with kube's
 * status and message. system:masters is checked first and skips everything.
 */
export function checkEscalation(ports: EscalationPorts, req: EscalationRequest): EscalationDecision {
  if (isSystemMasters(req.user)) return allow('system:masters');
  const { namespace, name } = requestScope(req);
  if (req.object.kind === 'Role' || req.object.kind === 'ClusterRole') return checkRoleWrite(ports, req, namespace, name);
  return checkBindingWrite(ports, req, namespace);
}
