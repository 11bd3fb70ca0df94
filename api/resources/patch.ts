/**
 * PATCH of one object: merge, JSON and strategic merge patches update an
 * existing object; `application/apply-patch+yaml` is server-side apply,
 * which creates a missing object. A patch that does not pin
 * metadata.resourceVersion is retried against the newest stored object when
 * a concurrent write got there first, as kube-apiserver's GuaranteedUpdate does.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { contextOf } from '../context.ts';
import { decodeDocument, requireMediaType, type MediaType } from '../body.ts';
import { send } from '../respond.ts';
import { StatusError, badRequest, conflict, invalid, notFound } from '../status.ts';
import { checkTypeMeta, dropNulls, fieldValidationOf, isDryRun, isPlainObject, param, pruneFields, type FieldValidation } from './decode.ts';
import { applyConfig } from './managed-fields.ts';
import { managerOf } from './manager.ts';
import { patchObject } from './patch-documents.ts';
import { targetOf } from './read.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';
import { commitPlanned, planCreate, planUpdate, updateObject, type PlannedWrite, type WriteOutcome } from './update.ts';
import { required } from '../../engine/validation/field-error.ts';
import { shapeErrors } from '../object-shape.ts';
import { queryFlag } from '../request-info.ts';

const patchTypes: MediaType[] = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/json'];
const attempts = 5;

/** A write lost a race (the stored object changed after it was read): worth computing again. */
function isStoreConflict(err: unknown): boolean {
  return err instanceof StatusError && err.status.reason === 'Conflict' && !err.status.details?.causes?.length;
}

/** `force` as kube converts a boolean query flag (queryFlag): absent is false, given empty is true. */
export function forceOf(query: Record<string, unknown>): boolean {
  return query.force !== undefined && queryFlag(query.force);
}

/** Plans the server-side apply of one configuration against the stored object; shared with bulk apply. */
export async function planApply(deps: AppDeps, ctx: RequestContext, k: ApiKind, config: KubeObject, manager: string, force: boolean): Promise<PlannedWrite> {
  const current = await deps.store.getObject(k.kind, k.namespaced ? config.metadata.namespace : undefined, config.metadata.name!);
  const outcome = applyConfig(current, config, manager, force, apiVersionOf(k), new Date());
  if (outcome.conflicts.length) throw applyConflict(k, config.metadata.name!, outcome.conflicts);
  if (!current) {
    const { managedFields, ...meta } = outcome.object.metadata;
    return planCreate(deps, ctx, k, { ...outcome.object, metadata: meta }, manager, managedFields);
  }
  // A resourceVersion in the configuration is a precondition, as for any update.
  const rv = config.metadata.resourceVersion;
  const candidate = rv ? { ...outcome.object, metadata: { ...outcome.object.metadata, resourceVersion: rv } } : outcome.object;
  return planUpdate(deps, ctx, k, current, candidate, manager, outcome.object.metadata.managedFields);
}

export async function applyObject(
  deps: AppDeps, ctx: RequestContext, k: ApiKind, config: KubeObject, manager: string, force: boolean, dryRun: boolean,
): Promise<WriteOutcome> {
  for (let i = 0; ; i++) {
    try {
      const planned = await planApply(deps, ctx, k, config, manager, force);
      return (await commitPlanned(deps, ctx, [planned], dryRun))[0];
    } catch (err) {
      if (!isStoreConflict(err) || config.metadata.resourceVersion || i + 1 >= attempts) throw err;
    }
  }
}

function applyConflict(k: ApiKind, name: string, conflicts: { manager: string; apiVersion: string; field: string }[]) {
  const n = conflicts.length;
  const byManager = [...new Set(conflicts.map((c) => `"${c.manager}" using ${c.apiVersion}`))];
  const message = n === 1
    ? `Apply failed with 1 conflict: conflict with ${byManager[0]}: ${conflicts[0].field}`
    : `Apply failed with ${n} conflicts: ${byManager.map((m) => `conflicts with ${m}:\n${conflicts.filter((c) => `"${c.manager}" using ${c.apiVersion}` === m).map((c) => `- ${c.field}`).join('\n')}`).join('\n')}`;
  const err = conflict(targetOf(k, name), message);
  err.status.message = message;
  err.status.details!.causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field }));
  return err;
}

