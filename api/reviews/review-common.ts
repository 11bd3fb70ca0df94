/**
 * What every review endpoint shares: reading a review object of the expected
 * apiVersion and kind, the SubjectAccessReviewSpec validation of
 * pkg/apis/authorization/validation, turning a spec into authorizer
 * attributes, and writing the review back with its status.
 */
import type { Request, Response } from 'express';
import type { Attributes, UserInfo } from '../../engine/rbac/types.ts';
import { child, invalid, type FieldError } from '../../engine/validation/field-error.ts';
import type { AppDeps } from '../context.ts';
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

/** The review object of a request; wrong apiVersion/kind or a missing spec is 400 (bodies nested too deeply never get here). */
export function reviewBody<S>(req: Request, apiVersion: string, kind: string, acceptVersions: string[] = [apiVersion]): ReviewBody<S> {
  const b = req.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest(`the request body must be a ${kind} object`);
  if (!acceptVersions.includes(String(b.apiVersion))) {
    throw badRequest(`the API version in the data (${String(b.apiVersion ?? '')}) does not match the expected API version (${apiVersion})`);
  }
  if (b.kind !== kind) throw badRequest(`the kind in the data (${String(b.kind ?? '')}) does not match the expected kind (${kind})`);
  if (!b.spec || typeof b.spec !== 'object' || Array.isArray(b.spec)) throw badRequest('spec: Required value: a review needs a spec');
  return b as unknown as ReviewBody<S>;
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

