/**
 * metav1.LabelSelector matching with apimachinery's semantics:
 * matchLabels and every matchExpressions requirement are ANDed; an empty
 * selector matches everything; `NotIn` and `DoesNotExist` match objects that
 * lack the key (labels.Requirement.Matches).
 */
import type { LabelSelector, LabelSelectorRequirement, Labels } from '../meta.ts';

export function requirementMatches(req: LabelSelectorRequirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels![req.key] : undefined;
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(value!);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** True when `labels` satisfy every part of `selector`. A missing selector matches nothing. */
export function matchesLabelSelector(selector: LabelSelector | undefined | null, labels: Labels | undefined): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels === undefined || !Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(req, labels)) return false;
  }
  return true;
}