/** A patch that removed or changed the object's identity (metadata, its name or namespace) is 400. */
export function refuseRenamed(k: ApiKind, patched: KubeObject, name: string, namespace: string | undefined): void {
  if (!isPlainObject(patched.metadata) || patched.metadata.name !== name || (k.namespaced && patched.metadata.namespace !== namespace)) {
    throw badRequest('a patch may not change metadata.name or metadata.namespace');
  }
}

/** A patched object or apply configuration whose fields have the wrong types is 400, naming them. */
export function refuseMisshapen(kind: string, value: unknown, at: string): void {
  const causes = shapeErrors(kind, value, at);
  if (causes.length) throw badRequest(`the object does not match the API schema: ${causes.map((c) => `${c.field}: ${c.message}`).join('; ')}`, causes);
}

/** The apply configuration of a request: a full object of the endpoint's kind, named as in the URL. */
export function applyConfigFrom(k: ApiKind, doc: unknown, url: { namespace?: string; name: string }, mode: FieldValidation, ctx: RequestContext, at = ''): KubeObject {
  checkTypeMeta(k, doc);
  refuseMisshapen(k.kind, doc, at);
  const o = pruneFields(k, dropNulls(doc) as KubeObject, mode, ctx);
  const metadata = { ...(o.metadata ?? {}) };
  if (metadata.name && metadata.name !== url.name) throw badRequest(`the name of the object (${metadata.name}) does not match the name on the URL (${url.name})`);
  if (k.namespaced && metadata.namespace && metadata.namespace !== url.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  metadata.name = url.name;
  if (k.namespaced) metadata.namespace = url.namespace;
  delete metadata.managedFields;
  return { ...o, metadata };
}

export function patch(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const query = req.query as Record<string, unknown>;
    const mode = fieldValidationOf(query);
    const dryRun = isDryRun(query);
    const type = requireMediaType(req, patchTypes);
    const namespace = param(req, 'namespace');
    const name = param(req, 'name')!;
    const doc = decodeDocument(req, type);
    const manager = managerOf(req);

    if (type === 'application/apply-patch+yaml') {
      if (typeof query.fieldManager !== 'string' || query.fieldManager === '') {
        throw invalid('PatchOptions', 'meta.k8s.io', '', [required('fieldManager', 'is required for apply patch')]);
      }
      const config = applyConfigFrom(k, doc, { namespace, name }, mode, ctx);
      const out = await applyObject(deps, ctx, k, config, manager, forceOf(query), dryRun);
      send(req, res, out.code, out.object, out.revision);
      return;
    }
    if (query.force !== undefined) throw badRequest('force: Forbidden: may not be specified for non-apply patch');
    const pinned = isPlainObject(doc) && isPlainObject(doc.metadata) && doc.metadata.resourceVersion !== undefined;
    for (let i = 0; ; i++) {
      const current = await deps.store.getObject(k.kind, k.namespaced ? namespace : undefined, name);
      if (!current) throw notFound(targetOf(k, name));
      const patched = patchObject(type, current, doc, k.kind);
      checkTypeMeta(k, patched);
      // As in kube's JSON decoding, a null left in the result (inside a replaced list) means unset.
      const decoded = dropNulls(patched) as KubeObject;
      refuseMisshapen(k.kind, decoded, '');
      const candidate = pruneFields(k, decoded, mode, ctx);
      refuseRenamed(k, candidate, name, namespace);
      try {
        const out = await updateObject(deps, ctx, k, current, candidate, manager, dryRun);
        send(req, res, out.code, out.object, out.revision);
        return;
      } catch (err) {
        if (!isStoreConflict(err) || pinned || i + 1 >= attempts) throw err;
      }
    }
  };
}
