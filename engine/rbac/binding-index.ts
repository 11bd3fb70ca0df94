/**
 * Binding indexes of an RBAC state: who a binding applies to (its
 * principals, see engine/casbin/projection.ts) and which role it uses, so a
 * decision looks up only the bindings of the requester's principals.
 *
 * Every entry carries `seq`, its position in lister order: a new object gets
 * the next number, an updated one keeps its own. Lists are kept sorted by it.
 */
import { requesterPrincipals, roleRefKey, subjectPrincipal } from '../casbin/projection.ts';
import type { RuleTable } from '../casbin/role-evaluator.ts';
import type { BindingRef, ConsideredBinding, RoleRefWithNamespace } from './decision.ts';
import { PersistentMap, type PersistentMapEditor } from './persistent-map.ts';
import type { ClusterRoleBinding, RoleBinding, UserInfo } from './types.ts';

export interface BindingEntry {
  readonly seq: number;
  readonly binding: RoleBinding | ClusterRoleBinding;
  /** The binding's namespace; empty for a ClusterRoleBinding. */
  readonly namespace: string;
  /** The role key its roleRef resolves to (projection.ts), or undefined when it can name no role. */
  readonly roleKey: string | undefined;
  /** Distinct principals of its subjects, in subject order. */
  readonly principals: readonly string[];
  /** How decisions name the binding and its role (shared by every decision that does). */
  readonly ref: BindingRef;
  readonly role: RoleRefWithNamespace;
  /**
   * The role's rule table as last resolved, and the role epoch of the state
   * that resolved it (states share entries; a state whose roles are the same
   * objects has the same epoch and reuses the table without a lookup).
   */
  readonly resolved: { epoch?: object; table?: RuleTable };
  /** How a deny lists this binding, made once per outcome and shared by every decision that does. */
  readonly considered: { found?: ConsideredBinding; missing?: ConsideredBinding };
}

/** The binding as a deny lists it. */
export function consideredBinding(entry: BindingEntry, roleFound: boolean): ConsideredBinding {
  const c = entry.considered;
  if (roleFound) return (c.found ??= Object.freeze({ binding: entry.ref, role: entry.role, roleFound }));
  return (c.missing ??= Object.freeze({ binding: entry.ref, role: entry.role, roleFound }));
}

export function bindingEntry(seq: number, binding: RoleBinding | ClusterRoleBinding, namespace: string): BindingEntry {
  const principals: string[] = [];
  for (const s of binding.subjects ?? []) {
    const p = subjectPrincipal(s, namespace);
    if (p !== undefined && !principals.includes(p)) principals.push(p);
  }
  const name = binding.metadata.name ?? '';
  const { kind, name: roleName } = binding.roleRef;
  return {
    seq, binding, namespace, roleKey: roleRefKey(binding.roleRef, namespace), principals,
    ref: Object.freeze(binding.kind === 'RoleBinding' ? { kind: 'RoleBinding', name, namespace } : { kind: 'ClusterRoleBinding', name }),
    role: Object.freeze(kind === 'Role' ? { kind, name: roleName, namespace } : { kind, name: roleName }),
    resolved: {},
    considered: {},
  };
}

const bySeq = (a: BindingEntry, b: BindingEntry): number => a.seq - b.seq;

function insertSorted(list: readonly BindingEntry[] | undefined, entry: BindingEntry): BindingEntry[] {
  const out = list ? list.slice() : [];
  let i = out.length;
  while (i > 0 && out[i - 1].seq > entry.seq) i--;
  out.splice(i, 0, entry);
  return out;
}

/** Adds or removes one entry in a principal -> entries index held in a map editor. */
export function indexEntry(index: PersistentMapEditor<readonly BindingEntry[]>, entry: BindingEntry, add: boolean): void {
  for (const p of entry.principals) {
    const list = index.get(p);
    if (add) index.set(p, insertSorted(list, entry));
    else if (list) {
      const rest = list.filter((e) => e !== entry);
      if (rest.length === 0) index.delete(p);
      else index.set(p, rest);
    }
  }
}

/**
 * Appends to `out` the entries of any of `principals` in an index, once
 * each, in lister order: a merge of the per-principal lists, which are
 * sorted by `seq` (a binding naming several of the principals is in several
 * lists, with the same entry object).
 */
