/**
 * Which binding subjects a user is, as the RBAC rule resolver decides it
 * (pkg/registry/rbac/validation appliesTo), and subject identity helpers.
 */
import type { Subject, UserInfo } from './types.ts';
import { firstMatchingSubject, subjectMatches } from './subject-match.ts';

export const systemMasters = 'system:masters';

/** The user name of a ServiceAccount: `system:serviceaccount:NS:NAME`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** appliesToUser (see subject-match.ts): the rule resolver and the authorizer match subjects the same way. */
export const subjectAppliesTo = subjectMatches;

/** The index of the first subject the user is, or -1. */
export const appliesTo = firstMatchingSubject;

export function isSystemMasters(user: UserInfo): boolean {
  return (user.groups ?? []).includes(systemMasters);
}

/** A stable identity for a subject: kind, namespace and name (apiGroup is implied by kind). */
export function subjectKey(subject: Subject): string {
  return `${subject.kind}\u0000${subject.namespace ?? ''}\u0000${subject.name}`;
}

/** Orders subjects by kind, then namespace, then name. */
export function compareSubjects(a: Subject, b: Subject): number {
  return cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
