/**
 * The default rule resolver (pkg/registry/rbac/validation DefaultRuleResolver)
 * over an RbacView: which rules a user holds in a namespace, in lister order,
 * one copy per applicable binding, and the resolution errors met on the way.
 *
 * ClusterRoleBindings apply everywhere; RoleBindings only when `namespace`
 * is their own (an empty namespace sees ClusterRoleBindings only).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, UserInfo } from './types.ts';
import type { RbacView } from './view.ts';
import { firstMatchingSubject } from './subject-match.ts';
import { goQuote } from '../validation/go-quote.ts';

/**
 * Which component's NotFound wording to use for a missing role: the RBAC
 * storage's registry getters (`roles.rbac.authorization.k8s.io "x" not found`,
 * used by escalation checks) or the authorizer's listers
 * (`role.rbac.authorization.k8s.io "x" not found`, used by reviews).
 */
export type NotFoundWording = 'storage' | 'lister';

export type RoleRefResolution = { rules: readonly PolicyRule[]; error?: undefined } | { rules?: undefined; error: string };

/** The role a roleRef names (a Role looked up in the binding's own namespace), or the error kube reports for it. */
export function roleRefRole(view: RbacView, roleRef: RoleRef, bindingNamespace: string, wording: NotFoundWording): { role: Role | ClusterRole; error?: undefined } | { role?: undefined; error: string } {
  switch (roleRef.kind) {
    case 'Role': {
      const role = bindingNamespace ? view.role(bindingNamespace, roleRef.name) : undefined;
      if (!role) return { error: notFoundMessage(wording === 'storage' ? 'roles' : 'role', roleRef.name) };
      return { role };
    }
    case 'ClusterRole': {
      const role = view.clusterRole(roleRef.name);
      if (!role) return { error: notFoundMessage(wording === 'storage' ? 'clusterroles' : 'clusterrole', roleRef.name) };
      return { role };
    }
    default:
      return { error: `unsupported role reference kind: ${goQuote(roleRef.kind)}` };
  }
}

/** GetRoleReferenceRules: the rules a roleRef grants, a Role being looked up in the binding's own namespace. */
export function roleRefRules(view: RbacView, roleRef: RoleRef, bindingNamespace: string, wording: NotFoundWording): RoleRefResolution {
  const resolved = roleRefRole(view, roleRef, bindingNamespace, wording);
  return resolved.error !== undefined ? { error: resolved.error } : { rules: resolved.role.rules ?? [] };
}

/** apierrors.NewNotFound's message for an rbac.authorization.k8s.io resource. */
export function notFoundMessage(resource: string, name: string): string {
  return `${resource}.rbac.authorization.k8s.io ${goQuote(name)} not found`;
}

export type RuleSource =
  | { kind: 'ClusterRoleBinding'; binding: ClusterRoleBinding; subjectIndex: number }
  | { kind: 'RoleBinding'; binding: RoleBinding; subjectIndex: number };

export interface RuleVisitor {
  /** One rule of one applicable binding; return false to stop. */
  rule?(rule: PolicyRule, source: RuleSource): boolean | void;
  /** A binding that applies to the user but whose role cannot be resolved; return false to stop. */
  error?(message: string, source: RuleSource): boolean | void;
}

/**
 * VisitRulesFor: ClusterRoleBindings first, then the namespace's
 * RoleBindings, each in lister order, as the view's one resolver of
 * applicable bindings gives them.
 */
export function visitRulesFor(view: RbacView, user: UserInfo, namespace: string, wording: NotFoundWording, visitor: RuleVisitor): void {
  for (const { binding, namespace: bindingNamespace } of view.applicableBindings(user, namespace)) {
    const subjectIndex = firstMatchingSubject(user, binding.subjects, bindingNamespace);
    const source = (bindingNamespace
      ? { kind: 'RoleBinding', binding: binding as RoleBinding, subjectIndex }
      : { kind: 'ClusterRoleBinding', binding: binding as ClusterRoleBinding, subjectIndex }) as RuleSource;
    const resolved = roleRefRules(view, binding.roleRef, bindingNamespace, wording);
    if (resolved.error !== undefined) {
      if (visitor.error?.(resolved.error, source) === false) return;
      continue;
    }
    for (const rule of resolved.rules) if (visitor.rule?.(rule, source) === false) return;
  }
}

/** RulesFor: every rule the user holds in `namespace`, and every resolution error (possibly partial rules). */
export function rulesFor(view: RbacView, user: UserInfo, namespace: string, wording: NotFoundWording): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(view, user, namespace, wording, {
    rule: (r) => { rules.push(r); },
    error: (e) => { errors.push(e); },
  });
  return { rules, errors };
}
