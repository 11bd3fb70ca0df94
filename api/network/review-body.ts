/**
 * From a request body to a review document: one JSON or YAML object whose
 * apiVersion and kind are the endpoint's (400 otherwise, as kube-apiserver
 * answers) and that nests no deeper than any review needs; nulls read as
 * unset; unknown fields pruned and reported per `fieldValidation` (a warning
 * by default, 400 under Strict).
 */
import type { Request } from 'express';
import { decodeDocument, requireMediaType } from '../body.ts';
import type { RequestContext } from '../context.ts';
import { dropNulls, fieldValidationOf, isDryRun, isPlainObject } from '../resources/decode.ts';
import { badRequest } from '../status.ts';
import { pruneUnknownFields } from '../unknown-fields.ts';

export const reviewGroup = 'networking.warden.dev';
export const reviewVersion = 'v1';
export const reviewApiVersion = `${reviewGroup}/${reviewVersion}`;

export type ReviewKind = 'TrafficReview' | 'ReachabilityReview';

/**
 * The review document of the request. `dryRun` is checked for a valid value
 * and otherwise changes nothing: a review never writes.
 */
export function decodeReview<T>(req: Request, ctx: RequestContext, kind: ReviewKind): T {
  const query = req.query as Record<string, unknown>;
  const mode = fieldValidationOf(query);
  isDryRun(query);
  const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
  if (!isPlainObject(doc)) throw badRequest('the request body must be a JSON or YAML object');
  if (doc.apiVersion === undefined || doc.apiVersion === '') {
    throw badRequest(`Object 'apiVersion' is missing in the request body; expected "${reviewApiVersion}"`);
  }
  if (doc.kind === undefined || doc.kind === '') throw badRequest(`Object 'Kind' is missing in the request body; expected "${kind}"`);
  if (doc.apiVersion !== reviewApiVersion) {
    throw badRequest(`the API version in the data (${String(doc.apiVersion)}) does not match the expected API version (${reviewApiVersion})`);
  }
  if (doc.kind !== kind) throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (${kind})`);
  const { value, unknown } = pruneUnknownFields(kind, dropNulls(doc));
  if (unknown.length) {
    if (mode === 'Strict') {
      const list = unknown.map((f) => `unknown field "${f}"`).join(', ');
      throw badRequest(`strict decoding error: ${list}`, unknown.map((f) => ({ reason: 'FieldValueInvalid', message: `unknown field "${f}"`, field: f })));
    }
    if (mode === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }
  return value as T;
}

/** The review's metadata as echoed in the answer, stamped with the revision the answer reflects. */
export function answerMetadata(metadata: Record<string, unknown> | undefined, revision: number): Record<string, unknown> {
  return { ...(metadata ?? {}), resourceVersion: String(revision) };
}
