/**
 * Which binding subjects a user is, as the RBAC rule resolver decides it
 * (pkg/registry/rbac/validation appliesTo), and subject identity helpers.
 */
import type { Subject, UserInfo } from './types.ts';

export const systemMasters = 'system:masters';

/** The user name of a ServiceAccount: `system:serviceaccount:NS:NAME`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * appliesToUser: a User subject matches the user name exactly, a Group one
 * any listed group, a ServiceAccount only the SA user name, its namespace
 * defaulting to `bindingNamespace` (empty for ClusterRoleBindings, where an
 * SA subject without namespace matches nobody). Unknown kinds match nobody.
 */
export function subjectAppliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return (user.groups ?? []).includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      if (!ns) return false;
      return user.name === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

/** The index of the first subject the user is, or -1. */
export function appliesTo(user: UserInfo, subjects: readonly Subject[] | undefined, bindingNamespace: string): number {
  const list = subjects ?? [];
  for (let i = 0; i < list.length; i++) if (subjectAppliesTo(user, list[i], bindingNamespace)) return i;
  return -1;
}

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
