/**
 * PUT of one object (kube's update handler), and the update path shared with
 * patch and apply: server fields come from the stored object, a stale
 * resourceVersion is 409, the result is validated, admitted and stored only
 * if the stored object is still the one it was computed from.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import type { WriteOp } from '../../prisma/store/write.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { contextOf } from '../context.ts';
import { decodeDocument, requireMediaType } from '../body.ts';
import { send } from '../respond.ts';
import { conflict, invalid, notFound } from '../status.ts';
import { isRemovable } from '../../engine/lifecycle/deletion.ts';
import { admit } from './admission.ts';
import { commit, staleMessage, stampNew } from './commit.ts';
import { fieldValidationOf, isDryRun, objectFromBody, param } from './decode.ts';
import { recordUpdate } from './managed-fields.ts';
import { managerOf } from './manager.ts';
import { targetOf } from './read.ts';
import { apiVersionOf, validateForCreate, validateForUpdate, type ApiKind } from './registry.ts';

/** An empty ownership record is left out of metadata, as kube-apiserver does. */
const ownershipOrNone = (entries: unknown[]) => (entries.length ? entries : undefined);

export interface WriteOutcome { code: number; object: KubeObject; revision?: number }

/** A write computed, validated and admitted, not yet stored; no `op` when it would change nothing. */
export interface PlannedWrite { op?: WriteOp; code: number; object: KubeObject }

/** Plans the creation of `body`: stamp, validate, record ownership, admit. */
export async function planCreate(deps: AppDeps, ctx: RequestContext, k: ApiKind, body: KubeObject, manager: string, managedFields?: unknown[]): Promise<PlannedWrite> {
  const now = new Date();
  const object = stampNew(k, body, now);
  const errors = validateForCreate(k, object);
  if (errors.length) throw invalid(k.kind, k.group, object.metadata.name, errors);
  object.metadata.managedFields = ownershipOrNone(managedFields ?? recordUpdate(null, object, manager, apiVersionOf(k), now));
  await admit(deps, ctx, k, object, null);
  return { op: { op: 'create', object }, code: 201, object };
}

/**
 * Stores planned writes in one transaction (or not at all, on dry run), one
 * outcome per plan in order. Plans without an op are answered with their
 * object as stored and no revision; when none has an op nothing is written.
 */
export async function commitPlanned(deps: AppDeps, ctx: RequestContext, planned: PlannedWrite[], dryRun: boolean): Promise<WriteOutcome[]> {
  const writes = planned.filter((p) => p.op);
  if (dryRun || !writes.length) return planned.map((p) => ({ code: p.code, object: p.object }));
  const result = await commit(deps, ctx, writes.map((p) => p.op!));
  let i = 0;
  // A deleted object is answered as the request left it, as kube answers an update that deleted.
  return planned.map((p) => {
    if (!p.op) return { code: p.code, object: p.object };
    const stored = result.objects[i++];
    return { code: p.code, object: p.op.op === 'delete' ? p.object : stored, revision: result.revision };
  });
}

/** An object as compared for a no-op write: managedFields timestamps and empty label or annotation maps do not count. */
function comparable(o: KubeObject): unknown {
  const { managedFields, labels, annotations, ...meta } = o.metadata;
  const entries = Array.isArray(managedFields) ? managedFields.map((e) => ({ ...(e as object), time: undefined })) : [];
  return JSON.parse(JSON.stringify({
    ...o,
    metadata: {
      ...meta,
      ...(labels && Object.keys(labels).length ? { labels } : {}),
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
      ...(entries.length ? { managedFields: entries } : {}),
    },
  }));
}

/**
 * True when `next` stores what `current` already holds. Such a write is not
 * made, so its resourceVersion (and the policy revision) stay, as
 * kube-apiserver skips no-op updates and applies.
 */
export function isNoop(next: KubeObject, current: KubeObject): boolean {
  return isDeepStrictEqual(comparable(next), comparable(current));
}

export async function createObject(deps: AppDeps, ctx: RequestContext, k: ApiKind, body: KubeObject, manager: string, dryRun: boolean, managedFields?: unknown[]): Promise<WriteOutcome> {
  const planned = await planCreate(deps, ctx, k, body, manager, managedFields);
  return (await commitPlanned(deps, ctx, [planned], dryRun))[0];
}

/**
 * Replaces `current` with `candidate`. `managedFields` overrides the
 * Update-style ownership record (apply computes its own).
 */
export async function planUpdate(
  deps: AppDeps, ctx: RequestContext, k: ApiKind, current: KubeObject, candidate: KubeObject, manager: string,
  managedFields?: unknown[],
): Promise<PlannedWrite> {
  const rv = candidate.metadata.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(targetOf(k, current.metadata.name), staleMessage);
  if (candidate.metadata.uid && candidate.metadata.uid !== current.metadata.uid) {
    throw conflict(targetOf(k, current.metadata.name), `Precondition failed: UID in precondition: ${candidate.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  const metadata = {
    ...candidate.metadata,
    uid: current.metadata.uid,
    creationTimestamp: current.metadata.creationTimestamp,
    resourceVersion: current.metadata.resourceVersion,
  };
  // An update never removes or moves a deletion timestamp, nor drops a grace period (kube's rest.BeforeUpdate).
  if (current.metadata.deletionTimestamp) metadata.deletionTimestamp = current.metadata.deletionTimestamp;
  if (current.metadata.deletionGracePeriodSeconds !== undefined && metadata.deletionGracePeriodSeconds === undefined) {
    metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
  }
  let next = k.prepare({ ...candidate, metadata }, current);
  const errors = validateForUpdate(k, next, current);
  if (errors.length) throw invalid(k.kind, k.group, current.metadata.name, errors);
  next = { ...next, metadata: { ...next.metadata, managedFields: ownershipOrNone(managedFields ?? recordUpdate(current, next, manager, apiVersionOf(k), new Date())) } };
  await admit(deps, ctx, k, next, current);
  // The write that takes the last finalizer off an object being deleted deletes it (kube's shouldDeleteDuringUpdate).
  if (isRemovable(next)) return { op: { op: 'delete', before: current }, code: 200, object: next };
  if (isNoop(next, current)) return { code: 200, object: current };
  return { op: { op: 'update', object: next, before: current }, code: 200, object: next };
}

export async function updateObject(
  deps: AppDeps, ctx: RequestContext, k: ApiKind, current: KubeObject, candidate: KubeObject, manager: string, dryRun: boolean,
  managedFields?: unknown[],
): Promise<WriteOutcome> {
  const planned = await planUpdate(deps, ctx, k, current, candidate, manager, managedFields);
  return (await commitPlanned(deps, ctx, [planned], dryRun))[0];
}

export function update(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const query = req.query as Record<string, unknown>;
    const mode = fieldValidationOf(query);
    const dryRun = isDryRun(query);
    const namespace = param(req, 'namespace');
    const name = param(req, 'name')!;
    const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
    const body = objectFromBody(k, doc, { namespace, name }, mode, ctx);
    const current = await deps.store.getObject(k.kind, k.namespaced ? namespace : undefined, name);
    let out: WriteOutcome;
    if (!current) {
      if (!k.createOnUpdate) throw notFound(targetOf(k, name));
      out = await createObject(deps, ctx, k, { ...body, metadata: { ...body.metadata, resourceVersion: undefined } }, managerOf(req), dryRun);
    } else {
      out = await updateObject(deps, ctx, k, current, body, managerOf(req), dryRun);
    }
    send(req, res, out.code, out.object, out.revision);
  };
}
