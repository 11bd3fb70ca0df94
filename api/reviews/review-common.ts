/**
 * What every review endpoint shares: reading a review object of the expected
 * apiVersion and kind, the SubjectAccessReviewSpec validation of
 * pkg/apis/authorization/validation, turning a spec into authorizer
 * attributes, and writing the review back with its status.
 */
import type { Request, Response } from 'express';
import type { Attributes, UserInfo } from '../../engine/rbac/types.ts';
import { child, invalid, type FieldError } from '../../engine/validation/field-error.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { defaultTypeMeta, dropNulls, fieldValidationOf, isPlainObject } from '../resources/decode.ts';
import { pruneUnknownFields } from '../unknown-fields.ts';
import { send } from '../respond.ts';
import { reasonFor } from '../authz.ts';
import { badRequest, invalid as invalidStatus } from '../status.ts';

export interface ResourceAttributesSpec {
  namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string;
}
export interface NonResourceAttributesSpec { path?: string; verb?: string }
export interface AccessSpec {
  resourceAttributes?: ResourceAttributesSpec;
  nonResourceAttributes?: NonResourceAttributesSpec;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface ReviewBody<S> {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  spec: S;
}

/**
 * The one decoder of review bodies (every access, rules, who-can, what-if,
 * traffic and reachability review, and the authorization webhook): the
 * request's object as api/body.ts decoded it, its apiVersion and kind
 * taken from the endpoint when absent and 400 when they name another
 * (`accepted` versions aside); nulls unset; unknown fields pruned and
 * reported per `fieldValidation` (a warning by default, 400 under Strict)
 * against the schema of `apiVersion`'s kind; no spec is an empty one.
 */
export function decodeReview<S>(req: Request, ctx: RequestContext, apiVersion: string, kind: string, accepted: readonly string[] = [apiVersion]): ReviewBody<S> {
  const b = req.body as unknown;
  if (!isPlainObject(b)) throw badRequest(`the request body must be a ${kind} object`);
  defaultTypeMeta(b, apiVersion, kind, accepted);
  let doc = dropNulls(b) as Record<string, unknown>;
  // The schema describes `apiVersion`; another accepted version (an older webhook caller's) is read by its own field names.
  if (doc.apiVersion === apiVersion) {
    const { value, unknown } = pruneUnknownFields(kind, doc);
    doc = value as Record<string, unknown>;
    if (unknown.length) {
      const mode = fieldValidationOf(req.query as Record<string, unknown>);
      if (mode === 'Strict') {
        throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`, unknown.map((f) => ({ reason: 'FieldValueInvalid', message: `unknown field "${f}"`, field: f })));
      }
      if (mode === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
    }
  }
  // As kube decodes it: no spec is an empty one, which validation then refuses naming its fields.
  if (doc.spec === undefined) doc.spec = {};
  if (!isPlainObject(doc.spec)) throw badRequest('spec: Invalid value: must be an object');
  return doc as unknown as ReviewBody<S>;
}

/** Exactly one attribute block (both kinds of reviews); `path` is where the spec sits. */
export function validateAttributeBlocks(spec: AccessSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errs.push(invalid(child(path, 'nonResourceAttributes'), spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    errs.push(invalid(child(path, 'resourceAttributes'), null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  return errs;
}

/** ValidateSubjectAccessReviewSpec: one attribute block, and a user or a group. */
export function validateSubjectSpec(spec: AccessSpec, path: string): FieldError[] {
  const errs = validateAttributeBlocks(spec, path);
  if (!spec.user && !(spec.groups?.length)) errs.push(invalid(child(path, 'user'), spec.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

/** Whether a metadata value is unset as kube's semantic equality sees it (nil and empty are alike). */
function unset(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/**
 * ValidateSubjectAccessReview / ValidateSelfSubjectAccessReview /
 * ValidateLocalSubjectAccessReview: a review is no stored object, so its
 * metadata must be empty (managedFields aside), except a
 * LocalSubjectAccessReview's namespace.
 */
export function validateEmptyMetadata(metadata: unknown, allowNamespace = false): FieldError[] {
  if (metadata === undefined || metadata === null || typeof metadata !== 'object') return [];
  const set = Object.entries(metadata).some(([k, v]) => k !== 'managedFields' && !(allowNamespace && k === 'namespace') && !unset(v));
  if (!set) return [];
  return [invalid('metadata', metadata, allowNamespace ? 'must be empty except for namespace' : 'must be empty')];
}

export function refuseInvalid(kind: string, group: string, errors: FieldError[], name = ''): void {
  if (errors.length) throw invalidStatus(kind, group, name, errors);
}

export function attributesOf(user: UserInfo, spec: AccessSpec): Attributes {
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return {
      user, isResourceRequest: true, verb: r.verb ?? '', namespace: r.namespace ?? '', apiGroup: r.group ?? '', apiVersion: r.version ?? '',
      resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '', path: '',
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, isResourceRequest: false, verb: n.verb ?? '', path: n.path ?? '', namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

export function subjectOf(spec: AccessSpec): UserInfo {
  const u: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [] };
  if (spec.uid) u.uid = spec.uid;
  if (spec.extra) u.extra = spec.extra;
  return u;
}

export interface AccessStatus { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string }

/**
 * Decides `attrs` on the snapshot in force; the status a SubjectAccessReview
 * carries, and its revision. With `reader` (a caller asking about itself, who
 * may not read every binding), a denial names only the bindings it may read.
 */
export function decideAccess(deps: AppDeps, attrs: Attributes, reader?: UserInfo): { status: AccessStatus; revision: number } {
  const d = deps.authorizer.authorize(attrs);
  const status: AccessStatus = { allowed: d.allowed };
  const reason = reader ? reasonFor(deps, reader, attrs, d) : d.reason;
  if (reason) status.reason = reason;
  return { status, revision: d.revision };
}

/** Writes the review back: `metadata` as sent (creationTimestamp null, as kube), the spec echoed, the status. */
export function sendReview(req: Request, res: Response, code: number, body: ReviewBody<unknown>, status: unknown, revision: number): void {
  const metadata = { ...(body.metadata ?? {}), creationTimestamp: null };
  send(req, res, code, { apiVersion: body.apiVersion, kind: body.kind, metadata, spec: body.spec, status }, revision);
}

