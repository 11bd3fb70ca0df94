/**
 * The `/status` subresource: GET reads the object; PUT and PATCH change only
 * its status (the kind's status strategy decides what is kept), with the
 * same resourceVersion precondition as the main resource.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { contextOf } from '../context.ts';
import { decodeDocument, requireMediaType, type MediaType } from '../body.ts';
import { send } from '../respond.ts';
import { conflict, invalid } from '../status.ts';
import { admit } from './admission.ts';
import { commit, staleMessage } from './commit.ts';
import { checkTypeMeta, dropNulls, fieldValidationOf, isDryRun, objectFromBody, param, pruneFields } from './decode.ts';
import { recordUpdate } from './managed-fields.ts';
import { managerOf } from './manager.ts';
import { patchObject } from './patch-documents.ts';
import { mustGet, targetOf } from './read.ts';
import { refuseMisshapen, refuseRenamed } from './patch.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';

async function writeStatus(deps: AppDeps, ctx: RequestContext, req: Request, res: Response, k: ApiKind, current: KubeObject, body: KubeObject) {
  const rv = body.metadata.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(targetOf(k, current.metadata.name), staleMessage);
  let next = k.status!.prepare(body, current);
  next = { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } };
  const errors = k.status!.validate(next, current);
  if (errors.length) throw invalid(k.kind, k.group, current.metadata.name, errors);
  next.metadata.managedFields = recordUpdate(current, next, managerOf(req), apiVersionOf(k), new Date()).map((e) => ({ ...e, subresource: 'status' }));
  await admit(deps, ctx, k, next, current);
  if (isDryRun(req.query as Record<string, unknown>)) {
    send(req, res, 200, next);
    return;
  }
  const result = await commit(deps, ctx, [{ op: 'update', object: next, before: current }]);
  send(req, res, 200, result.objects[0], result.revision);
}

export function updateStatus(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const namespace = param(req, 'namespace');
    const name = param(req, 'name')!;
    const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
    const body = objectFromBody(k, doc, { namespace, name }, fieldValidationOf(req.query as Record<string, unknown>), ctx);
    const current = await mustGet(deps, k, namespace, name);
    await writeStatus(deps, ctx, req, res, k, current, body);
  };
}

const patchTypes: MediaType[] = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/json'];

export function patchStatus(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const type = requireMediaType(req, patchTypes);
    const namespace = param(req, 'namespace');
    const name = param(req, 'name')!;
    const doc = decodeDocument(req, type);
    const current = await mustGet(deps, k, namespace, name);
    const patched = patchObject(type, current, doc, k.kind);
    checkTypeMeta(k, patched);
    const decoded = dropNulls(patched) as KubeObject;
    refuseMisshapen(k.kind, decoded, '');
    const body = pruneFields(k, decoded, fieldValidationOf(req.query as Record<string, unknown>), ctx);
    refuseRenamed(k, body, name, namespace);
    await writeStatus(deps, ctx, req, res, k, current, body);
  };
}
