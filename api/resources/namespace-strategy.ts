/**
 * Namespaces: kube-apiserver sets `kubernetes.io/metadata.name` to the name
 * and keeps `status.phase` Active; Warden adds that the tenant label
 * (`tenancy.warden.dev/tenant`) is set at creation and never changes.
 */
import type { KubeObject } from '../../engine/meta.ts';
import { forbidden, invalid, type FieldError } from '../../engine/validation/field-error.ts';
import { nameIsDNSLabel } from '../../engine/validation/names.ts';
import { tenantLabel } from '../../engine/tenancy/types.ts';

export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/** Server-set fields; the name label only once there is a name (a nameless create fails validation on the name alone). */
export function prepareNamespace(o: KubeObject, prev?: KubeObject): KubeObject {
  const name = o.metadata.name;
  const labels = { ...(o.metadata.labels ?? {}), ...(typeof name === 'string' && name !== '' ? { [namespaceNameLabel]: name } : {}) };
  const spec = (o.spec ?? {}) as { finalizers?: string[] };
  return {
    ...o,
    metadata: { ...o.metadata, labels },
    spec: { finalizers: spec.finalizers ?? (prev?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? ['kubernetes'] },
    // Status is the server's: a create or update through the main resource never sets it.
    status: prev?.status ?? { phase: 'Active' },
  };
}

function validateFinalizers(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const finalizers = ((o.spec ?? {}) as { finalizers?: unknown }).finalizers;
  if (finalizers === undefined) return errs;
  if (!Array.isArray(finalizers)) return [invalid('spec.finalizers', finalizers, 'must be a list of finalizer names')];
  finalizers.forEach((f, i) => {
    if (typeof f !== 'string' || f === '') errs.push(invalid(`spec.finalizers[${i}]`, f, 'must be a non-empty string'));
  });
  return errs;
}

function validateTenantLabel(o: KubeObject): FieldError[] {
  const value = o.metadata.labels?.[tenantLabel];
  if (value === undefined) return [];
  return nameIsDNSLabel(value).map((msg) => invalid(`metadata.labels[${tenantLabel}]`, value, msg));
}

export function validateNamespace(o: KubeObject): FieldError[] {
  return [...validateFinalizers(o), ...validateTenantLabel(o)];
}

export function validateNamespaceUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const errs = validateNamespace(next);
  const before = prev.metadata.labels?.[tenantLabel];
  const after = next.metadata.labels?.[tenantLabel];
  if (before !== after) {
    errs.push(forbidden(`metadata.labels[${tenantLabel}]`, 'a namespace\'s tenant is set at creation and cannot change'));
  }
  return errs;
}
