/**
 * From a decoded document to the object a handler works on: the apiVersion
 * and kind must be the endpoint's, the namespace and name must agree with the
 * URL, nulls mean "unset" (as in kube's JSON decoding), and unknown fields
 * are pruned and reported per `fieldValidation`.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { RequestContext } from '../context.ts';
import { badRequest } from '../status.ts';
import { pruneUnknownFields } from '../unknown-fields.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export function fieldValidationOf(query: Record<string, unknown>): FieldValidation {
  const v = query.fieldValidation;
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Ignore' || v === 'Warn' || v === 'Strict') return v;
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Warn", "Strict"`);
}

/** True for `dryRun=All`; any other value is 400, as kube-apiserver answers. */
export function isDryRun(query: Record<string, unknown>): boolean {
  const v = query.dryRun;
  if (v === undefined || v === '') return false;
  const values = Array.isArray(v) ? v : [v];
  for (const x of values) {
    if (x !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(x)}: supported values: "All"`);
  }
  return true;
}

/** A copy without null-valued fields (kube decodes null as the zero value). */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
    return out;
  }
  return value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * apiVersion and kind as kube-apiserver's decoder treats them for the
 * endpoint's type: absent (or empty, or null) they are taken from the URL,
 * as the generated clients of other languages leave them out; naming
 * another version (not in `accepted`) or another kind is 400. Sets them on
 * `doc` in place (a freshly decoded body).
 */
export function defaultTypeMeta(doc: Record<string, unknown>, apiVersion: string, kind: string, accepted: readonly string[] = [apiVersion]): void {
  if (doc.apiVersion === undefined || doc.apiVersion === null || doc.apiVersion === '') doc.apiVersion = apiVersion;
  else if (typeof doc.apiVersion !== 'string' || !accepted.includes(doc.apiVersion)) {
    throw badRequest(`the API version in the data (${String(doc.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (doc.kind === undefined || doc.kind === null || doc.kind === '') doc.kind = kind;
  else if (doc.kind !== kind) throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (${kind})`);
}

/** Checks the document is an object of kind `k`, its apiVersion and kind defaulted from the endpoint when absent. */
export function checkTypeMeta(k: ApiKind, doc: unknown): asserts doc is KubeObject {
  if (!isPlainObject(doc)) throw badRequest('the request body must be a JSON or YAML object');
  defaultTypeMeta(doc, apiVersionOf(k), k.kind);
  if (doc.metadata !== undefined && doc.metadata !== null && !isPlainObject(doc.metadata)) throw badRequest('metadata: must be an object');
}

/** Prunes unknown fields; Strict rejects them (400), Warn adds a warning per field. */
export function pruneFields(k: ApiKind, o: KubeObject, mode: FieldValidation, ctx: RequestContext): KubeObject {
  const { value, unknown } = pruneUnknownFields(k.kind, o);
  if (unknown.length) {
    if (mode === 'Strict') {
      const list = unknown.map((f) => `unknown field "${f}"`).join(', ');
      throw badRequest(`strict decoding error: ${list}`, unknown.map((f) => ({ reason: 'FieldValueInvalid', message: `unknown field "${f}"`, field: f })));
    }
    if (mode === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }
  return value as KubeObject;
}

/**
 * The object of a create or update body, checked against the URL: a body
 * namespace that differs from the URL's is 400; a missing one is the URL's.
 */
export function objectFromBody(
  k: ApiKind, doc: unknown, url: { namespace?: string; name?: string }, mode: FieldValidation, ctx: RequestContext,
): KubeObject {
  checkTypeMeta(k, doc);
  const o = pruneFields(k, dropNulls(doc) as KubeObject, mode, ctx);
  const metadata = { ...(o.metadata ?? {}) };
  if (k.namespaced) {
    if (metadata.namespace && url.namespace && metadata.namespace !== url.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    metadata.namespace = url.namespace ?? metadata.namespace;
  }
  if (url.name !== undefined) {
    if (metadata.name && metadata.name !== url.name) {
      throw badRequest(`the name of the object (${metadata.name}) does not match the name on the URL (${url.name})`);
    }
    metadata.name = url.name;
  }
  return { ...o, metadata };
}

/** A path parameter as a string (undefined when the route has none). */
export function param(req: { params: Record<string, unknown> }, name: string): string | undefined {
  const v = req.params[name];
  return typeof v === 'string' ? v : undefined;
}
