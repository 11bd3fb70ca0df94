/**
 * RbacState: an immutable, indexed snapshot of Roles, ClusterRoles,
 * RoleBindings and ClusterRoleBindings, with ClusterRole aggregation
 * resolved. It implements RbacView and is what `authorize` decides over.
 *
 * `apply(changes)` returns a new state and leaves this one untouched (it may
 * still be serving); the two share every index part the changes did not
 * touch, so one binding change costs microseconds, not a rebuild. A change to
 * a ClusterRole that feeds an aggregated role re-resolves aggregation.
 *
 * Lister order: objects keep the order they were given to `build`; a new
 * object goes last, an updated one keeps its place. Objects handed in must
 * not be mutated afterwards (states share them, and per-role evaluation
 * tables are cached by object identity).
 */
import { clusterRoleKey, roleKey } from '../casbin/projection.ts';
import { RoleEvaluator, type RuleQuery, type RuleTable } from '../casbin/role-evaluator.ts';
import { Aggregation, type ClusterRoleChange, type ClusterRoleSource } from './aggregation.ts';
import { applicableBindings, bindingEntry, indexEntry, NamespaceBindings, type BindingEntry } from './binding-index.ts';
import { DecisionMemo, type MemoStats } from './decision-memo.ts';
import { firstAllowingIn, ListAnswers, type Allowing } from './first-allowing.ts';
import { PersistentMap } from './persistent-map.ts';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacObjects, Role, RoleBinding, UserInfo } from './types.ts';
import type { RbacView } from './view.ts';
import type { BindingIndex } from './who-can-index.ts';

/** One write: the object's new version, or null when it was deleted. */
export type RbacChange =
  | { kind: 'Role'; namespace: string; name: string; object: Role | null }
  | { kind: 'ClusterRole'; namespace?: undefined; name: string; object: ClusterRole | null }
  | { kind: 'RoleBinding'; namespace: string; name: string; object: RoleBinding | null }
  | { kind: 'ClusterRoleBinding'; namespace?: undefined; name: string; object: ClusterRoleBinding | null };

export interface RbacStateOptions {
  /** The Casbin model text (policies/rbac-model.conf). */
  casbinModel: string;
  /** How many decisions one state memoizes (default 100,000; 0 disables). */
  memoLimit?: number;
  /**
   * How many per-role answers of the Casbin evaluator are memoized, shared by
   * every state derived from this build (default 200,000; 0 disables).
   */
  roleAnswerLimit?: number;
  /**
   * How many first-allowing positions of long binding lists are memoized
   * (engine/rbac/first-allowing.ts), shared by the states derived from this
   * build while their roles are unchanged (default 100,000; 0 disables).
   */
  listAnswerLimit?: number;
}

interface Stored<T> {
  readonly seq: number;
  readonly object: T;
}

interface Aggregated {
  readonly raw: ClusterRole;
  readonly rules: readonly PolicyRule[];
  readonly resolved: ClusterRole;
}

/** What every state derived from one build shares. */
interface Shared {
  readonly evaluator: RoleEvaluator;
  /** Decision memo hits and misses, over every state of this lineage. */
  readonly memoStats: MemoStats;
  /** Who-can's indexes by binding list; a list unchanged between states keeps its index. */
  readonly whoCanIndexes: WeakMap<readonly object[], BindingIndex>;
  readonly memoLimit: number;
  readonly listAnswerLimit: number;
  /** The list memo of the role epoch that last asked for one. */
  listAnswers?: ListAnswers;
}

const bySeq = (a: { seq: number }, b: { seq: number }): number => a.seq - b.seq;

export class RbacState implements RbacView {
  private lists?: { crbs: ClusterRoleBinding[]; clusterRoles: ClusterRole[]; roles: Role[] };
  private memoStore?: DecisionMemo<unknown>;

  private constructor(
    private readonly shared: Shared,
    private readonly nextSeq: number,
    private readonly roleMap: PersistentMap<Stored<Role>>,
    private readonly clusterRoleMap: PersistentMap<Stored<ClusterRole>>,
    private readonly aggregation: Aggregation,
    private readonly aggregated: ReadonlyMap<string, Aggregated>,
    private readonly crbByName: PersistentMap<BindingEntry>,
    private readonly crbBySubject: PersistentMap<readonly BindingEntry[]>,
    private readonly rbByNamespace: PersistentMap<NamespaceBindings>,
    /** Replaced whenever a Role or ClusterRole changes: entries resolved under the same epoch are still right. */
    private readonly roleEpoch: object,
  ) {}

