/**
 * What-if: which subjects would gain or lose which permissions if a set of
 * RBAC changes were applied. Nothing is written; the "after" state is an
 * overlay view of the current one (see overlay-view.ts; aggregation
 * is re-resolved with the one aggregation, aggregation.ts).
 *
 * Permissions are compared as atoms (one verb, group, resource and at most
 * one name; or one verb and URL) with the policy comparator, so a change
 * that only reshapes rules (`get,list` → `*`) reports the new atoms the
 * wildcard adds and nothing lost. Subjects are binding subjects (User,
 * Group, ServiceAccount; a RoleBinding's ServiceAccount without namespace is
 * that namespace's). Entries are layered like RBAC itself:
 *
 * - the cluster entry (no `namespace`) compares what ClusterRoleBindings
 *   grant: it applies to cluster-scoped requests, URLs and every namespace;
 * - a namespace entry compares what that namespace's RoleBindings grant
 *   *beyond* the cluster-wide grants of the same state (URL rules excluded,
 *   as RoleBindings never grant URLs).
 *
 * So after a change, a subject's effective permissions in namespace N are
 * its cluster entry's plus its N entry's. Entries without gains or losses
 * are left out. Order: subjects by kind, namespace, name; the cluster entry
 * first, then namespaces by name; atoms by their compact form.
 */
import type { Attributes, ClusterRoleBinding, PolicyRule, RoleBinding, Subject } from './types.ts';
import { clusterRoleKey, roleKey } from '../casbin/projection.ts';
import { ruleQuery } from '../casbin/role-evaluator.ts';
import { privilegedGroup } from './decision.ts';
import { roleRefRole } from './rules-for.ts';
import type { RbacView } from './view.ts';
import { breakdownRule, covers } from './covers.ts';
import { roleRefRules } from './rules-for.ts';
import { compactString } from './rule-format.ts';
import { ruleKey } from './aggregation.ts';
import { compareSubjects, subjectKey } from './subjects.ts';
import { applyChanges, type RbacChangeSet } from './overlay-view.ts';

export interface WhatIfEntry {
  subject: Subject;
  /** Absent for the cluster-wide entry. */
  namespace?: string;
  gained: PolicyRule[];
  lost: PolicyRule[];
}

export interface WhatIfResult {
  entries: WhatIfEntry[];
  /** Each question asked, allowed before the change and after it, in order. */
  answers?: { before: boolean; after: boolean }[];
}

/**
 * Whether `attrs` is allowed over `view` (the privileged group, then the
 * applicable bindings' roles, each asked of the view's Casbin evaluator):
 * the authorizer's answer for a view that is not a snapshot's state, such
 * as the state a what-if would make.
 */
export function allowedOn(view: RbacView, attrs: Attributes): boolean {
  if ((attrs.user.groups ?? []).includes(privilegedGroup)) return true;
  const query = ruleQuery(attrs);
  for (const { binding, namespace } of view.applicableBindings(attrs.user, attrs.isResourceRequest ? attrs.namespace : '')) {
    const resolved = roleRefRole(view, binding.roleRef, namespace, 'lister');
    if (resolved.error !== undefined) continue;
    const key = binding.roleRef.kind === 'Role' ? roleKey(namespace, binding.roleRef.name) : clusterRoleKey(binding.roleRef.name);
    const table = view.evaluator.tableFor(resolved.role, key, resolved.role.rules ?? []);
    if (view.evaluator.firstAllowingRule(table, query) >= 0) return true;
  }
  return false;
}

const rbacGroup = 'rbac.authorization.k8s.io';

/** The subject a binding names, with its implied namespace; undefined when it can match nobody. */
function normalizedSubject(s: Subject, bindingNamespace: string): Subject | undefined {
  if (s.kind === 'ServiceAccount') {
    const namespace = s.namespace || bindingNamespace;
    return namespace ? { kind: 'ServiceAccount', name: s.name, namespace } : undefined;
  }
  if (s.kind === 'User' || s.kind === 'Group') return { kind: s.kind, apiGroup: rbacGroup, name: s.name };
  return undefined;
}

type AnyBinding = ClusterRoleBinding | RoleBinding;

/** Per subject: rules from ClusterRoleBindings, and from RoleBindings per namespace. */
interface Holdings { cluster: PolicyRule[]; namespaces: Map<string, PolicyRule[]> }

function collectHoldings(view: RbacView, wanted: ReadonlySet<string> | undefined): Map<string, { subject: Subject; held: Holdings }> {
  const out = new Map<string, { subject: Subject; held: Holdings }>();
  const grant = (b: AnyBinding, namespace: string) => {
    let rules: readonly PolicyRule[] | undefined;
    for (const raw of b.subjects ?? []) {
      const subject = normalizedSubject(raw, namespace);
      if (!subject) continue;
      const key = subjectKey(subject);
      if (wanted && !wanted.has(key)) continue;
      rules ??= roleRefRules(view, b.roleRef, namespace, 'lister').rules ?? [];
      let entry = out.get(key);
      if (!entry) { entry = { subject, held: { cluster: [], namespaces: new Map() } }; out.set(key, entry); }
      if (!namespace) { entry.held.cluster.push(...rules); continue; }
      let list = entry.held.namespaces.get(namespace);
      if (!list) { list = []; entry.held.namespaces.set(namespace, list); }
      list.push(...rules);
    }
  };
  for (const b of view.clusterRoleBindings()) grant(b, '');
  for (const ns of view.roleBindingNamespaces()) for (const b of view.roleBindings(ns)) grant(b, ns);
  return out;
}

