/**
 * DELETE of one object and of a collection, as kube-apiserver's delete
 * handler and generic store do it (engine/lifecycle): DeleteOptions come
 * from the body, or from the query when there is no body; bad options are
 * 422 before anything is read; preconditions (uid, resourceVersion) are
 * checked against the stored object (409). An object its finalizers hold is
 * marked as being deleted and answered as stored; an object nothing holds
 * is removed and answered with a Success Status. A Namespace is first
 * marked Terminating and then finalized with its content
 * (api/resources/namespace-lifecycle.ts); it is always answered as an
 * object, as kube's namespace storage does.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import { isDryRunDelete, validateDeleteOptions, type DeleteOptions } from '../../engine/lifecycle/delete-options.ts';
import { deletionOf, isDeleting, specFinalizers, type DeletionPolicy } from '../../engine/lifecycle/deletion.ts';
import { markNamespace } from '../../engine/lifecycle/namespace-deletion.ts';
import { isManaged } from '../../engine/tenancy/types.ts';
import type { WriteOp } from '../../prisma/store/write.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import { contextOf } from '../context.ts';
import { decodeDocument, mediaTypeOf, rawBody, requireMediaType } from '../body.ts';
import { queryFlag } from '../request-info.ts';
import { send } from '../respond.ts';
import { badRequest, conflict, invalid, methodNotAllowed, successStatus } from '../status.ts';
import { admit } from './admission.ts';
import { commit } from './commit.ts';
import { isPlainObject, param } from './decode.ts';
import { mustGet, selectObjects, targetOf } from './read.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';

const first = (v: unknown): string | undefined => (Array.isArray(v) ? (v[0] as string | undefined) : typeof v === 'string' ? v : undefined);

/** DeleteOptions from the query (url.Values conversion): gracePeriodSeconds, orphanDependents, propagationPolicy, dryRun. */
function optionsFromQuery(query: Record<string, unknown>): DeleteOptions {
  const o: DeleteOptions = {};
  const grace = first(query.gracePeriodSeconds);
  if (grace !== undefined) {
    const n = grace.trim() === '' ? 0 : Number(grace.trim());
    if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(grace)}: invalid syntax`);
    o.gracePeriodSeconds = n;
  }
  const orphan = first(query.orphanDependents);
  if (orphan !== undefined) o.orphanDependents = queryFlag(orphan);
  const policy = first(query.propagationPolicy);
  if (policy !== undefined) o.propagationPolicy = policy;
  const dryRun = query.dryRun;
  if (dryRun !== undefined) o.dryRun = (Array.isArray(dryRun) ? dryRun : [dryRun]).map(String);
  return o;
}

/** DeleteOptions from a JSON or YAML body (any group's DeleteOptions, as kube accepts for compatibility). */
function optionsFromBody(req: Request): DeleteOptions {
  const doc = decodeDocument(req, requireMediaType(req, ['application/json', 'application/yaml']));
  if (!isPlainObject(doc)) throw badRequest('DeleteOptions must be an object');
  if (doc.kind !== undefined && doc.kind !== null && doc.kind !== '' && doc.kind !== 'DeleteOptions') {
    throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (DeleteOptions)`);
  }
  const o: DeleteOptions = {};
  if (typeof doc.gracePeriodSeconds === 'number') o.gracePeriodSeconds = doc.gracePeriodSeconds;
  if (isPlainObject(doc.preconditions)) {
    const p = doc.preconditions;
    o.preconditions = {
      ...(typeof p.uid === 'string' ? { uid: p.uid } : {}),
      ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}),
    };
  }
  if (typeof doc.orphanDependents === 'boolean') o.orphanDependents = doc.orphanDependents;
  if (typeof doc.propagationPolicy === 'string') o.propagationPolicy = doc.propagationPolicy;
  if (Array.isArray(doc.dryRun)) o.dryRun = doc.dryRun.map(String);
  return o;
}

/**
 * The request's DeleteOptions, validated (422 `DeleteOptions.meta.k8s.io ""`
 * as kube's handler answers). kube-apiserver reads the query only when there
 * is no body; Warden also takes from the query what a body leaves unset, so
 * that `?dryRun=All` beside a body is never a real delete.
 */
export function deleteOptionsOf(req: Request): DeleteOptions {
  const raw = rawBody(req);
  const fromBody = !!raw && raw.length > 0 && mediaTypeOf(req) !== '';
  const query = optionsFromQuery(req.query as Record<string, unknown>);
  const body = fromBody ? optionsFromBody(req) : {};
  const o: DeleteOptions = { ...query, ...body };
  if (body.propagationPolicy !== undefined || body.orphanDependents !== undefined) {
    // The body's choice of propagation stands whole: one from the query does not join it.
    o.propagationPolicy = body.propagationPolicy;
    o.orphanDependents = body.orphanDependents;
    if (o.propagationPolicy === undefined) delete o.propagationPolicy;
    if (o.orphanDependents === undefined) delete o.orphanDependents;
  }
  const errs = validateDeleteOptions(o);
  if (errs.length) throw invalid('DeleteOptions', 'meta.k8s.io', undefined, errs);
  return o;
}

const policyOf = (o: DeleteOptions): DeletionPolicy => ({
  ...(o.propagationPolicy !== undefined ? { propagationPolicy: o.propagationPolicy as DeletionPolicy['propagationPolicy'] } : {}),
  ...(o.orphanDependents !== undefined ? { orphanDependents: o.orphanDependents } : {}),
});