  /** A state holding nothing. Throws when the Casbin model does not behave as the RBAC model. */
  static empty(options: RbacStateOptions): RbacState {
    const shared = {
      evaluator: new RoleEvaluator(options.casbinModel, options.roleAnswerLimit ?? 200_000),
      whoCanIndexes: new WeakMap<readonly object[], BindingIndex>(),
      memoStats: { hits: 0, misses: 0 },
      memoLimit: options.memoLimit ?? 100_000,
      listAnswerLimit: options.listAnswerLimit ?? 100_000,
    };
    const none = Aggregation.build({ get: () => undefined, values: () => [] });
    return new RbacState(shared, 0, PersistentMap.empty(), PersistentMap.empty(), none, new Map(),
      PersistentMap.empty(), PersistentMap.empty(), PersistentMap.empty(), {});
  }

  /** A state holding `objects`; a later object with the same kind, namespace and name replaces an earlier one. */
  static build(objects: RbacObjects, options: RbacStateOptions): RbacState {
    return RbacState.empty(options).apply(changesOf(objects));
  }

  /** This state after `changes`, applied in order. Throws on a change without a name, or a namespaced kind without namespace. */
  apply(changes: Iterable<RbacChange>): RbacState {
    let seq = this.nextSeq;
    const roles = this.roleMap.edit();
    const clusterRoles = this.clusterRoleMap.edit();
    const crbByName = this.crbByName.edit();
    const crbBySubject = this.crbBySubject.edit();
    const rbChanges = new Map<string, Map<string, BindingEntry | null>>();
    const crChanges = new Map<string, ClusterRoleChange>();
    let any = false;
    let rolesChanged = false;
    const changedRoles: Array<[namespace: string, name: string]> = [];
    for (const c of changes) {
      any = true;
      checkChange(c);
      if (c.kind === 'Role' || c.kind === 'ClusterRole') rolesChanged = true;
      if (c.kind === 'Role' && c.object) changedRoles.push([c.namespace, c.name]);
      switch (c.kind) {
        case 'Role': {
          const key = `${c.namespace}/${c.name}`;
          const prev = roles.get(key);
          if (c.object) roles.set(key, { seq: prev?.seq ?? seq++, object: c.object });
          else roles.delete(key);
          break;
        }
        case 'ClusterRole': {
          const prev = clusterRoles.get(c.name);
          const before = crChanges.has(c.name) ? crChanges.get(c.name)!.before : prev?.object;
          crChanges.set(c.name, { name: c.name, before, after: c.object ?? undefined });
          if (c.object) clusterRoles.set(c.name, { seq: prev?.seq ?? seq++, object: c.object });
          else clusterRoles.delete(c.name);
          break;
        }
        case 'ClusterRoleBinding': {
          const prev = crbByName.get(c.name);
          if (prev) indexEntry(crbBySubject, prev, false);
          if (c.object) {
            const entry = bindingEntry(prev?.seq ?? seq++, c.object, '');
            crbByName.set(c.name, entry);
            indexEntry(crbBySubject, entry, true);
          } else crbByName.delete(c.name);
          break;
        }
        case 'RoleBinding': {
          let nsChanges = rbChanges.get(c.namespace);
          if (!nsChanges) rbChanges.set(c.namespace, (nsChanges = new Map()));
          const prev = nsChanges.has(c.name) ? nsChanges.get(c.name) : this.rbByNamespace.get(c.namespace)?.byName.get(c.name);
          nsChanges.set(c.name, c.object ? bindingEntry(prev?.seq ?? seq++, c.object, c.namespace) : null);
          break;
        }
        default:
          throw new TypeError(`unknown RBAC change kind ${JSON.stringify((c as { kind: unknown }).kind)}`);
      }
    }
    if (!any) return this;

    const rbByNamespace = this.rbByNamespace.edit();
    for (const [ns, nsChanges] of rbChanges) {
      const next = (rbByNamespace.get(ns) ?? NamespaceBindings.empty).with(nsChanges);
      if (next.ordered.length > 0) rbByNamespace.set(ns, next);
      else rbByNamespace.delete(ns);
    }

    const clusterRoleMap = clusterRoles.done();
    let aggregation = this.aggregation;
    let aggregated = this.aggregated;
    if (crChanges.size > 0) {
      aggregation = this.aggregation.update([...crChanges.values()], sourceOf(clusterRoleMap));
      if (aggregation !== this.aggregation) aggregated = resolvedAggregators(aggregation, clusterRoleMap, this.aggregated);
    }
    const next = new RbacState(this.shared, seq, roles.done(), clusterRoleMap, aggregation, aggregated,
      crbByName.done(), crbBySubject.done(), rbByNamespace.done(), rolesChanged ? {} : this.roleEpoch);
    // Rule tables of new role versions are built now rather than on a first request.
    for (const [namespace, name] of changedRoles) next.tableOfRole(namespace, name);
    for (const name of crChanges.keys()) next.tableOfClusterRole(name);
    if (aggregated !== this.aggregated) for (const name of aggregated.keys()) next.tableOfClusterRole(name);
    return next;
  }