function uniqueAtoms(atoms: readonly PolicyRule[]): PolicyRule[] {
  const seen = new Map<string, PolicyRule>();
  for (const a of atoms) if (!seen.has(ruleKey(a))) seen.set(ruleKey(a), a);
  return [...seen.values()].sort((x, y) => (compactString(x) < compactString(y) ? -1 : compactString(x) > compactString(y) ? 1 : 0));
}

/** Atoms of `next` not covered by `prev`. */
function gainedAtoms(prev: readonly PolicyRule[], next: readonly PolicyRule[]): PolicyRule[] {
  return uniqueAtoms(covers(prev, next).uncoveredRules);
}

/** Resource atoms a namespace's RoleBindings add beyond the cluster-wide rules. */
function namespaceExtra(cluster: readonly PolicyRule[], local: readonly PolicyRule[]): PolicyRule[] {
  const resourceOnly = local.map((r) => ({ ...r, nonResourceURLs: undefined }));
  return uniqueAtoms(covers(cluster, resourceOnly).uncoveredRules);
}

function sameRules(a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => ruleKey(r) === ruleKey(y[i]));
}

/** Subjects whose holdings may differ: those of changed bindings and of bindings to changed roles. */
function affectedSubjects(before: RbacView, after: RbacView, changes: RbacChangeSet): Set<string> {
  const keys = new Set<string>();
  const changedRoles = new Set<string>();
  const roleKeyOf = (kind: string, ns: string, name: string) => JSON.stringify([kind, kind === 'Role' ? ns : '', name]);
  const bindingKeys = new Set<string>();
  for (const o of changes.apply ?? []) {
    const ns = o.metadata.namespace ?? '';
    if (o.kind === 'Role') changedRoles.add(roleKeyOf('Role', ns, o.metadata.name ?? ''));
    else if (o.kind !== 'ClusterRole') bindingKeys.add(JSON.stringify([o.kind, ns, o.metadata.name ?? '']));
  }
  for (const r of changes.delete ?? []) {
    if (r.kind === 'Role') changedRoles.add(roleKeyOf('Role', r.namespace ?? '', r.name));
    else if (r.kind !== 'ClusterRole') bindingKeys.add(JSON.stringify([r.kind, r.namespace ?? '', r.name]));
  }
  const touchesClusterRoles = (changes.apply ?? []).some((o) => o.kind === 'ClusterRole') ||
    (changes.delete ?? []).some((r) => r.kind === 'ClusterRole');
  if (touchesClusterRoles) {
    const names = new Set<string>();
    for (const r of before.clusterRoles()) names.add(r.metadata.name ?? '');
    for (const r of after.clusterRoles()) names.add(r.metadata.name ?? '');
    for (const name of names) {
      const a = before.clusterRole(name);
      const b = after.clusterRole(name);
      if (!a !== !b || !sameRules(a?.rules, b?.rules)) changedRoles.add(roleKeyOf('ClusterRole', '', name));
    }
  }
  const scan = (view: RbacView) => {
    const visit = (b: AnyBinding, ns: string) => {
      const changed = bindingKeys.has(JSON.stringify([b.kind, ns, b.metadata.name ?? ''])) ||
        changedRoles.has(roleKeyOf(b.roleRef.kind, ns, b.roleRef.name));
      if (!changed) return;
      for (const s of b.subjects ?? []) {
        const subject = normalizedSubject(s, ns);
        if (subject) keys.add(subjectKey(subject));
      }
    };
    for (const b of view.clusterRoleBindings()) visit(b, '');
    for (const ns of view.roleBindingNamespaces()) for (const b of view.roleBindings(ns)) visit(b, ns);
  };
  scan(before);
  scan(after);
  return keys;
}

/** The permission changes `changes` would cause. */
export function whatIf(before: RbacView, changes: RbacChangeSet, questions: readonly Attributes[] = []): WhatIfResult {
  const after = applyChanges(before, changes);
  const wanted = affectedSubjects(before, after, changes);
  const prev = collectHoldings(before, wanted);
  const next = collectHoldings(after, wanted);
  const empty: Holdings = { cluster: [], namespaces: new Map() };
  const entries: WhatIfEntry[] = [];
  const subjects = new Map<string, Subject>();
  for (const [k, v] of prev) subjects.set(k, v.subject);
  for (const [k, v] of next) subjects.set(k, v.subject);
  for (const subject of [...subjects.values()].sort(compareSubjects)) {
    const key = subjectKey(subject);
    const p = prev.get(key)?.held ?? empty;
    const n = next.get(key)?.held ?? empty;
    const clusterGained = gainedAtoms(p.cluster, n.cluster);
    const clusterLost = gainedAtoms(n.cluster, p.cluster);
    if (clusterGained.length || clusterLost.length) entries.push({ subject, gained: clusterGained, lost: clusterLost });
    const namespaces = [...new Set([...p.namespaces.keys(), ...n.namespaces.keys()])].sort();
    for (const namespace of namespaces) {
      const extraBefore = namespaceExtra(p.cluster, p.namespaces.get(namespace) ?? []);
      const extraAfter = namespaceExtra(n.cluster, n.namespaces.get(namespace) ?? []);
      const gained = gainedAtoms(extraBefore, extraAfter);
      const lost = gainedAtoms(extraAfter, extraBefore);
      if (gained.length || lost.length) entries.push({ subject, namespace, gained, lost });
    }
  }
  if (!questions.length) return { entries };
  return { entries, answers: questions.map((q) => ({ before: allowedOn(before, q), after: allowedOn(after, q) })) };
}
