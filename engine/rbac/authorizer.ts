/**
 * The authorization chain of kube-apiserver for RBAC: the privileged-group
 * authorizer (`system:masters` may do everything), then the RBAC authorizer.
 *
 * RBAC visits, as kube's rule resolver does, the ClusterRoleBindings that
 * apply to the requester, then (for a namespaced resource request) the
 * RoleBindings of the request's namespace, each in lister order, and allows
 * at the first rule of a bound role that matches; the reason names that
 * binding and its first subject the requester is. That binding is found per
 * principal of the requester (engine/rbac/first-allowing.ts); a denial lists
 * every binding that applied. Whether a role's rules
 * match is what a Casbin enforcer over that role's policy lines says
 * (engine/casbin/role-evaluator.ts). A binding to a missing role grants
 * nothing and does not stop later bindings.
 *
 * Decisions are memoized per state (bounded); they never throw.
 */
import { requesterPrincipals } from '../casbin/projection.ts';
import { ruleQuery } from '../casbin/role-evaluator.ts';
import { allowReason, denyReason, privilegedDecision, privilegedGroup, type ConsideredBinding, type Decision } from './decision.ts';
import { decisionKey } from './decision-memo.ts';
import { consideredBinding, type BindingEntry } from './binding-index.ts';
import type { RbacState } from './state.ts';
import { firstMatchingSubject } from './subject-match.ts';
import type { Attributes } from './types.ts';

export type { Decision } from './decision.ts';

/** Decides `attrs` over `state`: privileged group first, then RBAC. */
export function authorize(state: RbacState, attrs: Attributes): Decision {
  if ((attrs.user.groups ?? []).includes(privilegedGroup)) return privileged;
  const memo = state.memo<Decision>();
  const key = decisionKey(attrs);
  const hit = memo.get(key);
  if (hit) return hit;
  const decision = Object.freeze(decideSafely(state, attrs));
  memo.set(key, decision);
  return decision;
}

const privileged: Decision = Object.freeze(privilegedDecision(privilegedGroup));

function decideSafely(state: RbacState, attrs: Attributes): Decision {
  try {
    return rbacDecision(state, attrs);
  } catch (err) {
    return { allowed: false, reason: `RBAC: denied, evaluation failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The RBAC authorizer alone (no privileged group, no memo). */
export function rbacDecision(state: RbacState, attrs: Attributes): Decision {
  const namespace = attrs.isResourceRequest ? attrs.namespace : '';
  const query = ruleQuery(attrs);
  const principals = requesterPrincipals(attrs.user);
  const allowing = state.firstAllowing(principals, namespace, query);
  if (allowing !== undefined) {
    const { entry, table, ruleIndex } = allowing;
    const subjects = entry.binding.subjects ?? [];
    const subjectIndex = firstMatchingSubject(attrs.user, subjects, entry.namespace);
    const subject = subjects[subjectIndex];
    return {
      allowed: true,
      reason: allowReason(entry.ref, entry.binding.roleRef, subject),
      decidedBy: Object.freeze({
        authorizer: 'rbac', binding: entry.ref, role: entry.role, ruleIndex, rule: table.rules[ruleIndex], subject, subjectIndex,
      } as const),
    };
  }
  const entries = state.applicableBindings(attrs.user, namespace, principals);
  const considered: ConsideredBinding[] = entries.map((e) => consideredBinding(e, state.roleTable(e) !== undefined));
  return { allowed: false, reason: denyReason(attrs, considered), considered: Object.freeze(considered) };
}

/**
 * Whether RBAC allows `attrs` through some binding `skip` does not reject
 * (system:masters first, as always). Not memoized: for the rare questions
 * that must set some bindings aside, such as whether a tenant owner could
 * create a namespace without the bindings that make it an owner.
 */
export function allowedExcept(state: RbacState, attrs: Attributes, skip: (binding: BindingEntry['binding']) => boolean): boolean {
  if ((attrs.user.groups ?? []).includes(privilegedGroup)) return true;
  const namespace = attrs.isResourceRequest ? attrs.namespace : '';
  const query = ruleQuery(attrs);
  for (const entry of state.applicableBindings(attrs.user, namespace)) {
    if (skip(entry.binding)) continue;
    const table = state.roleTable(entry);
    if (table && state.firstAllowingRule(table, query) >= 0) return true;
  }
  return false;
}