  // RbacView

  clusterRoleBindings(): readonly ClusterRoleBinding[] {
    return this.sortedLists().crbs;
  }

  roleBindings(namespace: string): readonly RoleBinding[] {
    return this.rbByNamespace.get(namespace)?.bindings ?? [];
  }

  roleBindingNamespaces(): Iterable<string> {
    return this.rbByNamespace.keys();
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roleMap.get(`${namespace}/${name}`)?.object;
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.aggregated.get(name)?.resolved ?? this.clusterRoleMap.get(name)?.object;
  }

  clusterRoles(): Iterable<ClusterRole> {
    return this.sortedLists().clusterRoles;
  }

  /** Every Role, in lister order. */
  roles(): Iterable<Role> {
    return this.sortedLists().roles;
  }

  /** The objects as written (aggregated roles with their own rules), in lister order. */
  objects(): RbacObjects {
    const stored = <T>(m: PersistentMap<Stored<T>>): T[] => [...m.values()].sort(bySeq).map((s) => s.object);
    const rbs: RoleBinding[] = [];
    const entries = [...this.rbByNamespace.values()].flatMap((ns) => ns.ordered).sort(bySeq);
    for (const e of entries) rbs.push(e.binding as RoleBinding);
    return {
      roles: stored(this.roleMap),
      clusterRoles: stored(this.clusterRoleMap),
      roleBindings: rbs,
      clusterRoleBindings: [...this.sortedLists().crbs],
    };
  }

  /** Counts, for diagnostics. */
  stats(): { roles: number; clusterRoles: number; clusterRoleBindings: number; roleBindings: number; memoized: number } {
    let rbs = 0;
    for (const ns of this.rbByNamespace.values()) rbs += ns.ordered.length;
    return {
      roles: this.roleMap.size, clusterRoles: this.clusterRoleMap.size,
      clusterRoleBindings: this.crbByName.size, roleBindings: rbs, memoized: this.memoStore?.size ?? 0,
    };
  }

  // Decision support for authorizer.ts; not for other callers.

  /**
   * @internal The first binding in kube's visiting order that applies to one
   * of `principals` (engine/casbin/projection.ts `requesterPrincipals`) and
   * whose role allows `query`: ClusterRoleBindings first, then the
   * RoleBindings of `namespace` ('' = cluster-wide request: none).
   */
  firstAllowing(principals: readonly string[], namespace: string, query: RuleQuery): Allowing | undefined {
    let answers = this.shared.listAnswers;
    if (answers === undefined || answers.epoch !== this.roleEpoch) {
      this.shared.listAnswers = answers = new ListAnswers(this.roleEpoch, this.shared.listAnswerLimit);
    }
    const found = firstAllowingIn(answers, this, this.crbBySubject, principals, query);
    if (found !== undefined || namespace === '') return found;
    const ns = this.rbByNamespace.get(namespace);
    return ns && firstAllowingIn(answers, this, ns.bySubject, principals, query);
  }

  /** @internal Index of the first rule of `table` that allows `query`, or -1 (the evaluator's memoized answer). */
  firstAllowingRule(table: RuleTable, query: RuleQuery): number {
    return this.shared.evaluator.firstAllowingRule(table, query);
  }

  /**
   * The bindings that apply to `user` in `namespace` ('' = cluster-wide), in kube's visiting order,
   * found through the subject index (`principals`: the user's, when the caller has them already).
   */
  applicableBindings(user: UserInfo, namespace: string, principals?: readonly string[]): BindingEntry[] {
    return applicableBindings(this.crbBySubject, this.rbByNamespace, user, namespace, principals);
  }

