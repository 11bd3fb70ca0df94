/**
 * `POST /webhooks/admission`: Warden as a kube-apiserver's validating
 * admission webhook (AdmissionReview admission.k8s.io/v1 in and out; the
 * response echoes the request uid).
 *
 * Every request passes, in order, the checks that change nothing, then the
 * one that may write:
 * 1. a NetworkPolicy is validated as kube-apiserver validates it;
 * 2. an RBAC object (Role, ClusterRole, RoleBinding, ClusterRoleBinding) is
 *    put to the RBAC admission set with `setRbacAdmission` (no opinion
 *    until one is set);
 * 3. ResourceQuota admission, for every kind: pods, services and claims by
 *    their evaluators, any other kind by `count/<resource>.<group>` (a kind
 *    no quota tracks is allowed). An admitted request is charged to its
 *    quotas, a DELETE gives its charge back; dry runs charge nothing.
 * The first denial answers; warnings of every step are kept. Every answer
 * is recorded in the decision log.
 *
 * The caller is authorized like any request: a non-resource path, verb
 * `post`.
 */
import type { Request, Response } from 'express';
import { decodeDocument, requireMediaType } from '../body.ts';
import { contextOf, type AppDeps, type RequestContext } from '../context.ts';
import { send } from '../respond.ts';
import { parseAdmissionReview, reviewResponse, type AdmissionRequest, type AdmissionVerdict } from './admission-review.ts';
import { admitNetworkPolicy } from './network-policy-admission.ts';
import { admitQuota } from './quota-admission.ts';
import { admitNamespaceReview, mutateNamespace } from './namespace-admission.ts';
import { StaleSnapshotError } from '../../prisma/snapshot-source.ts';
import { isDatabaseUnavailable } from '../../prisma/store/errors.ts';

/**
 * Decides an RBAC object's write (escalation prevention): a verdict, or
 * undefined for no opinion. It must not write anything.
 */
export type RbacAdmission = (deps: AppDeps, request: AdmissionRequest) => AdmissionVerdict | undefined | Promise<AdmissionVerdict | undefined>;

const rbacGroup = 'rbac.authorization.k8s.io';
const rbacKinds = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
let rbacAdmission: RbacAdmission | undefined;

/**
 * Sets (or, with undefined, clears) the check RBAC objects pass; it applies
 * to every Warden in the process. Returns the one it replaces.
 */
export function setRbacAdmission(fn: RbacAdmission | undefined): RbacAdmission | undefined {
  const previous = rbacAdmission;
  rbacAdmission = fn;
  return previous;
}

export function isRbacObject(request: AdmissionRequest): boolean {
  return request.kind.group === rbacGroup && rbacKinds.has(request.kind.kind);
}

/** The verdict on one request, and the revision of the write it made, if any. */
export async function decideAdmission(deps: AppDeps, ctx: RequestContext, request: AdmissionRequest): Promise<AdmissionVerdict & { revision?: number }> {
  const warnings: string[] = [];
  const steps: (() => AdmissionVerdict | undefined | Promise<AdmissionVerdict | undefined>)[] = [
    () => admitNetworkPolicy(request),
    () => (rbacAdmission && isRbacObject(request) ? rbacAdmission(deps, request) : undefined),
  ];
  for (const step of steps) {
    const v = await step();
    if (!v) continue;
    if (!v.allowed) return v;
    warnings.push(...(v.warnings ?? []));
  }
  const ns = await admitNamespaceReview(deps, ctx, request);
  if (ns && !ns.allowed) return ns;
  const quota = await admitQuota(deps, ctx, request);
  if (!quota.allowed) return quota;
  warnings.push(...(quota.warnings ?? []));
  const revision = quota.revision ?? ns?.revision;
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
