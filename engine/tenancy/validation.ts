/**
 * Validation of a Tenant's spec, in kube's field-error style. Metadata is
 * validated generically (a tenant's name is a DNS label, as it becomes a
 * label value). On update, a namespace limit below the tenant's current
 * number of namespaces is refused.
 */
import { validateNetworkPolicySpec } from '../network/validation.ts';
import type { NetworkPolicySpec } from '../network/types.ts';
import { parseQuantityJSON, validateQuotaQuantity, validateQuotaResourceName } from '../quota/index.ts';
import { validateRbacName, validateSubject } from '../rbac/validation.ts';
import type { Subject } from '../rbac/types.ts';
import { child, duplicate, forbidden, index, invalid, key, notSupported, required, type FieldError } from '../validation/field-error.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';
import { reservedBindingNames, type TenantSpec } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function validateOwners(owners: unknown, path: string): FieldError[] {
  if (owners === undefined) return [required(path, 'a tenant needs at least one owner')];
  if (!Array.isArray(owners)) return [invalid(path, owners, 'must be a list of subjects')];
  if (owners.length === 0) return [required(path, 'a tenant needs at least one owner')];
  return owners.flatMap((s, i) => (isObject(s) ? validateSubject(s as unknown as Subject, false, index(path, i)) : [invalid(index(path, i), s, 'must be a subject')]));
}

function validateLimit(limit: unknown, path: string, currentNamespaces?: number): FieldError[] {
  if (limit === undefined) return [];
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) return [invalid(path, limit, 'must be a non-negative integer')];
  if (currentNamespaces !== undefined && limit < currentNamespaces) {
    return [invalid(path, limit, `must not be below the tenant's ${currentNamespaces} current namespaces`)];
  }
  return [];
}

function validateQuota(quota: unknown, path: string): FieldError[] {
  if (quota === undefined) return [];
  if (!isObject(quota)) return [invalid(path, quota, 'must be an object with `hard`')];
  const hard = quota.hard;
  const hardPath = child(path, 'hard');
  if (hard === undefined) return [];
  if (!isObject(hard)) return [invalid(hardPath, hard, 'must map resource names to quantities')];
  const errs: FieldError[] = [];
  for (const [name, raw] of Object.entries(hard)) {
    const p = key(hardPath, name);
    errs.push(...validateQuotaResourceName(name, p));
    const q = parseQuantityJSON(raw);
    if (!q.ok) errs.push(invalid(p, raw, q.error));
    else errs.push(...validateQuotaQuantity(name, q.quantity, p));
  }
  return errs;
}

function validatePolicies(list: unknown, path: string): FieldError[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return [invalid(path, list, 'must be a list of {name, spec}')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list.forEach((p, i) => {
    const at = index(path, i);
    if (!isObject(p)) {
      errs.push(invalid(at, p, 'must be {name, spec}'));
      return;
    }
    const name = p.name;
    if (typeof name !== 'string' || !name) errs.push(required(child(at, 'name')));
    else {
      for (const m of nameIsDNSSubdomain(name)) errs.push(invalid(child(at, 'name'), name, m));
      if (seen.has(name)) errs.push(duplicate(child(at, 'name'), name));
      seen.add(name);
    }
    if (!isObject(p.spec)) errs.push(required(child(at, 'spec')));
    else errs.push(...validateNetworkPolicySpec(p.spec as unknown as NetworkPolicySpec, child(at, 'spec')));
  });
  return errs;
}

function validateBindings(list: unknown, path: string): FieldError[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return [invalid(path, list, 'must be a list of {name, roleRef, subjects}')];
  const errs: FieldError[] = [];
  const seen = new Set<string>(reservedBindingNames);
  list.forEach((b, i) => {
    const at = index(path, i);
    if (!isObject(b)) {
      errs.push(invalid(at, b, 'must be {name, roleRef, subjects}'));
      return;
    }
    const name = b.name;
    if (typeof name !== 'string' || !name) errs.push(required(child(at, 'name')));
    else {
      for (const m of validateRbacName(name)) errs.push(invalid(child(at, 'name'), name, m));
      if (seen.has(name)) {
        errs.push(reservedBindingNames.includes(name) ? forbidden(child(at, 'name'), `${name} is an owners' binding Warden keeps`) : duplicate(child(at, 'name'), name));
      }
      seen.add(name);
    }
    const ref = b.roleRef as Record<string, unknown> | undefined;
    if (!isObject(ref)) errs.push(required(child(at, 'roleRef')));
    else {
      if ((ref.apiGroup ?? 'rbac.authorization.k8s.io') !== 'rbac.authorization.k8s.io') {
        errs.push(notSupported(child(child(at, 'roleRef'), 'apiGroup'), ref.apiGroup, ['rbac.authorization.k8s.io']));
      }
      // Every namespace of the tenant gets the binding, so it must name a role every namespace can see.
      if (ref.kind !== 'ClusterRole') errs.push(notSupported(child(child(at, 'roleRef'), 'kind'), ref.kind ?? '', ['ClusterRole']));
      if (typeof ref.name !== 'string' || !ref.name) errs.push(required(child(child(at, 'roleRef'), 'name')));
    }
    const subjects = b.subjects;
    if (!Array.isArray(subjects) || subjects.length === 0) errs.push(required(child(at, 'subjects'), 'a binding needs at least one subject'));
    else subjects.forEach((s, j) => errs.push(...(isObject(s) ? validateSubject(s as unknown as Subject, true, index(child(at, 'subjects'), j)) : [invalid(index(child(at, 'subjects'), j), s, 'must be a subject')])));
  });
  return errs;
}

/** `currentNamespaces`: the tenant's namespace count, given on update. */
export function validateTenantSpec(spec: unknown, currentNamespaces?: number): FieldError[] {
  if (!isObject(spec)) return [required('spec')];
  const s = spec as TenantSpec & Record<string, unknown>;
  return [
    ...validateOwners(s.owners, 'spec.owners'),
    ...validateLimit(s.namespaceLimit, 'spec.namespaceLimit', currentNamespaces),
    ...validateQuota(s.resourceQuota, 'spec.resourceQuota'),
    ...validatePolicies(s.defaultNetworkPolicies, 'spec.defaultNetworkPolicies'),
    ...validateBindings(s.roleBindings, 'spec.roleBindings'),
  ];
}
