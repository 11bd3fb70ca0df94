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
 * Policy fields decoded from their JSON text, for the matcher functions of
 * one enforcer; bounded (cleared when full). `prime` records the decoding
 * of a field the caller has just encoded, so the matcher neither parses it
 * nor hashes it anew when it meets that same string.
 */
export class RuleFields {
  private readonly decoded = new Map<string, PolicyRule>();

  /** A rule whose every list is the field's values (only the list a predicate reads matters). */
  get(field: string): PolicyRule {
    let r = this.decoded.get(field);
    if (r === undefined) {
      r = this.store(field, field === '' ? [] : (JSON.parse(field) as string[]));
    }
    return r;
  }

  /** Records that `field` is the JSON text of `values`. */
  prime(field: string, values: readonly string[] | undefined): void {
    if (!this.decoded.has(field)) this.store(field, values ?? []);
  }

  private store(field: string, values: readonly string[]): PolicyRule {
    // One shape for every field keeps the cache monomorphic.
    const list = values as string[];
    const r = { verbs: list, apiGroups: list, resources: list, resourceNames: list, nonResourceURLs: list };
    if (this.decoded.size >= decodeLimit) this.decoded.clear();
    this.decoded.set(field, r);
    return r;
  }
}

/** The functions the model's matcher calls, by name, decoding fields through `fields`. */
export function kubeMatcherFunctions(fields = new RuleFields()): Record<string, MatcherFunction> {
  return {
    verbMatches: (verbs, verb) => verbMatches(fields.get(verbs), verb),
    apiGroupMatches: (groups, group) => apiGroupMatches(fields.get(groups), group),
    resourceMatches: (resources, resource, subresource) =>
      resourceMatches(fields.get(resources), combinedResource({ resource, subresource }), subresource),
    resourceNameMatches: (names, name) => resourceNameMatches(fields.get(names), name),
    nonResourceURLMatches: (urls, path) => nonResourceURLMatches(fields.get(urls), path),
  };
}
