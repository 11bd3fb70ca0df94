/**
 * "Who can": every subject that may perform a request, with the bindings
 * that let it (upstream's RBAC SubjectAccessEvaluator, AllowedSubjects, made
 * de-duplicated, explained and paginated).
 *
 * Result order, stable for one state: the `system:masters` Group first (the
 * privileged group may do everything, before RBAC is asked), then the
 * optional configured super-user, then every other subject in order of first
 * appearance: ClusterRoleBindings in lister order, then the RoleBindings of
 * the request's namespace in lister order, each binding's subjects in their
 * listed order. A subject appears once (identity: kind, namespace, name) and
 * carries every binding that grants it. Subjects are reported as the binding
 * lists them: a RoleBinding's ServiceAccount without namespace stays without
 * one (it means the binding's namespace, named by `grantedBy`).
 *
 * Scope, as upstream: requests without a namespace (cluster-scoped,
 * all-namespaces, every URL) see ClusterRoleBindings only; the namespace is
 * a literal name (`*` matches no RoleBinding). Bindings to missing roles
 * grant nothing and are reported in `evaluationError`.
 *
 * Whether a role allows the request is what the Casbin evaluator says (the
 * same evaluator SubjectAccessReviews are decided with). Each distinct role
 * is resolved and asked once per question, and the bindings in scope are
 * walked once over a per-list index (who-can-index.ts) kept in the view's
 * memo, so views must hand out the same, unchanging binding arrays for one
 * state for that index to be reused across questions.
 */
import type { Attributes, ClusterRoleBinding, RoleBinding, Subject } from './types.ts';
import type { RbacView } from './view.ts';
import { ruleQuery } from '../casbin/role-evaluator.ts';
import { clusterRoleKey, roleKey } from '../casbin/projection.ts';
import { roleRefRole } from './rules-for.ts';
import { aggregateErrorString } from './rule-format.ts';
import { subjectKey } from './subjects.ts';
import { privilegedGroup } from './decision.ts';
import { bindingIndex, type BindingIndex, type GrantingBinding } from './who-can-index.ts';
import { decodeContinue, encodeContinue, questionFingerprint } from './who-can-continue.ts';

/** The question, in SubjectAccessReview spec shape (exactly one block). */
export type WhoCanQuestion =
  | {
    resourceAttributes: {
      namespace?: string; verb?: string; group?: string; version?: string;
      resource?: string; subresource?: string; name?: string;
    };
    nonResourceAttributes?: undefined;
  }
  | { nonResourceAttributes: { path?: string; verb?: string }; resourceAttributes?: undefined };

export type { GrantingBinding };

export interface WhoCanEntry {
  subject: Subject;
  /** Bindings that grant the request to this subject, in lister order (frozen objects, shared between answers). */
  grantedBy: GrantingBinding[];
  /** Why a subject may act without a binding: the privileged group, or the configured super-user. */
  privileged?: 'system:masters' | 'super-user';
}

export interface WhoCanOptions {
  /** The state revision the view reflects; continue tokens are bound to it. */
  revision: string | number;
  /** Page size; absent or 0 means everything. */
  limit?: number;
  /** The token of the previous page of the same question. */
  continue?: string;
  /** A user the evaluator treats as allowed everything (upstream's superUser setting). */
  superUser?: string;
}

export type WhoCanResult =
  | {
    ok: true;
    subjects: WhoCanEntry[];
    /** Present when more entries follow. */
    continue?: string;
    remainingItemCount?: number;
    /** Resolution errors of bindings in scope (missing roles), upstream wording. */
    evaluationError?: string;
  }
  | { ok: false; problem: 'invalid-token' | 'expired-token'; message: string };

/** The authorizer attributes a who-can question stands for (no user). */
export function questionAttributes(q: WhoCanQuestion): Attributes {
  const user = { name: '' };
  if (q.resourceAttributes) {
    const r = q.resourceAttributes;
    return {
      user, isResourceRequest: true, verb: r.verb ?? '', namespace: r.namespace ?? '', apiGroup: r.group ?? '',
      apiVersion: r.version ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '', path: '',
    };
  }
  const n = q.nonResourceAttributes ?? {};
  return {
    user, isResourceRequest: false, verb: n.verb ?? '', path: n.path ?? '', namespace: '', apiGroup: '',
    apiVersion: '', resource: '', subresource: '', name: '',
  };
}

const rbacGroup = 'rbac.authorization.k8s.io';

function indexOf(view: RbacView, bindings: readonly (ClusterRoleBinding | RoleBinding)[], namespace: string): BindingIndex | undefined {
  return bindings.length > 0 ? bindingIndex(bindings, namespace, view.whoCanIndexes) : undefined;
}

