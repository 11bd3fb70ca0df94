/**
 * CustomResourceDefinition validation as apiextensions-apiserver 1.32 writes
 * it (pkg/apis/apiextensions/validation), for what names a custom resource
 * and where it is served: metadata.name is `<plural>.<group>`, the group a
 * DNS subdomain with a dot (and, for *.k8s.io and *.kubernetes.io, the API
 * approval annotation), the scope, the versions (names, exactly one storage
 * version, a schema each whose root is an object) and the names. Same
 * checks, order, field paths and detail text; the schema's body beyond its
 * root is stored as given (Warden stores no custom objects to check it
 * against). Values that are lists of versions are not printed: kube prints
 * them as Go structs.
 */
import type { KubeObject } from '../meta.ts';
import {
  clusterScoped, isEstablished, namespaceScoped, namesOf, specOf, versionsOf,
  type CustomResourceDefinitionNames, type CustomResourceDefinitionSpec,
} from '../custom-resources.ts';
import { index, invalid, notSupported, required, type FieldError } from './field-error.ts';
import { FIELD_IMMUTABLE } from './object-meta.ts';
import { isDNS1035Label, isDNS1123Subdomain } from './names.ts';

export const apiApprovedAnnotation = 'api-approved.kubernetes.io';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const listOmitted = (field: string, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail, omitValue: true });

/** A field that must be a string (or absent) and is not: kube's decoder would refuse the body. */
function notAString(field: string, v: unknown): FieldError[] {
  return v !== undefined && v !== null && typeof v !== 'string' ? [invalid(field, v, 'must be a string')] : [];
}

/** apihelpers.IsProtectedCommunityGroup. */
function isProtectedGroup(group: string): boolean {
  return group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io');
}

