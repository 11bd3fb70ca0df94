/**
 * Kubernetes' policy comparator (component-helpers/auth/rbac/validation
 * Covers): do the owner's rules allow everything the servant rules allow?
 *
 * The servant rules are broken down into atoms (one group, one resource, one
 * verb and at most one name; or one URL and one verb). Every atom must be
 * covered by a single owner rule. Comparison is literal on the servant side:
 * an atom whose verb, group or resource is `*` is covered only by an owner
 * `*`, never by an enumeration, because the wildcard also grants whatever
 * is added to the API later.
 */
import type { PolicyRule } from './types.ts';
import { apiGroupAll, resourceAll, verbAll } from './rule-matching.ts';

export interface CoversResult {
  covers: boolean;
  /** The atoms no owner rule covers, in breakdown order (duplicates kept). */
  uncoveredRules: PolicyRule[];
}

/**
 * BreakdownRule: the atoms of one rule. Resource atoms come first (group ×
 * resource × verb × name), then URL atoms (URL × verb). A rule with no
 * apiGroups or no resources has no resource atoms.
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (names.length > 0) {
          for (const name of names) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else {
          atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) atoms.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return atoms;
}

function hasAll(set: readonly string[], wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  if (wanted.length === 1) return set.includes(wanted[0]);
  const owned = new Set(set);
  return wanted.every((w) => owned.has(w));
}

/**
 * Owner resources cover wanted ones when the owner has `*`, or each wanted
 * resource is listed, or it is a subresource `r/sub` and the owner lists
 * `*\/sub`. So owner `*\/scale` covers `deployments/scale`, while owner
 * `deployments/scale` never covers `*\/scale`, and `pods` never covers `pods/log`.
 */
function resourceCoversAll(owner: readonly string[], wanted: readonly string[]): boolean {
  if (owner.includes(resourceAll) || hasAll(owner, wanted)) return true;
  for (const path of wanted) {
    if (owner.includes(path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!owner.includes(`*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

/** Owner URL `x` covers `x`; owner `p*` covers every URL starting with `p` (so `*` covers all, even ""). */
export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  return ownerPath.endsWith('*') && subPath.startsWith(ownerPath.replace(/\*+$/, ''));
}

function nonResourceURLsCoverAll(owner: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((path) => owner.some((o) => nonResourceURLCovers(o, path)));
}

/**
 * ruleCovers: one owner rule against one atom. An owner limited by
 * resourceNames covers only atoms naming one of those names, never an atom
 * without a name (which stands for every name).
 */
export function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  const ownerVerbs = owner.verbs ?? [];
  const ownerGroups = owner.apiGroups ?? [];
  const ownerNames = owner.resourceNames ?? [];
  const atomNames = atom.resourceNames ?? [];
  const verbOk = ownerVerbs.includes(verbAll) || hasAll(ownerVerbs, atom.verbs ?? []);
  if (!verbOk) return false;
  const groupOk = ownerGroups.includes(apiGroupAll) || hasAll(ownerGroups, atom.apiGroups ?? []);
  if (!groupOk) return false;
  if (!resourceCoversAll(owner.resources ?? [], atom.resources ?? [])) return false;
  if (!nonResourceURLsCoverAll(owner.nonResourceURLs ?? [], atom.nonResourceURLs ?? [])) return false;
  if (atomNames.length === 0) return ownerNames.length === 0;
  return ownerNames.length === 0 || hasAll(ownerNames, atomNames);
}

/** Covers: whether `ownerRules` allow everything `servantRules` allow, and the atoms they do not. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): CoversResult {
  const uncoveredRules: PolicyRule[] = [];
  for (const servant of servantRules) {
    for (const atom of breakdownRule(servant)) {
      if (!ownerRules.some((owner) => ruleCovers(owner, atom))) uncoveredRules.push(atom);
    }
  }
  return { covers: uncoveredRules.length === 0, uncoveredRules };
}
