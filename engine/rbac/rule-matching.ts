/**
 * The predicates kube-apiserver's RBAC authorizer uses to decide whether one
 * PolicyRule allows a request (pkg/apis/rbac/v1 evaluation helpers). Only the
 * rule side knows wildcards; the request side is always literal, and every
 * comparison is case-sensitive.
 */
import type { Attributes, PolicyRule } from './types.ts';

export const verbAll = '*';
export const apiGroupAll = '*';
export const resourceAll = '*';
export const nonResourceAll = '*';

export function verbMatches(rule: PolicyRule, requestedVerb: string): boolean {
  for (const v of rule.verbs ?? []) if (v === verbAll || v === requestedVerb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, requestedGroup: string): boolean {
  for (const g of rule.apiGroups ?? []) if (g === apiGroupAll || g === requestedGroup) return true;
  return false;
}

/**
 * `combinedResource` is `resource` or `resource/subresource`. A rule entry
 * `*` matches everything; `*\/sub` matches any resource's `sub` subresource
 * (only when the request has a subresource); anything else must equal the
 * combined resource exactly, so `pods` never matches `pods/log`.
 */
export function resourceMatches(rule: PolicyRule, combinedResource: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === resourceAll || r === combinedResource) return true;
    if (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames means any name; otherwise the name must be listed (an empty name only if "" is listed). */
export function resourceNameMatches(rule: PolicyRule, requestedName: string): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return names.includes(requestedName);
}

/** `*` matches every path; a trailing `*` is a plain prefix match on what precedes the stars. */
export function nonResourceURLMatches(rule: PolicyRule, requestedURL: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === nonResourceAll || u === requestedURL) return true;
    if (u.endsWith('*') && requestedURL.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function combinedResource(attrs: Pick<Attributes, 'resource' | 'subresource'>): string {
  return attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
}

/** RuleAllows: resource requests look at verbs, groups, resources and names; non-resource requests at verbs and URLs. */
export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (attrs.isResourceRequest) {
    return verbMatches(rule, attrs.verb) &&
      apiGroupMatches(rule, attrs.apiGroup) &&
      resourceMatches(rule, combinedResource(attrs), attrs.subresource) &&
      resourceNameMatches(rule, attrs.name);
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}