/** validateAPIApproval on create: protected groups need the annotation, a URL or a reason starting with "unapproved". */
function validateAPIApproval(o: KubeObject, group: string): FieldError[] {
  if (!isProtectedGroup(group)) return [];
  const field = `metadata.annotations[${apiApprovedAnnotation}]`;
  const value = o.metadata.annotations?.[apiApprovedAnnotation] ?? '';
  if (value === '') return [required(field, `protected groups must have approval annotation "${apiApprovedAnnotation}", see https://github.com/kubernetes/enhancements/pull/1111`)];
  if (value.startsWith('unapproved')) return [];
  let url: URL | undefined;
  try { url = new URL(value); } catch { url = undefined; }
  if (url && url.host && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [];
  return [invalid(field, value, `protected groups must have approval annotation "${apiApprovedAnnotation}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`)];
}

/** The root of a version's schema (structural schema rules that apply at the root). */
function validateSchemaRoot(schema: unknown, path: string): FieldError[] {
  if (!isObject(schema)) return [invalid(path, schema, 'must be an object')];
  const type = schema.type;
  if (type === undefined || type === '') {
    if (schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
    return [required(`${path}.type`, 'must not be empty at the root')];
  }
  if (type !== 'object') return [invalid(`${path}.type`, type, 'must be object at the root')];
  return [];
}

/** A list of DNS-1035 labels (short names, categories). */
function validateNameList(list: unknown, path: string): FieldError[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return [invalid(path, list, 'must be a list of names')];
  const errs: FieldError[] = [];
  list.forEach((n, i) => {
    const e = isDNS1035Label(String(n));
    if (e.length) errs.push(invalid(index(path, i), n, e.join(',')));
  });
  return errs;
}

/** ValidateCustomResourceDefinitionNames. */
export function validateNames(names: CustomResourceDefinitionNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const) errs.push(...notAString(`${path}.${f}`, names[f]));
  const plural = text(names.plural);
  const singular = text(names.singular);
  const kind = text(names.kind);
  const listKind = text(names.listKind);
  if (plural) { const e = isDNS1035Label(plural); if (e.length) errs.push(invalid(`${path}.plural`, plural, e.join(','))); }
  if (singular) { const e = isDNS1035Label(singular); if (e.length) errs.push(invalid(`${path}.singular`, singular, e.join(','))); }
  if (kind) { const e = isDNS1035Label(kind.toLowerCase()); if (e.length) errs.push(invalid(`${path}.kind`, kind, `may have mixed case, but should otherwise match: ${e.join(',')}`)); }
  if (listKind) { const e = isDNS1035Label(listKind.toLowerCase()); if (e.length) errs.push(invalid(`${path}.listKind`, listKind, `may have mixed case, but should otherwise match: ${e.join(',')}`)); }
  errs.push(...validateNameList(names.shortNames, `${path}.shortNames`));
  // kind and listKind may not be the same or parsing becomes ambiguous
  if (kind && kind === listKind) errs.push(invalid(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  errs.push(...validateNameList(names.categories, `${path}.categories`));
  return errs;
}

/** validateCustomResourceDefinitionSpec, for what Warden reads of a registration. */
export function validateSpec(o: KubeObject, spec: CustomResourceDefinitionSpec): FieldError[] {
  const errs: FieldError[] = [];
  const group = spec.group;
  if (group === undefined || group === null || group === '') errs.push(required('spec.group'));
  else if (typeof group !== 'string') errs.push(...notAString('spec.group', group));
  else {
    const e = isDNS1123Subdomain(group);
    if (e.length) errs.push(invalid('spec.group', group, e.join(',')));
    else if (group.split('.').length < 2) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (spec.scope === undefined || spec.scope === null || spec.scope === '') errs.push(required('spec.scope'));
  else if (spec.scope !== clusterScoped && spec.scope !== namespaceScoped) errs.push(notSupported('spec.scope', spec.scope, [clusterScoped, namespaceScoped]));

  if (spec.versions !== undefined && spec.versions !== null && !Array.isArray(spec.versions)) {
    errs.push(invalid('spec.versions', spec.versions, 'must be a list of versions'));
  }
  const versions = versionsOf(spec);
  versions.forEach((v, i) => {
    if (!isObject(v.schema) || v.schema.openAPIV3Schema === undefined || v.schema.openAPIV3Schema === null) {
      errs.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    }
  });
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    if (v.storage === true) storage++;
    const name = text(v.name);
    if (seen.has(name)) unique = false;
    else seen.add(name);
    errs.push(...notAString(`spec.versions[${i}].name`, v.name));
    const e = isDNS1035Label(name);
    if (e.length) errs.push(invalid(`spec.versions[${i}].name`, name, e.join(',')));
    for (const flag of ['served', 'storage'] as const) {
      if (v[flag] !== undefined && typeof v[flag] !== 'boolean') errs.push(invalid(`spec.versions[${i}].${flag}`, v[flag], 'must be a boolean'));
    }
    if (isObject(v.schema) && v.schema.openAPIV3Schema !== undefined && v.schema.openAPIV3Schema !== null) {
      errs.push(...validateSchemaRoot(v.schema.openAPIV3Schema, `spec.versions[${i}].schema.openAPIV3Schema`));
    }
  });
  if (!unique) errs.push(listOmitted('spec.versions', 'must contain unique version names'));
  if (storage !== 1) errs.push(listOmitted('spec.versions', 'must have exactly one version marked as storage version'));

  if (spec.names !== undefined && spec.names !== null && !isObject(spec.names)) errs.push(invalid('spec.names', spec.names, 'must be an object'));
  const names = namesOf(spec);
  if (!names.plural) errs.push(required('spec.names.plural'));
  if (!names.singular) errs.push(required('spec.names.singular'));
  if (!names.kind) errs.push(required('spec.names.kind'));
  if (!names.listKind) errs.push(required('spec.names.listKind'));
  errs.push(...validateNames(names, 'spec.names'));
  if (typeof group === 'string' && group) errs.push(...validateAPIApproval(o, group));
  if (spec.preserveUnknownFields === true) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

/**
 * ValidateCustomResourceDefinition on create (the object already defaulted):
 * the name is `<plural>.<group>`, then the spec.
 */
export function validateCustomResourceDefinition(o: KubeObject): FieldError[] {
  if (o.spec !== undefined && !isObject(o.spec)) return [invalid('spec', o.spec, 'must be an object')];
  const spec = specOf(o);
  const errs: FieldError[] = [];
  const name = o.metadata.name ?? '';
  if (name !== `${text(namesOf(spec).plural)}.${text(spec.group)}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  return [...errs, ...validateSpec(o, spec)];
}

/**
 * ValidateCustomResourceDefinitionUpdate: the spec as on create, and what
 * names the stored resource fixed: the scope and kind once it is
 * established, the group and plural always.
 */
export function validateCustomResourceDefinitionUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  if (next.spec !== undefined && !isObject(next.spec)) return [invalid('spec', next.spec, 'must be an object')];
  const spec = specOf(next);
  const old = specOf(prev);
  const errs = validateSpec(next, spec);
  const immutable = (field: string, a: unknown, b: unknown) => { if (a !== b) errs.push(invalid(field, a ?? '', FIELD_IMMUTABLE)); };
  if (isEstablished(prev)) {
    immutable('spec.scope', spec.scope, old.scope);
    immutable('spec.names.kind', namesOf(spec).kind, namesOf(old).kind);
  }
  immutable('spec.group', spec.group, old.group);
  immutable('spec.names.plural', namesOf(spec).plural, namesOf(old).plural);
  return errs;
}
