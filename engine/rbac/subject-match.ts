/**
 * Which subject of a binding a user is, and how kube-apiserver names it in a
 * reason (pkg/registry/rbac/validation appliesTo; plugin/pkg/auth/authorizer/rbac
 * describeSubject).
 */
import type { Subject, UserInfo } from './types.ts';
import { goQuote } from '../validation/go-quote.ts';

/**
 * kube's appliesToUser: User subjects match the user name exactly (`*` is no
 * wildcard), Group subjects a group the request lists, ServiceAccount
 * subjects only the user `system:serviceaccount:NS:NAME`, NS defaulting to
 * the binding's namespace (empty for a ClusterRoleBinding: then nobody).
 */
export function subjectMatches(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return (user.groups ?? []).includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns !== '' && user.name === `system:serviceaccount:${ns}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** Index of the first subject the user is, or -1. */
export function firstMatchingSubject(user: UserInfo, subjects: readonly Subject[] | undefined, bindingNamespace: string): number {
  const list = subjects ?? [];
  for (let i = 0; i < list.length; i++) if (subjectMatches(user, list[i], bindingNamespace)) return i;
  return -1;
}

/** `User "u"`, `Group "g"`, `ServiceAccount "NAME/NAMESPACE"` (binding namespace filled in). */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${goQuote(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  }
  return `${subject.kind} ${goQuote(subject.name)}`;
}
