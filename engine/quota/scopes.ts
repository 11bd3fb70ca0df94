/**
 * Quota scopes: the known scope names, which resources each scope may
 * constrain (helper.IsResourceQuotaScopeValidForResource), and the evaluation
 * of one scope selector requirement against the single label an object
 * exposes for it (`PriorityClass=<name>`, `VolumeAttributesClass=<name>`),
 * as ScopedResourceSelectorRequirementsAsSelector + labels.Selector do.
 */
import type { Labels } from '../meta.ts';
import { requirementMatches } from '../labels/selector.ts';
import type { ScopeSelectorRequirement } from './quota-object.ts';
import { isValidLabelValue } from '../validation/names.ts';

export const scopeTerminating = 'Terminating';
export const scopeNotTerminating = 'NotTerminating';
export const scopeBestEffort = 'BestEffort';
export const scopeNotBestEffort = 'NotBestEffort';
export const scopePriorityClass = 'PriorityClass';
export const scopeCrossNamespacePodAffinity = 'CrossNamespacePodAffinity';
export const scopeVolumeAttributesClass = 'VolumeAttributesClass';

export const standardScopes: readonly string[] = [
  scopeTerminating, scopeNotTerminating, scopeBestEffort, scopeNotBestEffort,
  scopePriorityClass, scopeCrossNamespacePodAffinity, scopeVolumeAttributesClass,
];

/** Scopes that accept only the `Exists` operator in a scope selector. */
export const existsOnlyScopes: readonly string[] = [
  scopeBestEffort, scopeNotBestEffort, scopeTerminating, scopeNotTerminating, scopeCrossNamespacePodAffinity,
];

/** Pairs a quota may not hold together. */
export const conflictingScopePairs: readonly (readonly [string, string])[] = [
  [scopeBestEffort, scopeNotBestEffort],
  [scopeTerminating, scopeNotTerminating],
];

const podComputeResources: ReadonlySet<string> = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

/** Whether a standard quota resource may be constrained under the scope. */
export function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case scopeTerminating:
    case scopeNotTerminating:
    case scopeNotBestEffort:
    case scopePriorityClass:
    case scopeCrossNamespacePodAffinity:
      return resource === 'pods' || podComputeResources.has(resource);
    case scopeBestEffort:
      return resource === 'pods';
    case scopeVolumeAttributesClass:
      return resource === 'persistentvolumeclaims' || resource === 'requests.storage';
    default:
      return true;
  }
}

/** A scope decision, or the reason the requirement cannot be evaluated. */
export type ScopeMatch = { ok: true; match: boolean } | { ok: false; error: string };

const operators: Record<string, 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'> = {
  In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist',
};

/**
 * Evaluates `req` as a label requirement keyed by its scope name against
 * `labels`. NotIn and DoesNotExist match an object without the label, Exists
 * does not. A requirement labels.NewRequirement would reject is an error.
 */
export function scopeRequirementMatches(req: ScopeSelectorRequirement, labels: Labels | undefined): ScopeMatch {
  const operator = operators[req.operator];
  if (operator === undefined) return { ok: false, error: `${JSON.stringify(req.operator)} is not a valid scope selector operator` };
  const values = req.values;
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    return { ok: false, error: "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty" };
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length !== 0) {
    return { ok: false, error: `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist` };
  }
  for (const v of values) {
    if (isValidLabelValue(v).length) return { ok: false, error: `values: Invalid value: ${JSON.stringify(v)}: not a valid label value` };
  }
  return { ok: true, match: requirementMatches({ key: req.scopeName, operator, values }, labels) };
}
