/**
 * A compact, question-independent index of one list of bindings, so that a
 * who-can question costs one typed-array pass instead of per-subject work:
 * distinct roleRefs numbered once, subjects numbered once (identity: kind,
 * namespace, name), and one frozen `GrantingBinding` per binding.
 *
 * Indexes are memoized per binding list in the memo the caller hands in (an
 * RbacState keeps one): a view's lists are immutable for one state (a new
 * state comes with new lists), so the index lives as long as the list.
 */
import type { ClusterRoleBinding, RoleBinding, RoleRef, Subject } from './types.ts';
import { subjectKey } from './subjects.ts';

export interface GrantingBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  /** Set for RoleBindings. */
  namespace?: string;
  name: string;
  roleRef: RoleRef;
}

export interface BindingIndex {
  /** Binding i in lister order, as a frozen description. */
  granting: readonly GrantingBinding[];
  /** Binding i refers to roleRefs[roleSlot[i]]. */
  roleSlot: Int32Array;
  roleRefs: readonly RoleRef[];
  /** Subjects of binding i: subjectIds[subjectStart[i] .. subjectStart[i + 1]). */
  subjectStart: Int32Array;
  subjectIds: Int32Array;
  /** Distinct subjects, in first-listed form, with their identity keys. */
  subjects: readonly Subject[];
  subjectKeys: readonly string[];
  /** Subject identity key → subject number. */
  subjectIdOf: ReadonlyMap<string, number>;
}

/** The index of `bindings` (in `namespace`, '' for ClusterRoleBindings), kept in `memo` when one is given. */
export function bindingIndex(bindings: readonly (RoleBinding | ClusterRoleBinding)[], namespace: string, memo?: WeakMap<readonly object[], BindingIndex>): BindingIndex {
  const cached = memo?.get(bindings);
  if (cached) return cached;
  const n = bindings.length;
  const granting: GrantingBinding[] = new Array(n);
  const roleSlot = new Int32Array(n);
  const roleRefs: RoleRef[] = [];
  const slotOf = new Map<string, number>();
  const subjectStart = new Int32Array(n + 1);
  const ids: number[] = [];
  const subjects: Subject[] = [];
  const subjectKeys: string[] = [];
  const idOf = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const b = bindings[i];
    const roleRef = b.roleRef;
    const refKey = `${roleRef.kind}\u0000${roleRef.name}`;
    let slot = slotOf.get(refKey);
    if (slot === undefined) {
      slot = roleRefs.length;
      roleRefs.push(roleRef);
      slotOf.set(refKey, slot);
    }
    roleSlot[i] = slot;
    granting[i] = Object.freeze(namespace
      ? { kind: 'RoleBinding' as const, namespace, name: b.metadata.name ?? '', roleRef }
      : { kind: 'ClusterRoleBinding' as const, name: b.metadata.name ?? '', roleRef });
    subjectStart[i] = ids.length;
    for (const s of b.subjects ?? []) {
      const key = subjectKey(s);
      let id = idOf.get(key);
      if (id === undefined) {
        id = subjects.length;
        subjects.push(s);
        subjectKeys.push(key);
        idOf.set(key, id);
      }
      ids.push(id);
    }
  }
  subjectStart[n] = ids.length;
  const index: BindingIndex = { granting, roleSlot, roleRefs, subjectStart, subjectIds: Int32Array.from(ids), subjects, subjectKeys, subjectIdOf: idOf };
  memo?.set(bindings, index);
  return index;
}
