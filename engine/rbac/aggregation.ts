/**
 * ClusterRole aggregation at the steady state the cluster-role aggregation
 * controller (pkg/controller/clusterroleaggregation) converges to.
 *
 * For a ClusterRole with an `aggregationRule` (an "aggregator"), its own
 * `rules` are replaced by: for each selector in order, the ClusterRoles it
 * selects sorted by name, skipping the aggregator itself, each one's rules in
 * order, skipping a rule deep-equal to one already taken (apimachinery's
 * semantic equality, so a missing list equals an empty one). Selectors are
 * ANDed within (matchLabels and matchExpressions), ORed across; `{}` selects
 * every ClusterRole. An aggregator with no selectors, or whose selectors
 * match nothing, ends up with no rules.
 *
 * Aggregators may select aggregators (admin ⊇ edit ⊇ view): the result is the
 * least fixed point, computed by passes over the aggregators in name order
 * starting from empty rule lists. Without cycles this is the unique steady
 * state; with a cycle it is the one that carries no stale rules.
 */
import { matchesLabelSelector } from '../labels/selector.ts';
import type { ClusterRole, PolicyRule } from './types.ts';

/** Read access to the ClusterRoles as written (rules not yet aggregated). */
export interface ClusterRoleSource {
  get(name: string): ClusterRole | undefined;
  values(): Iterable<ClusterRole>;
}

/** One aggregator and the names its selectors match, per selector, sorted, itself excluded. */
interface Aggregator {
  readonly role: ClusterRole;
  readonly members: ReadonlyArray<readonly string[]>;
}

/** A ClusterRole that changed: its version before and after (undefined = absent). */
export interface ClusterRoleChange {
  name: string;
  before: ClusterRole | undefined;
  after: ClusterRole | undefined;
}

/** A rule's identity under semantic deep equality (missing list = empty list, order matters). */
export function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([rule.verbs ?? [], rule.apiGroups ?? [], rule.resources ?? [], rule.resourceNames ?? [], rule.nonResourceURLs ?? []]);
}

/** ruleKey with a memo of one resolution's own (rules are compared many times while it settles). */
function keyer(): (rule: PolicyRule) => string {
  const keys = new Map<PolicyRule, string>();
  return (rule) => {
    let k = keys.get(rule);
    if (k === undefined) keys.set(rule, (k = ruleKey(rule)));
    return k;
  };
}

function nameOf(role: ClusterRole): string {
  return role.metadata.name ?? '';
}

function membersOf(role: ClusterRole, source: ClusterRoleSource): string[][] {
  const self = nameOf(role);
  return (role.aggregationRule?.clusterRoleSelectors ?? []).map((selector) => {
    const names: string[] = [];
    for (const other of source.values()) {
      const n = nameOf(other);
      if (n !== self && matchesLabelSelector(selector, other.metadata.labels)) names.push(n);
    }
    return names.sort(compareNames);
  });
}

/** Go's sort by name; names are ASCII in practice, where this equals byte order. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedInsert(list: readonly string[], name: string): string[] {
  const out = list.slice();
  let i = out.length;
  while (i > 0 && compareNames(out[i - 1], name) > 0) i--;
  out.splice(i, 0, name);
  return out;
}

/** Immutable: the aggregators of one state and their resolved rules. */
export class Aggregation {
  private constructor(
    private readonly aggregators: ReadonlyMap<string, Aggregator>,
    private readonly resolved: ReadonlyMap<string, readonly PolicyRule[]>,
  ) {}

  static build(source: ClusterRoleSource): Aggregation {
    const aggregators = new Map<string, Aggregator>();
    for (const role of source.values()) {
      if (role.aggregationRule) aggregators.set(nameOf(role), { role, members: membersOf(role, source) });
    }
    return new Aggregation(aggregators, resolve(aggregators, source, new Map()));
  }

  /** True when `name` is an aggregator: its effective rules are `rulesOf(name)`, not its own. */
  isAggregator(name: string): boolean {
    return this.aggregators.has(name);
  }

  /** Resolved rules of an aggregator; undefined for any other name. */
  rulesOf(name: string): readonly PolicyRule[] | undefined {
    return this.resolved.get(name);
  }

  aggregatorNames(): Iterable<string> {
    return this.aggregators.keys();
  }

