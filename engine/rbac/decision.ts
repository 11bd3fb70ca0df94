/**
 * Authorization decisions as values, and their reasons. Allow reasons are
 * kube-apiserver's exact text (plugin/pkg/auth/authorizer/rbac: "RBAC:
 * allowed by " + the binding describer); deny reasons are Warden's own, one
 * line naming what was looked at and what was missing (kube says nothing on
 * an RBAC deny).
 */
import type { Attributes, PolicyRule, RoleRef, Subject, UserInfo } from './types.ts';
import { describeSubject } from './subject-match.ts';
import { goQuote } from '../validation/go-quote.ts';

export const privilegedGroup = 'system:masters';

export interface BindingRef {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  /** Set for a RoleBinding. */
  namespace?: string;
}

export interface RoleRefWithNamespace {
  kind: string;
  name: string;
  /** Set for a Role: the binding's namespace, where it was looked up. */
  namespace?: string;
}

export type DecidedBy =
  | { authorizer: 'privileged-group'; group: string }
  | {
    authorizer: 'rbac';
    binding: BindingRef;
    role: RoleRefWithNamespace;
    /** Index of the allowing rule in the role's (aggregated) rules. */
    ruleIndex: number;
    rule: PolicyRule;
    /** The first subject of the binding that is the requester, and its index. */
    subject: Subject;
    subjectIndex: number;
  };

/** A binding that applied to the requester but did not allow. */
export interface ConsideredBinding {
  binding: BindingRef;
  role: RoleRefWithNamespace;
  /** False when the role does not exist (the binding grants nothing). */
  roleFound: boolean;
}

/**
 * `allowed` and a one-line `reason`; an allow names what decided it, a deny
 * lists the bindings that applied (`considered`). Decisions may be shared
 * through the memo: treat them as read-only.
 */
export interface Decision {
  allowed: boolean;
  reason: string;
  decidedBy?: DecidedBy;
  considered?: readonly ConsideredBinding[];
}

export function privilegedDecision(group: string): Decision {
  return {
    allowed: true,
    reason: `allowed by the privileged group ${goQuote(group)}, before RBAC is consulted`,
    decidedBy: { authorizer: 'privileged-group', group },
  };
}

/** kube's describer: `ClusterRoleBinding "NAME" of KIND "ROLE" to SUBJECT` or `RoleBinding "NAME/NS" ...`. */
export function describeBinding(binding: BindingRef, roleRef: RoleRef, subject: Subject): string {
  const ns = binding.namespace ?? '';
  const name = binding.kind === 'RoleBinding' ? `${binding.name}/${ns}` : binding.name;
  return `${binding.kind} ${goQuote(name)} of ${roleRef.kind} ${goQuote(roleRef.name)} to ${describeSubject(subject, ns)}`;
}

export function allowReason(binding: BindingRef, roleRef: RoleRef, subject: Subject): string {
  return `RBAC: allowed by ${describeBinding(binding, roleRef, subject)}`;
}

function describeRequester(user: UserInfo): string {
  const groups = user.groups ?? [];
  return `User ${goQuote(user.name)}${groups.length ? ` (groups ${groups.map(goQuote).join(', ')})` : ''}`;
}

/** `"get" on resource "pods/log" named "x" in API group "" in namespace "ns1"`, `"get" on non-resource URL "/healthz"`. */
export function describeRequest(attrs: Attributes): string {
  if (!attrs.isResourceRequest) return `${goQuote(attrs.verb)} on non-resource URL ${goQuote(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const name = attrs.name ? ` named ${goQuote(attrs.name)}` : '';
  const where = attrs.namespace ? `in namespace ${goQuote(attrs.namespace)}` : 'cluster-wide';
  return `${goQuote(attrs.verb)} on resource ${goQuote(resource)}${name} in API group ${goQuote(attrs.apiGroup)} ${where}`;
}

function describeConsidered(c: ConsideredBinding): string {
  const name = c.binding.kind === 'RoleBinding' ? `${c.binding.name}/${c.binding.namespace ?? ''}` : c.binding.name;
  return `${c.binding.kind} ${goQuote(name)} of ${c.role.kind} ${goQuote(c.role.name)}${c.roleFound ? '' : ' (not found)'}`;
}

const listedBindings = 3;

/**
 * One line: who asked what, which bindings applied, and that none of their
 * roles has a matching rule. At most three bindings are named, those bound
 * to a missing role first.
 */
export function denyReason(attrs: Attributes, considered: readonly ConsideredBinding[]): string {
  const head = `RBAC: denied ${describeRequest(attrs)} for ${describeRequester(attrs.user)}`;
  const scope = attrs.isResourceRequest && attrs.namespace
    ? `ClusterRoleBinding or RoleBinding in namespace ${goQuote(attrs.namespace)}`
    : 'ClusterRoleBinding';
  if (considered.length === 0) {
    const urlNote = attrs.isResourceRequest ? '' : ' (only ClusterRoleBindings grant non-resource URLs)';
    return `${head}: no ${scope} applies to the user or its groups${urlNote}`;
  }
  const missing = considered.filter((c) => !c.roleFound).length;
  const ordered = missing > 0 ? [...considered.filter((c) => !c.roleFound), ...considered.filter((c) => c.roleFound)] : considered;
  const shown = ordered.slice(0, listedBindings).map(describeConsidered).join('; ');
  const more = considered.length > listedBindings ? `; and ${considered.length - listedBindings} more` : '';
  const what = attrs.isResourceRequest ? 'verb, API group, resource and name' : 'verb and URL';
  const missingNote = missing > 0 ? `, ${missing} of them to a missing role` : '';
  const count = considered.length === 1 ? '1 binding applies' : `${considered.length} bindings apply`;
  return `${head}: ${count}${missingNote}, and no rule of their roles matches the ${what} (${shown}${more})`;
}

/**
 * The deny reason as told to a reader who may read only some of the
 * bindings that applied (`readable`): all readable, the full reason; else
 * the readable ones alone are named and counted, so a refusal never tells
 * a tenant that another tenant's bindings exist, or how many there are.
 */
export function denyReasonFor(attrs: Attributes, considered: readonly ConsideredBinding[], readable: (binding: BindingRef) => boolean): string {
  const shown = considered.filter((c) => readable(c.binding));
  if (shown.length === considered.length) return denyReason(attrs, considered);
  const head = `RBAC: denied ${describeRequest(attrs)} for ${describeRequester(attrs.user)}`;
  if (shown.length === 0) return `${head}: no binding the reader may see grants it`;
  const listed = shown.slice(0, listedBindings).map(describeConsidered).join('; ');
  const more = shown.length > listedBindings ? `; and ${shown.length - listedBindings} more` : '';
  return `${head}: no rule of the bindings the reader may see matches the ${attrs.isResourceRequest ? 'verb, API group, resource and name' : 'verb and URL'} (${listed}${more})`;
}
