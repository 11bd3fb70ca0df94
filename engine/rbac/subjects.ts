/** Subject identity helpers, and whether a user is in the privileged group. */
import type { Subject, UserInfo } from './types.ts';
import { privilegedGroup } from './decision.ts';

export function isSystemMasters(user: UserInfo): boolean {
  return (user.groups ?? []).includes(privilegedGroup);
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
