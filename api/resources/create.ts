/** POST to a collection: create one object (kube's create handler). */
import type { Request, Response } from 'express';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { decodeDocument, requireMediaType } from '../body.ts';
import { send } from '../respond.ts';
import { badRequest } from '../status.ts';
import { fieldValidationOf, isDryRun, objectFromBody, param } from './decode.ts';
import { managerOf } from './manager.ts';
import type { ApiKind } from './registry.ts';
import { createObject } from './update.ts';

export function create(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const query = req.query as Record<string, unknown>;
    const mode = fieldValidationOf(query);
    const dryRun = isDryRun(query);
    const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
    const body = objectFromBody(k, doc, { namespace: param(req, 'namespace') }, mode, ctx);
    if (body.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    const out = await createObject(deps, ctx, k, body, managerOf(req), dryRun);
    send(req, res, out.code, out.object, out.revision);
  };
}
