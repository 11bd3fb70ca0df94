/**
 * ObjectMeta validation as apimachinery's ValidateObjectMetaAccessor (create)
 * and ValidateObjectMetaAccessorUpdate (update) write it: same checks, same
 * order, same field paths and detail text.
 */
import type { ObjectMeta, OwnerReference } from '../meta.ts';
import { child, forbidden, invalid, required, tooLong, type FieldError } from './field-error.ts';
import { validateLabels } from './labels.ts';
import { goQuote } from './go-quote.ts';
import { byteLength, isQualifiedName, nameIsDNSLabel } from './names.ts';

/** Validates a name (`prefix` false) or a generateName prefix (`prefix` true); returns details. */
export type NameValidator = (name: string, prefix: boolean) => string[];

export interface ObjectMetaOptions {
  /** Namespaced kinds require metadata.namespace; cluster-scoped kinds forbid it. */
  namespaced: boolean;
  nameFn: NameValidator;
}

export const FIELD_IMMUTABLE = 'field is immutable';
/** Sum of the byte lengths of all annotation keys and values. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const NEGATIVE = 'must be greater than or equal to 0';

/** ValidateAnnotations: keys are qualified names (case-insensitively), total size within 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    total += byteLength(k) + byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function versionOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return parts[1];
  return '';
}

/** ValidateOwnerReferences: apiVersion, kind, name and uid set; at most one controller; Events own nothing. */
export function validateOwnerReferences(refs: OwnerReference[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of Array.isArray(refs) ? refs : []) {
    const apiVersion = typeof ref?.apiVersion === 'string' ? ref.apiVersion : '';
    const kind = typeof ref?.kind === 'string' ? ref.kind : '';
    const version = versionOf(apiVersion);
    if (!version) errs.push(invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!kind) errs.push(invalid(child(path, 'kind'), kind, 'must not be empty'));
    if (!ref?.name) errs.push(invalid(child(path, 'name'), ref?.name ?? '', 'must not be empty'));
    if (!ref?.uid) errs.push(invalid(child(path, 'uid'), ref?.uid ?? '', 'must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') {
      errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref?.controller === true) {
      const current = `${kind}/${ref.name}`;
      if (firstController) {
        errs.push(invalid(path, refs,
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

/** ValidateFinalizers: qualified names, and never both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: string[] | undefined | null, path: string): FieldError[] {
  const list = Array.isArray(finalizers) ? finalizers : [];
  const errs: FieldError[] = [];
  for (const f of list) for (const msg of isQualifiedName(String(f))) errs.push(invalid(path, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/**
 * A metav1.Time as Go's time.Time.String prints it (in UTC, the server's
 * zone): `2024-01-02 03:04:05.5 +0000 UTC`. Text that is no RFC 3339 time
 * prints quoted.
 */
export function goTimeString(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) return goQuote(text);
  const utc = new Date(ms).toISOString();
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)}${fraction === '.' ? '' : fraction} +0000 UTC`;
}

/** The checks shared by create and update. */
function validateCommon(meta: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(path, 'finalizers')));
  return errs;
}

/**
 * ValidateObjectMeta on create. Expects generateName to have been turned
 * into a name already when the caller generates names; a request with only
 * generateName validates the prefix and still reports the missing name.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined | null,
  opts: ObjectMetaOptions,
  path = 'metadata',
): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of opts.nameFn(m.generateName, true)) errs.push(invalid(child(path, 'generateName'), m.generateName, msg));
  }
  if (!m.name) {
    errs.push(required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of opts.nameFn(m.name, false)) errs.push(invalid(child(path, 'name'), m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(child(path, 'namespace')));
    else for (const msg of nameIsDNSLabel(m.namespace)) errs.push(invalid(child(path, 'namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) {
    errs.push(invalid(child(path, 'generation'), m.generation, NEGATIVE));
  }
  errs.push(...validateCommon(m, path));
  return errs;
}

export interface ObjectMetaUpdateOptions {
  /**
   * Reject an update that carries no resourceVersion, as the validator does.
   * Off for kinds the API updates unconditionally after filling the stored
   * version in. Default true.
   */
  requireResourceVersion?: boolean;
}

/**
 * ValidateObjectMetaUpdate: name, namespace, uid, creationTimestamp,
 * deletionTimestamp and deletionGracePeriodSeconds never change; generation never decreases; a deleting
 * object gains no finalizers; the new labels, annotations, owner references
 * and finalizers are valid. An absent field equals an empty one.
 */
export function validateObjectMetaUpdate(
  next: ObjectMeta,
  prev: ObjectMeta,
  path = 'metadata',
  opts: ObjectMetaUpdateOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  if (prev.deletionTimestamp) {
    const old = new Set(prev.finalizers ?? []);
    const extra = [...new Set(next.finalizers ?? [])].filter((f) => !old.has(f)).sort();
    if (extra.length > 0) {
      errs.push(forbidden(child(path, 'finalizers'),
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if ((opts.requireResourceVersion ?? true) && !next.resourceVersion) {
    errs.push(invalid(child(path, 'resourceVersion'), next.resourceVersion ?? '', 'must be specified for an update'));
  }
  if ((next.generation ?? 0) < (prev.generation ?? 0)) {
    errs.push(invalid(child(path, 'generation'), next.generation ?? 0, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const a = next[f] ?? '';
    const b = prev[f] ?? '';
    if (a !== b) errs.push(invalid(child(path, f), a, FIELD_IMMUTABLE));
  }
  // Both are pointers in Go: an unset one prints as null; a time prints through time.Time's String.
  if ((next.deletionTimestamp ?? '') !== (prev.deletionTimestamp ?? '')) {
    const at = next.deletionTimestamp;
    errs.push({ ...invalid(child(path, 'deletionTimestamp'), at ?? null, FIELD_IMMUTABLE), ...(at ? { printed: goTimeString(at) } : {}) });
  }
  if (next.deletionGracePeriodSeconds !== prev.deletionGracePeriodSeconds) {
    errs.push(invalid(child(path, 'deletionGracePeriodSeconds'), next.deletionGracePeriodSeconds ?? null, FIELD_IMMUTABLE));
  }
  errs.push(...validateCommon(next, path));
  return errs;
}