  /**
   * @internal The rule table of the role a binding uses (its `rules` are the role's,
   * aggregation resolved), or undefined when the role is missing or a
   * ClusterRoleBinding names a Role.
   */
  roleTable(entry: BindingEntry): RuleTable | undefined {
    const cache = entry.resolved;
    if (cache.epoch === this.roleEpoch) return cache.table;
    let table: RuleTable | undefined;
    if (entry.roleKey !== undefined) {
      const ref = entry.binding.roleRef;
      const object = ref.kind === 'ClusterRole' ? this.clusterRole(ref.name) : this.role(entry.namespace, ref.name);
      table = object && this.shared.evaluator.tableFor(object, entry.roleKey, object.rules ?? []);
    }
    cache.epoch = this.roleEpoch;
    cache.table = table;
    return table;
  }

  private tableOfRole(namespace: string, name: string): RuleTable | undefined {
    const role = this.role(namespace, name);
    return role && this.shared.evaluator.tableFor(role, roleKey(namespace, name), role.rules ?? []);
  }

  private tableOfClusterRole(name: string): RuleTable | undefined {
    const role = this.clusterRole(name);
    return role && this.shared.evaluator.tableFor(role, clusterRoleKey(name), role.rules ?? []);
  }

  get evaluator(): RoleEvaluator {
    return this.shared.evaluator;
  }

  /** Decision memo hits and misses since this lineage was built (a full rebuild starts a new one). */
  get memoStats(): Readonly<MemoStats> {
    return this.shared.memoStats;
  }

  get whoCanIndexes(): WeakMap<readonly object[], BindingIndex> {
    return this.shared.whoCanIndexes;
  }

  /** @internal This state's decision memo (created on first use). */
  memo<D>(): DecisionMemo<D> {
    this.memoStore ??= new DecisionMemo<unknown>(this.shared.memoLimit, this.shared.memoStats);
    return this.memoStore as DecisionMemo<D>;
  }

  private sortedLists(): { crbs: ClusterRoleBinding[]; clusterRoles: ClusterRole[]; roles: Role[] } {
    this.lists ??= {
      crbs: [...this.crbByName.values()].sort(bySeq).map((e) => e.binding as ClusterRoleBinding),
      clusterRoles: [...this.clusterRoleMap.values()].sort(bySeq).map((s) => this.clusterRole(s.object.metadata.name ?? '') ?? s.object),
      roles: [...this.roleMap.values()].sort(bySeq).map((s) => s.object),
    };
    return this.lists;
  }
}

function checkChange(c: RbacChange): void {
  if (typeof c.name !== 'string' || c.name === '') throw new TypeError(`RBAC change of kind ${c.kind} has no name`);
  if ((c.kind === 'Role' || c.kind === 'RoleBinding') && (typeof c.namespace !== 'string' || c.namespace === '')) {
    throw new TypeError(`RBAC change of ${c.kind} ${JSON.stringify(c.name)} has no namespace`);
  }
}

function sourceOf(map: PersistentMap<Stored<ClusterRole>>): ClusterRoleSource {
  return {
    get: (name) => map.get(name)?.object,
    *values() {
      for (const s of map.values()) yield s.object;
    },
  };
}

/** Resolved ClusterRole objects of the aggregators, reusing the previous object when nothing it is made of changed. */
function resolvedAggregators(
  aggregation: Aggregation,
  map: PersistentMap<Stored<ClusterRole>>,
  previous: ReadonlyMap<string, Aggregated>,
): Map<string, Aggregated> {
  const out = new Map<string, Aggregated>();
  for (const name of aggregation.aggregatorNames()) {
    const raw = map.get(name)?.object;
    const rules = aggregation.rulesOf(name);
    if (!raw || !rules) continue;
    const prev = previous.get(name);
    out.set(name, prev && prev.raw === raw && prev.rules === rules ? prev : { raw, rules, resolved: { ...raw, rules: [...rules] } });
  }
  return out;
}

/** Build input as changes, in the lister order of `objects`. */
export function* changesOf(objects: RbacObjects): Generator<RbacChange> {
  for (const o of objects.clusterRoles) yield { kind: 'ClusterRole', name: o.metadata.name ?? '', object: o };
  for (const o of objects.roles) yield { kind: 'Role', namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', object: o };
  for (const o of objects.clusterRoleBindings) yield { kind: 'ClusterRoleBinding', name: o.metadata.name ?? '', object: o };
  for (const o of objects.roleBindings) yield { kind: 'RoleBinding', namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', object: o };
}
