/**
 * Which subject of a binding a user is, and how kube-apiserver names it in a
 * reason (pkg/registry/rbac/validation appliesTo; plugin/pkg/auth/authorizer/rbac
 * describeSubject).
 */
import type { Subject, UserInfo } from './types.ts';

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

/**
 * Go's %q for the strings that appear in reasons: double-quoted, with `"`
 * and `\` escaped and control characters written as escapes.
 */
export function goQuote(s: string): string {
  if (plain.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0)) out += ch;
    else if (ch in controlEscapes) out += controlEscapes[ch];
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

const plain = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const controlEscapes: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

/** `User "u"`, `Group "g"`, `ServiceAccount "NAME/NAMESPACE"` (binding namespace filled in). */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${goQuote(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  }
  return `${subject.kind} ${goQuote(subject.name)}`;
}
