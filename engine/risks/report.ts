/**
 * How findings are written: identities, the words of messages, and the one
 * deterministic order (severity, type, namespace, id; inside a finding,
 * subjects by kind, namespace and name; bindings and roles cluster-scoped
 * first, then by namespace and name).
 */
import type { ClusterRoleBinding, RoleBinding, Subject } from '../rbac/types.ts';
import { compareSubjects } from '../rbac/subjects.ts';
import { goQuote } from '../validation/go-quote.ts';
import { findingTypes, severities, type Finding, type FindingBinding, type FindingRole } from './types.ts';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A subject as findings carry it: a ServiceAccount with its namespace filled in from the binding's. */
export function normalSubject(s: Subject, bindingNamespace: string): Subject {
  if (s.kind === 'ServiceAccount' && !s.namespace && bindingNamespace) return { ...s, namespace: bindingNamespace };
  return s;
}

/** `User "alice"`, `ServiceAccount "payments/robot"`. */
export function subjectText(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${goQuote(`${s.namespace ?? ''}/${s.name}`)}` : `${s.kind} ${goQuote(s.name)}`;
}

/** The id part naming a subject: `User/alice`, `ServiceAccount/payments/robot`. */
export function subjectId(s: Subject): string {
  return s.namespace ? `${s.kind}/${s.namespace}/${s.name}` : `${s.kind}/${s.name}`;
}

export function findingId(type: string, namespace: string | undefined, what: string): string {
  return `${type}/${namespace || '*'}/${what}`;
}

export function bindingOf(b: RoleBinding | ClusterRoleBinding, namespace: string): FindingBinding {
  const out: FindingBinding = namespace
    ? { kind: 'RoleBinding', namespace, name: b.metadata.name ?? '', roleRef: b.roleRef }
    : { kind: 'ClusterRoleBinding', name: b.metadata.name ?? '', roleRef: b.roleRef };
  return out;
}

export function bindingKey(b: FindingBinding): string {
  return `${b.kind}/${b.namespace ?? ''}/${b.name}`;
}

/** `RoleBinding "payments/readers"`, `ClusterRoleBinding "ops"`. */
export function bindingText(b: FindingBinding): string {
  return `${b.kind} ${goQuote(b.namespace ? `${b.namespace}/${b.name}` : b.name)}`;
}

/** The role a binding names (a Role in the binding's namespace). */
export function roleOf(b: FindingBinding): FindingRole {
  return b.roleRef.kind === 'Role'
    ? { kind: 'Role', namespace: b.namespace ?? '', name: b.roleRef.name }
    : { kind: 'ClusterRole', name: b.roleRef.name };
}

export function roleText(r: FindingRole): string {
  return `${r.kind} ${goQuote(r.namespace ? `${r.namespace}/${r.name}` : r.name)}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function compareScoped(a: { kind: string; namespace?: string; name: string }, b: { kind: string; namespace?: string; name: string }): number {
  return cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.kind, b.kind) || cmp(a.name, b.name);
}

function uniqueSorted<T extends { kind: string; namespace?: string; name: string }>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (items.length < 2) return [...items];
  const seen = new Set<string>();
  const out: T[] = [];
  for (const i of items) {
    const k = `${i.kind}\u0000${i.namespace ?? ''}\u0000${i.name}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(i);
    }
  }
  return out.sort(compare);
}

/** A finding with its lists de-duplicated and in order; roles default to those its bindings name. */
export function finding(f: Omit<Finding, 'roles'> & { roles?: FindingRole[] }): Finding {
  const out: Finding = {
    id: f.id, type: f.type, severity: f.severity,
    ...(f.namespace ? { namespace: f.namespace } : {}),
    message: f.message,
    subjects: uniqueSorted(f.subjects, compareSubjects),
    bindings: uniqueSorted(f.bindings, compareScoped),
    roles: uniqueSorted(f.roles ?? f.bindings.map(roleOf), compareScoped),
  };
  if (f.rules) out.rules = f.rules;
  if (f.default) out.default = true;
  return out;
}

/** The report's order: severity, then type, then namespace (cluster-wide first), then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return severities.indexOf(a.severity) - severities.indexOf(b.severity) ||
    findingTypes.indexOf(a.type) - findingTypes.indexOf(b.type) ||
    cmp(a.namespace ?? '', b.namespace ?? '') ||
    cmp(a.id, b.id);
}

/** Subjects for a message, in the findings' order: the first three, then how many more. */
export function subjectsText(subjects: readonly Subject[]): string {
  if (subjects.length === 0) return 'no subject';
  const shown = [...subjects].sort(compareSubjects).slice(0, 3).map(subjectText);
  if (subjects.length > 3) shown.push(`${subjects.length - 3} more`);
  return listText(shown);
}