/** Every subject allowed to do `q`, one page of it. Never throws; a bad or outdated continue token is a value. */
export function whoCan(view: RbacView, q: WhoCanQuestion, opts: WhoCanOptions): WhoCanResult {
  const attrs = questionAttributes(q);
  const fingerprint = questionFingerprint([attrs.isResourceRequest, attrs.verb, attrs.namespace, attrs.apiGroup,
    attrs.resource, attrs.subresource, attrs.name, attrs.path, opts.superUser ?? '']);
  const revision = String(opts.revision);
  let offset = 0;
  if (opts.continue) {
    const token = decodeContinue(opts.continue, fingerprint, revision);
    if (!token.ok) return token;
    offset = token.offset;
  }

  // Subjects are numbered in order of first appearance; only those on the
  // requested page get an entry and their granting bindings recorded.
  const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : Number.MAX_SAFE_INTEGER;
  const pageEnd = offset + limit;
  const page: WhoCanEntry[] = [];
  let next = 0;
  const number = (subject: Subject): number => {
    const n = next++;
    if (n >= offset && n < pageEnd) page.push({ subject, grantedBy: [] });
    return n;
  };
  const grant = (n: number, binding: GrantingBinding) => {
    if (n < offset || n >= pageEnd) return;
    const grantedBy = page[n - offset].grantedBy;
    if (grantedBy[grantedBy.length - 1] !== binding) grantedBy.push(binding);
  };

  const clusterIndex = indexOf(view, view.clusterRoleBindings(), '');
  const localIndex = attrs.namespace ? indexOf(view, view.roleBindings(attrs.namespace), attrs.namespace) : undefined;
  const query = ruleQuery(attrs);
  const clusterOrder = new Int32Array(clusterIndex?.subjects.length ?? 0).fill(-1);
  const localOrder = new Int32Array(localIndex?.subjects.length ?? 0).fill(-1);
  const privileged = (subject: Subject, why: WhoCanEntry['privileged']) => {
    const n = number(subject);
    if (n >= offset && n < pageEnd) page[n - offset].privileged = why;
    const key = subjectKey(subject);
    const c = clusterIndex?.subjectIdOf.get(key);
    if (c !== undefined) clusterOrder[c] = n;
    const l = localIndex?.subjectIdOf.get(key);
    if (l !== undefined) localOrder[l] = n;
  };
  privileged({ kind: 'Group', apiGroup: rbacGroup, name: privilegedGroup }, 'system:masters');
  if (opts.superUser) privileged({ kind: 'User', apiGroup: rbacGroup, name: opts.superUser }, 'super-user');

  const errors = new Set<string>();
  const walk = (index: BindingIndex, namespace: string, order: Int32Array, numberOf: (id: number) => number) => {
    // Each distinct role is resolved and matched once for this question.
    const allowed = new Uint8Array(index.roleRefs.length);
    index.roleRefs.forEach((roleRef, slot) => {
      const resolved = roleRefRole(view, roleRef, namespace, 'lister');
      if (resolved.error !== undefined) {
        errors.add(resolved.error);
        return;
      }
      const key = roleRef.kind === 'Role' ? roleKey(namespace, roleRef.name) : clusterRoleKey(roleRef.name);
      const table = view.evaluator.tableFor(resolved.role, key, resolved.role.rules ?? []);
      if (view.evaluator.firstAllowingRule(table, query) >= 0) allowed[slot] = 1;
    });
    const { roleSlot, subjectStart, subjectIds, granting } = index;
    for (let i = 0; i < roleSlot.length; i++) {
      if (!allowed[roleSlot[i]]) continue;
      for (let j = subjectStart[i]; j < subjectStart[i + 1]; j++) {
        const id = subjectIds[j];
        let n = order[id];
        if (n < 0) n = order[id] = numberOf(id);
        grant(n, granting[i]);
      }
    }
  };
  if (clusterIndex) walk(clusterIndex, '', clusterOrder, (id) => number(clusterIndex.subjects[id]));
  if (localIndex) {
    walk(localIndex, attrs.namespace, localOrder, (id) => {
      // A subject already met through a ClusterRoleBinding keeps its place.
      const c = clusterIndex?.subjectIdOf.get(localIndex.subjectKeys[id]);
      if (c !== undefined && clusterOrder[c] >= 0) return clusterOrder[c];
      return number(localIndex.subjects[id]);
    });
  }

  const result: WhoCanResult = { ok: true, subjects: page };
  if (pageEnd < next) {
    result.continue = encodeContinue(pageEnd, fingerprint, revision);
    result.remainingItemCount = next - pageEnd;
  }
  if (errors.size > 0) result.evaluationError = aggregateErrorString([...errors]);
  return result;
}

/**
 * Builds the per-list indexes of a view ahead of the first question (for
 * example right after a new snapshot is swapped in), so that no question
 * pays for them.
 */
export function prepareWhoCan(view: RbacView): void {
  indexOf(view, view.clusterRoleBindings(), '');
  for (const ns of view.roleBindingNamespaces()) indexOf(view, view.roleBindings(ns), ns);
}
