/**
 * Label and label-selector validation as metav1validation
 * (k8s.io/apimachinery/pkg/apis/meta/v1/validation) writes it.
 */
import type { LabelSelector, Labels } from '../meta.ts';
import { child, forbidden, index, invalid, required, type FieldError } from './field-error.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

export interface LabelSelectorValidationOptions {
  /**
   * Skip the label-value format check on matchExpressions values. Kubernetes
   * sets it on update when the stored selector already holds such a value,
   * so old objects stay updatable.
   */
  allowInvalidLabelValueInSelector?: boolean;
}

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** ValidateLabelName: a label key must be a qualified name. */
export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((msg) => invalid(path, name, msg));
}

/**
 * ValidateLabels: every key a qualified name, every value a label value.
 * Errors name the map's path itself (`metadata.labels`), not the key, as
 * Kubernetes reports them.
 */
export function validateLabels(labels: Labels | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    if (typeof v !== 'string') {
      errs.push(invalid(path, v, 'must be a string'));
      continue;
    }
    for (const msg of isValidLabelValue(v)) errs.push(invalid(path, v, msg));
  }
  return errs;
}

/**
 * ValidateLabelSelector: matchLabels as labels; each matchExpressions entry
 * has a known operator, values exactly when the operator takes them, a
 * qualified-name key and label-value values. A missing selector is valid.
 */
export function validateLabelSelector(
  selector: LabelSelector | undefined | null,
  path: string,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, child(path, 'matchLabels'));
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  exprs.forEach((req, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = Array.isArray(req?.values) ? req.values : [];
    const operator = req?.operator as string;
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) {
        errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else if (!OPERATORS.has(operator)) {
      errs.push(invalid(child(p, 'operator'), operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(typeof req?.key === 'string' ? req.key : '', child(p, 'key')));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const msg of isValidLabelValue(String(v))) errs.push(invalid(index(child(p, 'values'), j), v, msg));
      });
    }
  });
  return errs;
}