export function appendEntriesFor(
  out: BindingEntry[],
  index: { get(principal: string): readonly BindingEntry[] | undefined },
  principals: readonly string[],
): void {
  let first: readonly BindingEntry[] | undefined;
  let lists: (readonly BindingEntry[])[] | undefined;
  for (const p of principals) {
    const list = index.get(p);
    if (list === undefined || list.length === 0) continue;
    if (first === undefined) first = list;
    else (lists ??= [first]).push(list);
  }
  if (first === undefined) return;
  if (lists === undefined) {
    for (let i = 0; i < first.length; i++) out.push(first[i]);
    return;
  }
  const heads = new Array<number>(lists.length).fill(0);
  for (;;) {
    let best = -1;
    let bestSeq = Infinity;
    for (let i = 0; i < lists.length; i++) {
      const h = heads[i];
      if (h < lists[i].length && lists[i][h].seq < bestSeq) {
        best = i;
        bestSeq = lists[i][h].seq;
      }
    }
    if (best < 0) return;
    const entry = lists[best][heads[best]];
    for (let i = 0; i < lists.length; i++) if (heads[i] < lists[i].length && lists[i][heads[i]] === entry) heads[i]++;
    out.push(entry);
  }
}

/** The RoleBindings of one namespace. Immutable; `with` returns a new one. */
export class NamespaceBindings {
  private constructor(
    readonly byName: ReadonlyMap<string, BindingEntry>,
    /** In lister order. */
    readonly ordered: readonly BindingEntry[],
    readonly bySubject: ReadonlyMap<string, readonly BindingEntry[]>,
    /** The RoleBinding objects, in lister order. */
    readonly bindings: readonly RoleBinding[],
  ) {}

  static readonly empty = new NamespaceBindings(new Map(), [], new Map(), []);

  /** This namespace after `changes` (name -> new entry, or null when deleted). */
  with(changes: ReadonlyMap<string, BindingEntry | null>): NamespaceBindings {
    return this.appended(changes) ?? this.rebuilt(changes);
  }

  /**
   * When `changes` only add new bindings, each later in lister order than
   * every binding here (the usual create), this namespace with them appended;
   * else undefined. Lists of principals they do not name are shared.
   */
  private appended(changes: ReadonlyMap<string, BindingEntry | null>): NamespaceBindings | undefined {
    let last = this.ordered.length ? this.ordered[this.ordered.length - 1].seq : -Infinity;
    for (const [name, entry] of changes) {
      if (!entry || this.byName.has(name) || entry.seq <= last) return undefined;
      last = entry.seq;
    }
    const byName = new Map(this.byName);
    const bySubject = new Map(this.bySubject);
    const added: BindingEntry[] = [];
    for (const [name, entry] of changes) {
      byName.set(name, entry!);
      added.push(entry!);
      for (const p of entry!.principals) bySubject.set(p, [...(bySubject.get(p) ?? []), entry!]);
    }
    return new NamespaceBindings(byName, [...this.ordered, ...added], bySubject, [...this.bindings, ...added.map((e) => e.binding as RoleBinding)]);
  }

  private rebuilt(changes: ReadonlyMap<string, BindingEntry | null>): NamespaceBindings {
    const byName = new Map(this.byName);
    for (const [name, entry] of changes) {
      if (entry) byName.set(name, entry);
      else byName.delete(name);
    }
    const ordered = [...byName.values()].sort(bySeq);
    const bySubject = new Map<string, BindingEntry[]>();
    for (const e of ordered) {
      for (const p of e.principals) {
        const list = bySubject.get(p);
        if (list) list.push(e);
        else bySubject.set(p, [e]);
      }
    }
    return new NamespaceBindings(byName, ordered, bySubject, ordered.map((e) => e.binding as RoleBinding));
  }
}

/**
 * The bindings that apply to a requester for a request in `namespace`, in
 * kube's visiting order: ClusterRoleBindings first, then (only for a
 * non-empty namespace) that namespace's RoleBindings, each in lister order.
 */
export function applicableBindings(
  clusterBySubject: PersistentMap<readonly BindingEntry[]>,
  roleBindings: PersistentMap<NamespaceBindings>,
  user: UserInfo,
  namespace: string,
  principals: readonly string[] = requesterPrincipals(user),
): BindingEntry[] {
  const out: BindingEntry[] = [];
  appendEntriesFor(out, clusterBySubject, principals);
  if (namespace !== '') {
    const ns = roleBindings.get(namespace);
    if (ns) appendEntriesFor(out, ns.bySubject, principals);
  }
  return out;
}
