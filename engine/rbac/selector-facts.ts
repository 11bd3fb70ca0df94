/**
 * Label-selector facts RBAC validation needs beyond metav1validation's
 * field checks (engine/validation/labels.ts).
 */
import type { LabelSelector } from '../meta.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';

/**
 * Whether metav1.LabelSelectorAsSelector accepts the selector: every key a
 * qualified name, every value a label value, a known operator with values
 * exactly when it takes them (labels.NewRequirement's checks).
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
    if (values.some((v) => isValidLabelValue(String(v)).length)) return false;
  }
  return true;
}

/** True when some matchExpressions value is not a valid label value. */
export function hasInvalidLabelValueInSelector(selector: LabelSelector): boolean {
  return (selector.matchExpressions ?? []).some((r) => (r.values ?? []).some((v) => isValidLabelValue(String(v)).length > 0));
}
