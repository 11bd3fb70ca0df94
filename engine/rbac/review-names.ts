/**
 * The name and label checks RBAC validation needs, with apimachinery's exact
 * wording (k8s.io/apimachinery/pkg/util/validation, api/validation/path and
 * apis/meta/v1/validation). Each `is…` function returns the list of problems,
 * empty when the value is valid.
 */
import type { LabelSelector } from '../meta.ts';
import { child, forbidden, index, invalid, required, type FieldError } from '../validation/field-error.ts';

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`;
}

/**
 * path.IsValidPathSegmentName: RBAC object names and roleRef names only have
 * to be usable as one URL path segment, so `.`/`..` and `/`/`%` are all that
 * is refused (Roles may be called `system:aggregate-to-edit`).
 */
export function isValidPathSegmentName(name: string): string[] {
  for (const illegal of ['.', '..']) if (name === illegal) return [`may not be '${illegal}'`];
  const errors: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errors.push(`may not contain '${illegal}'`);
  return errors;
}

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(regexError('a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, ' +
      "'-' or '.', and must start and end with an alphanumeric character", dns1123SubdomainFmt, 'example.com'));
  }
  return errs;
}

/** ServiceAccount names are DNS subdomains (ValidateServiceAccountName). */
export const isValidServiceAccountName = isDNS1123Subdomain;

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** IsQualifiedName: a label key, `[prefix/]name`. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return ['a qualified name ' + regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc') +
      " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push('name part ' + regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc'));
  }
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) {
    errs.push(regexError('a valid label must be an empty string or consist of alphanumeric characters, ' +
      "'-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

export interface LabelSelectorValidationOptions {
  /** Tolerate invalid values in matchExpressions (kept when an update's old object already had them). */
  allowInvalidLabelValueInSelector?: boolean;
}

/**
 * metav1validation.ValidateLabelSelector: matchLabels keys and values, and
 * each requirement's operator/values pairing and key. matchLabels errors are
 * reported at `matchLabels` itself, as upstream does.
 */
export function validateLabelSelector(selector: LabelSelector | undefined, opts: LabelSelectorValidationOptions, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!selector) return errs;
  const labelsPath = child(path, 'matchLabels');
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(labelsPath, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(labelsPath, v, m));
  }
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), req.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(req.key ?? '')) errs.push(invalid(child(p, 'key'), req.key ?? '', m));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(p, 'values'), j), v, m));
      });
    }
  });
  return errs;
}

/**
 * Whether metav1.LabelSelectorAsSelector would refuse the selector: any bad
 * key, value, operator or operator/values pairing (labels.NewRequirement).
 */
export function selectorConvertible(selector: LabelSelector): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (isQualifiedName(k).length || isValidLabelValue(String(v)).length) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const values = req.values ?? [];
    if (isQualifiedName(req.key ?? '').length) return false;
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return false;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) return false;
        break;
      default:
        return false;
    }
    if (values.some((v) => isValidLabelValue(v).length)) return false;
  }
  return true;
}

/** True when some matchExpressions value is not a valid label value. */
export function hasInvalidLabelValueInSelector(selector: LabelSelector): boolean {
  return (selector.matchExpressions ?? []).some((r) => (r.values ?? []).some((v) => isValidLabelValue(v).length > 0));
}
