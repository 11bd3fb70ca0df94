/**
 * `POST /webhooks/admission`: Warden as a kube-apiserver's validating
 * admission webhook (AdmissionReview admission.k8s.io/v1 in and out; the
 * response echoes the request uid).
 *
 * Every request passes the steps of `deps.admission` in order (composed in
 * api/composition.ts: NetworkPolicy validation, RBAC escalation checks,
 * namespace tenancy, ResourceQuota admission, which charges). The first
 * denial answers; warnings of every step are kept. Every answer is
 * recorded in the decision log.
 *
 * The caller is authorized like any request: a non-resource path, verb
 * `post`.
 */
import type { Request, Response } from 'express';
import { decodeDocument, requireMediaType } from '../body.ts';
import { contextOf, type AppDeps, type RequestContext } from '../context.ts';
import { send } from '../respond.ts';
import { parseAdmissionReview, reviewResponse, type AdmissionRequest, type AdmissionVerdict } from './admission-review.ts';
import { mutateNamespace } from './namespace-admission.ts';
import { StaleSnapshotError } from '../../prisma/snapshot-source.ts';
import { isDatabaseUnavailable } from '../../prisma/store/errors.ts';

/**
 * One step of the validating webhook: a verdict, or undefined for no
 * opinion. A step that writes (charges, records) returns the revision of
 * its write. The steps and their order are `deps.admission`
 * (api/composition.ts).
 */
export type AdmissionStep = (deps: AppDeps, ctx: RequestContext, request: AdmissionRequest) =>
  (AdmissionVerdict & { revision?: number }) | undefined | Promise<(AdmissionVerdict & { revision?: number }) | undefined>;

/** The verdict on one request, and the revision of the write it made, if any. */
export async function decideAdmission(deps: AppDeps, ctx: RequestContext, request: AdmissionRequest): Promise<AdmissionVerdict & { revision?: number }> {
  const warnings: string[] = [];
  let revision: number | undefined;
  for (const step of deps.admission) {
    const v = await step(deps, ctx, request);
    if (!v) continue;
    if (!v.allowed) return v;
    warnings.push(...(v.warnings ?? []));
    if (v.revision !== undefined) revision = v.revision;
  }
  return { allowed: true, ...(warnings.length ? { warnings } : {}), ...(revision !== undefined ? { revision } : {}) };
}

/** Hands the decision to the decision log (which never blocks or throws); the objects themselves are not kept. */
function record(deps: AppDeps, ctx: RequestContext, r: AdmissionRequest, verdict: AdmissionVerdict, revision: number): void {
  deps.decisions?.record({
    caller: ctx.caller?.name ?? '',
    subject: { user: r.userInfo.username ?? '', groups: r.userInfo.groups ?? [] },
    kind: 'AdmissionReview',
    namespace: r.namespace,
    verb: r.operation.toLowerCase(),
    group: r.resource.group,
    resource: r.resource.resource,
    subresource: r.subResource,
    name: r.name,
    question: { uid: r.uid, operation: r.operation, kind: r.kind, resource: r.resource, subResource: r.subResource, namespace: r.namespace, name: r.name, dryRun: r.dryRun },
    allowed: verdict.allowed,
    reason: verdict.status?.message ?? verdict.warnings?.join('; ') ?? '',
    revision,
  });
}

/**
 * What a request gets when Warden cannot decide: refused, as the failure
 * policy README recommends (`Fail`) would have the API server do when the
 * webhook is unreachable, but with a reason the user can read.
 */
function cannotDecide(deps: AppDeps, err: unknown): AdmissionVerdict | undefined {
  if (err instanceof StaleSnapshotError) {
    deps.metrics.refusedStale('admission_webhook');
    return { allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message: `admission webhook "warden" cannot decide: ${err.message}` } };
  }
  if (isDatabaseUnavailable(err)) {
    deps.log.warn({ err }, 'admission failed: the database is unavailable');
    deps.metrics.unavailableAnswer('database');
    return { allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message: 'admission webhook "warden" cannot decide: its database is unavailable; retry later' } };
  }
  return undefined;
}

/**
 * `POST /webhooks/admission/mutate`: Warden as a mutating admission webhook,
 * registered for namespaces only: it assigns a tenant owner's namespace to
 * its tenant (engine/tenancy/namespace-admission.ts). It writes nothing;
 * the validating webhook records what is admitted.
 */
export function mutatingWebhook(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const request = parseAdmissionReview(decodeDocument(req, requireMediaType(req, ['application/json'])));
    let verdict: AdmissionVerdict;
    try {
      verdict = mutateNamespace(deps, request);
    } catch (err) {
      const refused = cannotDecide(deps, err);
      if (!refused) throw err;
      verdict = refused;
    }
    const revision = deps.snapshots.revision;
    if (!verdict.allowed || verdict.patch) record(deps, ctx, request, verdict, revision);
    send(req, res, 200, reviewResponse(request.uid, verdict), revision);
  };
}

export function admissionWebhook(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const request = parseAdmissionReview(decodeDocument(req, requireMediaType(req, ['application/json'])));
    let verdict: AdmissionVerdict & { revision?: number };
    try {
      verdict = await decideAdmission(deps, ctx, request);
    } catch (err) {
      const refused = cannotDecide(deps, err);
      if (!refused) throw err;
      verdict = refused;
    }
    const revision = verdict.revision ?? deps.snapshots.revision;
    record(deps, ctx, request, verdict, revision);
    send(req, res, 200, reviewResponse(request.uid, verdict), revision);
  };
}
