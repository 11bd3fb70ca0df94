/**
 * ClusterRole aggregation at steady state, as the cluster-role aggregation
 * controller leaves it (pkg/controller/clusterroleaggregation): a ClusterRole
 * with an aggregationRule has its rules replaced by the union of the rules
 * of every other ClusterRole its selectors match. Selectors are ORed; within
 * one selector the roles are taken by name order; a rule already present
 * (semantic equality) is not added twice; a role never selects itself.
 *
 * Aggregated roles may select aggregated roles (admin ⊇ edit ⊇ view), so the
 * result is a fixed point, computed from empty aggregated roles upwards: the
 * least fixed point, which is the controller's steady state whenever no
 * aggregation cycle exists, and a deterministic answer when one does.
 */
import type { ClusterRole, PolicyRule } from './types.ts';
import { matchesLabelSelector } from '../labels/selector.ts';

/** Semantic identity of a rule: absent and empty lists are the same. */
export function ruleKey(rule: PolicyRule): string {
  const list = (l: string[] | undefined) => l ?? [];
  return JSON.stringify([list(rule.verbs), list(rule.apiGroups), list(rule.resources), list(rule.resourceNames), list(rule.nonResourceURLs)]);
}

function byName(a: ClusterRole, b: ClusterRole): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Returns the roles in the same order, aggregated ones as new objects with
 * their resolved rules; the input is not modified.
 */
export function resolveAggregation(clusterRoles: readonly ClusterRole[]): ClusterRole[] {
  const aggregated = clusterRoles.filter((r) => r.aggregationRule !== undefined && r.aggregationRule !== null);
  if (aggregated.length === 0) return [...clusterRoles];
  const isAggregated = new Set(aggregated);
  const sorted = [...clusterRoles].sort(byName);
  const current = new Map<ClusterRole, PolicyRule[]>();
  for (const r of clusterRoles) current.set(r, isAggregated.has(r) ? [] : r.rules ?? []);
  // Rule sets only grow from round to round, so the loop settles; the bound is a safety net.
  for (let round = 0; round <= aggregated.length * 4 + 4; round++) {
    let changed = false;
    for (const target of aggregated) {
      const rules: PolicyRule[] = [];
      const seen = new Set<string>();
      for (const selector of target.aggregationRule!.clusterRoleSelectors ?? []) {
        for (const source of sorted) {
          if (source === target || source.metadata.name === target.metadata.name) continue;
          if (!matchesLabelSelector(selector, source.metadata.labels)) continue;
          for (const rule of current.get(source)!) {
            const key = ruleKey(rule);
            if (seen.has(key)) continue;
            seen.add(key);
            rules.push(rule);
          }
        }
      }
      const before = current.get(target)!;
      if (before.length !== rules.length || before.some((r, i) => ruleKey(r) !== ruleKey(rules[i]))) {
        current.set(target, rules);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return clusterRoles.map((r) => (isAggregated.has(r) ? { ...r, rules: current.get(r)! } : r));
}
