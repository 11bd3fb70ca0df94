/**
 * Kubernetes' rule-matching predicates (engine/rbac/rule-matching.ts) as
 * Casbin matcher functions. A policy field holds one PolicyRule list as a JSON
 * array (see projection.ts); the functions decode it (memoized) and apply
 * exactly the predicate the RBAC authorizer uses, so the Casbin matcher adds
 * no semantics of its own.
 */
import {
  apiGroupMatches,
  combinedResource,
  nonResourceURLMatches,
  resourceMatches,
  resourceNameMatches,
  verbMatches,
} from '../rbac/rule-matching.ts';
import type { PolicyRule } from '../rbac/types.ts';

export type MatcherFunction = (...args: string[]) => boolean;

const decodeLimit = 50_000;

/**
 * The functions the model's matcher calls, by name. Each call of this factory
 * has its own bounded decode cache.
 */
export function kubeMatcherFunctions(): Record<string, MatcherFunction> {
  const decoded = new Map<string, PolicyRule>();
  // One shape for every field keeps the cache monomorphic; only the field a predicate reads matters.
  const rule = (field: string): PolicyRule => {
    let r = decoded.get(field);
    if (r === undefined) {
      const values = field === '' ? [] : (JSON.parse(field) as string[]);
      r = { verbs: values, apiGroups: values, resources: values, resourceNames: values, nonResourceURLs: values };
      if (decoded.size >= decodeLimit) decoded.clear();
      decoded.set(field, r);
    }
    return r;
  };
  return {
    verbMatches: (verbs, verb) => verbMatches(rule(verbs), verb),
    apiGroupMatches: (groups, group) => apiGroupMatches(rule(groups), group),
    resourceMatches: (resources, resource, subresource) =>
      resourceMatches(rule(resources), combinedResource({ resource, subresource }), subresource),
    resourceNameMatches: (names, name) => resourceNameMatches(rule(names), name),
    nonResourceURLMatches: (urls, path) => nonResourceURLMatches(rule(urls), path),
  };
}