  /**
   * The aggregation after `changes`, `source` being the ClusterRoles after
   * them. Returns `this` when no aggregator can see a difference. Resolved
   * rule lists that come out equal keep their identity.
   */
  update(changes: readonly ClusterRoleChange[], source: ClusterRoleSource): Aggregation {
    const aggregators = new Map(this.aggregators);
    let dirty = false;
    for (const { name, before, after } of changes) {
      if (before?.aggregationRule || after?.aggregationRule) dirty = true;
      // Membership of `name` in every other aggregator; a member's rules feed the aggregator.
      for (const [aggName, agg] of aggregators) {
        if (aggName === name) continue;
        const selectors = agg.role.aggregationRule?.clusterRoleSelectors ?? [];
        let members: string[][] | undefined;
        selectors.forEach((selector, i) => {
          const list = (members ?? agg.members)[i];
          const was = list.includes(name);
          const now = after !== undefined && matchesLabelSelector(selector, after.metadata.labels);
          if (was || now) dirty = true;
          if (was === now) return;
          members ??= agg.members.map((m) => m.slice());
          members[i] = now ? sortedInsert(list, name) : list.filter((n) => n !== name);
        });
        if (members) aggregators.set(aggName, { role: agg.role, members });
      }
    }
    if (!dirty) return this;
    for (const { name, after } of changes) {
      if (after?.aggregationRule) aggregators.set(name, { role: after, members: membersOf(after, source) });
      else aggregators.delete(name);
    }
    return new Aggregation(aggregators, resolve(aggregators, source, this.resolved));
  }
}

function resolve(
  aggregators: ReadonlyMap<string, Aggregator>,
  source: ClusterRoleSource,
  previous: ReadonlyMap<string, readonly PolicyRule[]>,
): Map<string, readonly PolicyRule[]> {
  const names = [...aggregators.keys()].sort(compareNames);
  const key = keyer();
  const current = new Map<string, readonly PolicyRule[]>(names.map((n) => [n, []]));
  const rulesOf = (n: string): readonly PolicyRule[] => current.get(n) ?? source.get(n)?.rules ?? [];
  const maxPasses = 2 * names.length + 10;
  for (let pass = 0; pass < maxPasses; pass++) {
    let changed = false;
    for (const name of names) {
      const rules = union(aggregators.get(name)!.members, rulesOf, key);
      if (!sameRules(rules, current.get(name)!, key)) {
        current.set(name, rules);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const name of names) {
    const before = previous.get(name);
    if (before && sameRules(before, current.get(name)!, key)) current.set(name, before);
  }
  return current;
}

function union(members: ReadonlyArray<readonly string[]>, rulesOf: (n: string) => readonly PolicyRule[], ruleKey: (r: PolicyRule) => string): PolicyRule[] {
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const names of members) {
    for (const n of names) {
      for (const rule of rulesOf(n)) {
        const k = ruleKey(rule);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(rule);
      }
    }
  }
  return out;
}

function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[], ruleKey: (r: PolicyRule) => string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && ruleKey(a[i]) !== ruleKey(b[i])) return false;
  return true;
}

/**
 * Every ClusterRole with aggregation resolved, in input order: aggregators
 * get their resolved rules, the others are returned as given.
 */
export function aggregateClusterRoles(clusterRoles: readonly ClusterRole[]): ClusterRole[] {
  const byName = new Map(clusterRoles.map((r) => [nameOf(r), r]));
  const source: ClusterRoleSource = { get: (n) => byName.get(n), values: () => byName.values() };
  const aggregation = Aggregation.build(source);
  return clusterRoles.map((r) => {
    const rules = aggregation.rulesOf(nameOf(r));
    return rules === undefined || byName.get(nameOf(r)) !== r ? r : { ...r, rules: [...rules] };
  });
}

/**
 * The stored `rules` each aggregator must carry, as the clusterrole-aggregation
 * controller writes them: for every aggregator among `clusterRoles` (the
 * ClusterRoles as they will be stored) whose stored rules differ from its
 * resolved ones (semantically: a missing list equals an empty one), its
 * resolved rules. ClusterRoles being deleted (with a deletionTimestamp) feed
 * nothing and are left as they are, as they grant nothing.
 */
export function staleAggregatedRules(clusterRoles: Iterable<ClusterRole>): Map<string, PolicyRule[]> {
  const live = new Map<string, ClusterRole>();
  for (const r of clusterRoles) if (!r.metadata.deletionTimestamp) live.set(nameOf(r), r);
  const out = new Map<string, PolicyRule[]>();
  if (![...live.values()].some((r) => r.aggregationRule)) return out;
  const aggregation = Aggregation.build({ get: (n) => live.get(n), values: () => live.values() });
  for (const name of aggregation.aggregatorNames()) {
    const resolved = aggregation.rulesOf(name) ?? [];
    if (!sameRules(resolved, live.get(name)!.rules ?? [], ruleKey)) out.set(name, resolved.map((r) => ({ ...r })));
  }
  return out;
}