/**
 * Preconditions as kube checks them before a delete: the generic store
 * (rest.BeforeDelete) names the kind; the namespace storage has its own words.
 */
function checkPreconditions(k: ApiKind, current: KubeObject, o: DeleteOptions): void {
  const pre = o.preconditions ?? {};
  const name = current.metadata.name;
  const { uid, resourceVersion } = current.metadata;
  if (k.kind === 'Namespace') {
    if (pre.uid !== undefined && pre.uid !== uid) throw conflict(targetOf(k, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== resourceVersion) {
      throw conflict(targetOf(k, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${resourceVersion}`);
    }
    return;
  }
  const target = { resource: k.kind, group: k.group || undefined, name };
  if (pre.uid !== undefined && pre.uid !== uid) {
    throw conflict(target, `the UID in the precondition (${pre.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`);
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== resourceVersion) {
    throw conflict(target, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${resourceVersion}). The object might have been modified`);
  }
}

/** metav1.Time as kube stores it: RFC 3339 in UTC, whole seconds. */
export const nowStamp = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const namespaceBusy = 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.';

export interface DeleteOutcome {
  /** What the answer carries: the object as stored (or as it was when removed), or a Success Status. */
  body: unknown;
  code: number;
  revision?: number;
}

/** Deletes `current` as the options say; writes nothing on dry run. */
export async function deleteObject(deps: AppDeps, ctx: RequestContext, k: ApiKind, current: KubeObject, o: DeleteOptions): Promise<DeleteOutcome> {
  const name = current.metadata.name!;
  const dryRun = isDryRunDelete(o);
  const policy = policyOf(o);
  const now = nowStamp();
  const removed = successStatus({ name, group: k.group || undefined, kind: k.plural, uid: current.metadata.uid });
  let op: WriteOp | undefined;
  let answer: KubeObject | undefined;
  if (k.kind === 'Namespace' && !isDeleting(current)) {
    answer = markNamespace(current, policy, now);
    op = { op: 'update', object: answer, before: current };
  } else {
    if (k.kind === 'Namespace' && specFinalizers(current).length) throw conflict(targetOf(k, name), namespaceBusy);
    const d = deletionOf(current, policy, now);
    if (d.kind === 'remove') op = { op: 'delete', before: current };
    else if (d.kind === 'mark') op = { op: 'update', object: (answer = d.object), before: current };
    else answer = current;
  }
  await admit(deps, ctx, k, null, current);
  // 202 when the object stays and the (deprecated) orphanDependents: false asked for a cascade, as kube answers.
  const code = answer && o.orphanDependents === false ? 202 : 200;
  if (!op || dryRun) return { body: answer ?? (k.kind === 'Namespace' ? current : removed), code };
  const result = await commit(deps, ctx, [op]);
  const gone = result.deleted.some((d) => d.metadata.uid === current.metadata.uid);
  if (k.kind === 'Namespace') {
    const stored = result.objects.find((x) => x.kind === 'Namespace' && x.metadata.name === name);
    return { body: gone ? answer ?? current : stored ?? answer, code, revision: result.revision };
  }
  if (gone) return { body: removed, code: 200, revision: result.revision };
  return { body: result.objects[0], code, revision: result.revision };
}

export function remove(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const o = deleteOptionsOf(req);
    ctx.deleteOptions = { propagationPolicy: o.propagationPolicy };
    const current = await mustGet(deps, k, param(req, 'namespace'), param(req, 'name')!);
    checkPreconditions(k, current, o);
    const out = await deleteObject(deps, ctx, k, current, o);
    send(req, res, out.code, out.body, out.revision);
  };
}

/**
 * DELETE of a collection. Kinds without the deletecollection verb answer 405
 * as kube-apiserver does: namespaces are deleted one by one, never all at
 * once by a selector. Each selected object is deleted as a DELETE of it
 * would (finalizers keep some), all in one transaction; the answer lists
 * the objects as they were.
 */
export function removeCollection(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    if (!k.verbs.includes('deletecollection')) throw methodNotAllowed();
    const ctx = contextOf(res);
    const o = deleteOptionsOf(req);
    ctx.deleteOptions = { propagationPolicy: o.propagationPolicy };
    const selected = await selectObjects(deps, k, param(req, 'namespace'), req.query as Record<string, unknown>);
    // Objects Warden manages for tenants are not deleted by hand: a collection delete leaves them, and says so.
    const items = selected.filter((x) => !isManaged(x));
    const kept = selected.length - items.length;
    if (kept) ctx.warnings.push(`${kept} ${kept === 1 ? k.singular : k.plural} managed by Warden for tenants ${kept === 1 ? 'was' : 'were'} left: change the Tenant to change ${kept === 1 ? 'it' : 'them'}`);
    for (const x of items) await admit(deps, ctx, k, null, x);
    const now = nowStamp();
    const ops: WriteOp[] = [];
    for (const x of items) {
      const d = deletionOf(x, policyOf(o), now);
      if (d.kind === 'remove') ops.push({ op: 'delete', before: x });
      else if (d.kind === 'mark') ops.push({ op: 'update', object: d.object, before: x });
    }
    let revision: number | undefined;
    if (!isDryRunDelete(o) && ops.length) revision = (await commit(deps, ctx, ops)).revision;
    send(req, res, 200, { apiVersion: apiVersionOf(k), kind: `${k.kind}List`, metadata: {}, items }, revision);
  };
}
