/**
 * SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectAccessReview
 * (authorization.k8s.io/v1) with kube's shapes and validation, and Warden's
 * batch form (authorization.warden.dev/v1 SubjectAccessReviewBatch). Every
 * answer carries the revision it was decided at.
 */
import type { Request, Response } from 'express';
import { child, index, invalid, type FieldError } from '../../engine/validation/field-error.ts';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { send } from '../respond.ts';
import { badRequest } from '../status.ts';
import {
  attributesOf, decideAccess, refuseInvalid, decodeReview, sendReview, subjectOf, validateAttributeBlocks, validateEmptyMetadata, validateSubjectSpec,
  type AccessSpec, type AccessStatus,
} from './review-common.ts';
import { recordDecision } from './record.ts';

const group = 'authorization.k8s.io';
const v1 = 'authorization.k8s.io/v1';

export function subjectAccessReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<AccessSpec>(req, contextOf(res), v1, 'SubjectAccessReview');
    refuseInvalid('SubjectAccessReview', group, [...validateSubjectSpec(body.spec, 'spec'), ...validateEmptyMetadata(body.metadata)]);
    const attrs = attributesOf(subjectOf(body.spec), body.spec);
    const { status, revision } = decideAccess(deps, attrs);
    recordDecision(deps, contextOf(res), 'SubjectAccessReview', attrs, body.spec, status, revision);
    sendReview(req, res, 201, body, status, revision);
  };
}

export function localSubjectAccessReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const namespace = String(req.params.namespace);
    const body = decodeReview<AccessSpec>(req, contextOf(res), v1, 'LocalSubjectAccessReview');
    const metaNamespace = body.metadata?.namespace;
    if (metaNamespace && metaNamespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    body.metadata = { ...(body.metadata ?? {}), namespace };
    const errs = [...validateSubjectSpec(body.spec, 'spec'), ...validateEmptyMetadata(body.metadata, true)];
    if (body.spec.nonResourceAttributes) errs.push(invalid('spec.nonResourceAttributes', body.spec.nonResourceAttributes, 'disallowed on this kind of request'));
    const ns = body.spec.resourceAttributes?.namespace;
    if (body.spec.resourceAttributes && ns !== namespace) errs.push(invalid('spec.resourceAttributes.namespace', ns ?? '', 'must match metadata.namespace'));
    refuseInvalid('LocalSubjectAccessReview', group, errs);
    const attrs = attributesOf(subjectOf(body.spec), body.spec);
    const { status, revision } = decideAccess(deps, attrs);
    recordDecision(deps, contextOf(res), 'LocalSubjectAccessReview', attrs, body.spec, status, revision);
    sendReview(req, res, 201, body, status, revision);
  };
}

export function selfSubjectAccessReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const body = decodeReview<AccessSpec>(req, contextOf(res), v1, 'SelfSubjectAccessReview');
    refuseInvalid('SelfSubjectAccessReview', group, [...validateAttributeBlocks(body.spec, 'spec'), ...validateEmptyMetadata(body.metadata)]);
    const attrs = attributesOf(ctx.user, body.spec);
    const { status, revision } = decideAccess(deps, attrs, ctx.user);
    recordDecision(deps, ctx, 'SelfSubjectAccessReview', attrs, body.spec, status, revision);
    sendReview(req, res, 201, body, status, revision);
  };
}

/** Most reviews one batch may carry. */
export const maxBatch = 1000;

interface BatchSpec { reviews?: AccessSpec[] }

/**
 * Many SubjectAccessReview specs answered at one revision. Each spec is
 * validated as a SubjectAccessReview's; one invalid spec refuses the batch,
 * naming `spec.reviews[i]`.
 */
export function subjectAccessReviewBatch(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const body = decodeReview<BatchSpec>(req, contextOf(res), 'authorization.warden.dev/v1', 'SubjectAccessReviewBatch');
    const reviews = body.spec.reviews;
    const errs: FieldError[] = [];
    if (!Array.isArray(reviews) || reviews.length === 0) errs.push(invalid('spec.reviews', reviews ?? null, 'must list at least one SubjectAccessReview spec'));
    else if (reviews.length > maxBatch) errs.push(invalid('spec.reviews', `${reviews.length} reviews`, `must list at most ${maxBatch} reviews`));
    else reviews.forEach((r, i) => errs.push(...validateSubjectSpec(r ?? {}, index(child('spec', 'reviews'), i))));
    refuseInvalid('SubjectAccessReviewBatch', 'authorization.warden.dev', errs);
    // The loop is synchronous, so no snapshot swap can fall inside it: every answer is at one revision.
    const snapshot = deps.snapshots.current;
    const results: AccessStatus[] = reviews!.map((spec) => {
      const attrs = attributesOf(subjectOf(spec), spec);
      const { status } = decideAccess(deps, attrs);
      recordDecision(deps, ctx, 'SubjectAccessReview', attrs, spec, status, snapshot.revision);
      return status;
    });
    send(req, res, 201, { apiVersion: body.apiVersion, kind: body.kind, metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec: body.spec, status: { results } }, snapshot.revision);
  };
}
