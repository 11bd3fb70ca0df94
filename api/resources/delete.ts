/**
 * DELETE of one object and of a collection. Deletion is immediate (Warden
 * keeps no finalizers or graceful deletion); deleting a namespace deletes
 * everything in it in the same transaction. Preconditions (uid,
 * resourceVersion) in DeleteOptions are honoured: a mismatch is 409.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import { isManaged } from '../../engine/tenancy/types.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { contextOf } from '../context.ts';
import { decodeDocument, mediaTypeOf, rawBody, requireMediaType } from '../body.ts';
import { send } from '../respond.ts';
import { badRequest, conflict, methodNotAllowed, successStatus } from '../status.ts';
import { admit } from './admission.ts';
import { commit } from './commit.ts';
import { isDryRun, isPlainObject, param } from './decode.ts';
import { mustGet, selectObjects, targetOf } from './read.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';

interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
  propagationPolicy?: string;
}

function deleteOptions(req: Request): DeleteOptions {
  const raw = rawBody(req);
  if (!raw || raw.length === 0 || mediaTypeOf(req) === '') return {};
  const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
  if (!isPlainObject(doc)) throw badRequest('DeleteOptions must be an object');
  if (doc.kind !== undefined && doc.kind !== 'DeleteOptions') throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (DeleteOptions)`);
  const pp = doc.propagationPolicy;
  if (pp !== undefined && pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground') {
    throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(pp)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  return doc as DeleteOptions;
}

function dryRunOf(req: Request, opts: DeleteOptions): boolean {
  const fromQuery = isDryRun(req.query as Record<string, unknown>);
  const fromBody = (opts.dryRun ?? []).length > 0;
  for (const v of opts.dryRun ?? []) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  return fromQuery || fromBody;
}

export async function deleteOne(deps: AppDeps, ctx: RequestContext, k: ApiKind, current: KubeObject, dryRun: boolean): Promise<number | undefined> {
  await admit(deps, ctx, k, null, current);
  if (dryRun) return undefined;
  const result = await commit(deps, ctx, [{ op: 'delete', before: current }]);
  return result.revision;
}

export function remove(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const opts = deleteOptions(req);
    const propagation = typeof req.query.propagationPolicy === 'string' ? req.query.propagationPolicy : opts.propagationPolicy;
    ctx.deleteOptions = { propagationPolicy: propagation };
    const dryRun = dryRunOf(req, opts);
    const name = param(req, 'name')!;
    const current = await mustGet(deps, k, param(req, 'namespace'), name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(targetOf(k, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(targetOf(k, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    const revision = await deleteOne(deps, ctx, k, current, dryRun);
    if (k.kind === 'Namespace') {
      send(req, res, 200, { ...current, status: { phase: 'Terminating' } }, revision);
      return;
    }
    send(req, res, 200, successStatus({ name, group: k.group || undefined, kind: k.plural, uid: current.metadata.uid }), revision);
  };
}

/**
 * DELETE of a collection. Kinds without the deletecollection verb answer 405
 * as kube-apiserver does: namespaces are deleted one by one, never all at
 * once by a selector.
 */
export function removeCollection(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    if (!k.verbs.includes('deletecollection')) throw methodNotAllowed();
    const ctx = contextOf(res);
    const opts = deleteOptions(req);
    const dryRun = dryRunOf(req, opts);
    const selected = await selectObjects(deps, k, param(req, 'namespace'), req.query as Record<string, unknown>);
    // Objects Warden manages for tenants are not deleted by hand: a collection delete leaves them, and says so.
    const items = selected.filter((o) => !isManaged(o));
    const kept = selected.length - items.length;
    if (kept) ctx.warnings.push(`${kept} ${kept === 1 ? k.singular : k.plural} managed by Warden for tenants ${kept === 1 ? 'was' : 'were'} left: change the Tenant to change ${kept === 1 ? 'it' : 'them'}`);
    for (const o of items) await admit(deps, ctx, k, null, o);
    let revision: number | undefined;
    if (!dryRun && items.length) {
      revision = (await commit(deps, ctx, items.map((o) => ({ op: 'delete' as const, before: o })))).revision;
    }
    send(req, res, 200, { apiVersion: apiVersionOf(k), kind: `${k.kind}List`, metadata: {}, items }, revision);
  };
}
