/**
 * POST /apis/warden.dev/v1/apply: server-side apply of many objects in one
 * transaction. The body is a v1 List, one object, or a multi-document YAML
 * stream (whose documents may themselves be Lists). Every object is
 * authorized (patch, or create for one that does not exist yet), validated and
 * admitted before anything is written; then all are stored at one revision,
 * or, if any fails, none.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { contextOf } from '../context.ts';
import { attributesOf, forbiddenFor } from '../authz.ts';
import { decodeBody, requireMediaType } from '../body.ts';
import { send } from '../respond.ts';
import { StatusError, badRequest } from '../status.ts';
import { fieldValidationOf, isDryRun, isPlainObject } from './decode.ts';
import { managerOf } from './manager.ts';
import { applyConfigFrom, forceOf, planApply } from './patch.ts';
import { kindOf, type ApiKind } from './registry.ts';
import { commitPlanned, type PlannedWrite } from './update.ts';

const maxObjects = 5_000;

/** Flattens Lists into their items, in order. */
function flatten(docs: unknown[]): unknown[] {
  return docs.flatMap((d) => (isPlainObject(d) && d.apiVersion === 'v1' && d.kind === 'List' ? (Array.isArray(d.items) ? flatten(d.items) : []) : [d]));
}

function itemError(i: number, err: unknown): unknown {
  if (err instanceof StatusError) {
    err.status.message = `items[${i}]: ${err.status.message}`;
    for (const c of err.status.details?.causes ?? []) if (c.field) c.field = `items[${i}].${c.field}`;
  }
  return err;
}

/** The attributes of the request the item stands for, as kube's RequestInfo reads its path (a namespace's own path names it as the namespace). */
function itemAttributes(ctx: RequestContext, k: ApiKind, o: KubeObject, verb: string) {
  const name = verb === 'create' ? '' : o.metadata.name ?? '';
  const namespace = k.namespaced ? o.metadata.namespace ?? '' : k.kind === 'Namespace' ? name : '';
  return attributesOf(ctx, {
    isResourceRequest: true, path: '', verb, apiPrefix: k.group ? 'apis' : 'api', apiGroup: k.group, apiVersion: k.version,
    namespace, resource: k.plural, subresource: '', name, parts: [],
  });
}

/**
 * An item is a server-side apply, authorized as `patch` (as kube-apiserver
 * authorizes apply); a caller who may not patch may still create an object
 * that does not exist yet. A refusal always names `patch`, so it reads the
 * same whether or not the object exists.
 */
function authorizeItem(deps: AppDeps, ctx: RequestContext, k: ApiKind, o: KubeObject, exists: boolean): void {
  const patch = itemAttributes(ctx, k, o, 'patch');
  const d = deps.authorizer.authorize(patch);
  if (d.allowed) return;
  if (!exists && deps.authorizer.authorize(itemAttributes(ctx, k, o, 'create')).allowed) return;
  throw forbiddenFor(patch, d.reason);
}

export function bulkApply(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const query = req.query as Record<string, unknown>;
    const mode = fieldValidationOf(query);
    const dryRun = isDryRun(query);
    const force = forceOf(query);
    const manager = typeof query.fieldManager === 'string' && query.fieldManager ? query.fieldManager : managerOf(req);
    const docs = flatten(decodeBody(req, requireMediaType(req, ['application/json', 'application/yaml'])).flatMap((d) => (Array.isArray(d) ? d : [d])));
    if (!docs.length) throw badRequest('the request holds no objects to apply');
    if (docs.length > maxObjects) throw badRequest(`a bulk apply takes at most ${maxObjects} objects; this request has ${docs.length}`);

    const items = docs.map((doc, i) => {
      if (!isPlainObject(doc)) throw badRequest(`items[${i}]: must be an object`);
      const k = kindOf(String(doc.apiVersion ?? ''), String(doc.kind ?? ''));
      if (!k) throw badRequest(`items[${i}]: no resource of kind "${String(doc.kind)}" in "${String(doc.apiVersion)}" is served here`);
      const meta = isPlainObject(doc.metadata) ? doc.metadata : {};
      if (typeof meta.name !== 'string' || meta.name === '') throw badRequest(`items[${i}]: metadata.name: Required value: apply needs a name`);
      if (k.namespaced && (typeof meta.namespace !== 'string' || meta.namespace === '')) {
        throw badRequest(`items[${i}]: metadata.namespace: Required value: ${k.kind} is namespaced`);
      }
      try {
        const config = applyConfigFrom(k, doc, { namespace: k.namespaced ? String(meta.namespace) : undefined, name: meta.name }, mode, ctx);
        return { i, k, config };
      } catch (err) {
        throw itemError(i, err);
      }
    });
    const seen = new Set<string>();
    for (const { i, k, config } of items) {
      const id = `${k.kind}/${config.metadata.namespace ?? ''}/${config.metadata.name}`;
      if (seen.has(id)) throw badRequest(`items[${i}]: ${id} appears more than once`);
      seen.add(id);
    }
    // Namespaces first, so objects in a namespace created by the same request find it.
    items.sort((a, b) => Number(b.k.kind === 'Namespace') - Number(a.k.kind === 'Namespace') || a.i - b.i);

    const planned: PlannedWrite[] = [];
    const order: number[] = [];
    for (const { i, k, config } of items) {
      try {
        const exists = await deps.store.getObject(k.kind, k.namespaced ? config.metadata.namespace : undefined, config.metadata.name!);
        authorizeItem(deps, ctx, k, config, exists !== null);
        planned.push(await planApply(deps, ctx, k, config, manager, force));
        order.push(i);
      } catch (err) {
        throw itemError(i, err);
      }
    }
    const outcomes = await commitPlanned(deps, ctx, planned, dryRun);
    const byIndex = new Map(order.map((i, j) => [i, outcomes[j]]));
    const stored = [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!.object);
    // Objects the request left unchanged keep their resourceVersion; the result names the revision in force after it.
    const revision = outcomes.find((o) => o.revision !== undefined)?.revision ?? (dryRun ? undefined : await deps.store.currentRevision());
    send(req, res, 200, { apiVersion: 'warden.dev/v1', kind: 'ApplyResult', metadata: { resourceVersion: String(revision ?? '') }, items: stored }, revision);
  };
}
