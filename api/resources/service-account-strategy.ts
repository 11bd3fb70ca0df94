/** ServiceAccounts: the optional lists kube validates, by shape. */
import type { KubeObject } from '../../engine/meta.ts';
import { invalid, type FieldError } from '../../engine/validation/field-error.ts';

function validateReferences(list: unknown, path: string): FieldError[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return [invalid(path, list, 'must be a list of object references')];
  return list.flatMap((ref, i) =>
    ref && typeof ref === 'object' && typeof (ref as { name?: unknown }).name === 'string' && (ref as { name: string }).name !== ''
      ? []
      : [invalid(`${path}[${i}].name`, (ref as { name?: unknown })?.name ?? '', 'must be a non-empty name')]);
}

export function validateServiceAccount(o: KubeObject): FieldError[] {
  const errs = [...validateReferences(o.secrets, 'secrets'), ...validateReferences(o.imagePullSecrets, 'imagePullSecrets')];
  const auto = o.automountServiceAccountToken;
  if (auto !== undefined && auto !== null && typeof auto !== 'boolean') {
    errs.push(invalid('automountServiceAccountToken', auto, 'must be true or false'));
  }
  return errs;
}
