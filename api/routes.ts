/**
 * Every route Warden serves, as (method, OpenAPI path template, handler).
 * The app mounts exactly these, and a test checks they equal the paths and
 * methods of openapi.yaml.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from './context.ts';
import { auditRoutes } from './audit/routes.ts';
import { discoveryHandlers, discoveryIndexSource, registrationsOf, version } from './discovery.ts';
import { livez, readyz } from './health.ts';
import { networkRoutes } from './network/routes.ts';
import { openapiDocument, openapiIndex } from './openapi-v3.ts';
import { openapiV2 } from './openapi-v2.ts';
import { bulkApply } from './resources/bulk.ts';
import { localSubjectAccessReview, selfSubjectAccessReview, subjectAccessReview, subjectAccessReviewBatch } from './reviews/access-reviews.ts';
import { authorizationWebhook } from './reviews/authorization-webhook.ts';
import { authenticationWebhook, selfSubjectReview, tokenReview } from './reviews/identity-reviews.ts';
import { selfSubjectRulesReview, subjectRulesReview } from './reviews/rules-reviews.ts';
import { rbacChangeReview } from './reviews/what-if.ts';
import { riskReview } from './reviews/risk-review.ts';
import { subjectAccessExplanation } from './reviews/access-explanation.ts';
import { resourceAccessReview } from './reviews/who-can.ts';
import { create } from './resources/create.ts';
import { remove, removeCollection } from './resources/delete.ts';
import { patch } from './resources/patch.ts';
import { list, read } from './resources/read.ts';
import { apiKinds } from './resources/registry.ts';
import { update } from './resources/update.ts';
import { patchStatus, updateStatus } from './resources/status-subresource.ts';
import { admissionWebhook, mutatingWebhook } from './webhooks/admission.ts';
import { createHandlers, iamRoutes } from './iam/routes.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDef {
  method: Method;
  /** OpenAPI template, e.g. `/api/v1/namespaces/{namespace}/serviceaccounts/{name}`. */
  path: string;
  handler: (req: Request, res: Response) => unknown;
  /** Served without authentication (probes and /version). */
  public?: boolean;
}

export function kindRoutes(deps: AppDeps): RouteDef[] {
  const out: RouteDef[] = [];
  for (const k of apiKinds) {
    const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
    const collection = k.namespaced ? `${base}/namespaces/{namespace}/${k.plural}` : `${base}/${k.plural}`;
    const item = `${collection}/{name}`;
    out.push(
      { method: 'get', path: collection, handler: list(deps, k) },
      { method: 'post', path: collection, handler: (createHandlers[k.kind] ?? create)(deps, k) },
      { method: 'get', path: item, handler: read(deps, k) },
      { method: 'put', path: item, handler: update(deps, k) },
      { method: 'patch', path: item, handler: patch(deps, k) },
      { method: 'delete', path: item, handler: remove(deps, k) },
    );
    if (k.verbs.includes('deletecollection')) out.push({ method: 'delete', path: collection, handler: removeCollection(deps, k) });
    if (k.namespaced) out.push({ method: 'get', path: `${base}/${k.plural}`, handler: list(deps, k) });
    if (k.status) {
      out.push(
        { method: 'get', path: `${item}/status`, handler: read(deps, k) },
        { method: 'put', path: `${item}/status`, handler: updateStatus(deps, k) },
        { method: 'patch', path: `${item}/status`, handler: patchStatus(deps, k) },
      );
    }
  }
  return out;
}

/** The route table; `index` is the discovery index in force, shared with whoever else answers from it (api/app.ts). */
export function routes(deps: AppDeps, extra: RouteDef[] = [], index = discoveryIndexSource(deps.discovery ?? [], registrationsOf(deps.snapshots))): RouteDef[] {
  const { coreVersions, coreResources, apiGroups, apiGroup, groupResources } = discoveryHandlers(index);
  return [
    { method: 'get', path: '/livez', handler: livez, public: true },
    { method: 'get', path: '/readyz', handler: readyz(deps), public: true },
    { method: 'get', path: '/api', handler: coreVersions },
    { method: 'get', path: '/api/v1', handler: coreResources },
    { method: 'get', path: '/apis', handler: apiGroups },
    { method: 'get', path: '/apis/{group}', handler: apiGroup },
    { method: 'get', path: '/apis/{group}/{version}', handler: groupResources },
    { method: 'get', path: '/version', handler: version, public: true },
    { method: 'get', path: '/openapi/v2', handler: openapiV2 },
    { method: 'get', path: '/openapi/v3', handler: openapiIndex },
    { method: 'get', path: '/openapi/v3/api/{version}', handler: openapiDocument },
    { method: 'get', path: '/openapi/v3/apis/{group}/{version}', handler: openapiDocument },
    ...kindRoutes(deps),
    { method: 'post', path: '/apis/warden.dev/v1/apply', handler: bulkApply(deps) },
    ...auditRoutes(deps),
    { method: 'post', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', handler: subjectAccessReview(deps) },
    { method: 'post', path: '/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews', handler: localSubjectAccessReview(deps) },
    { method: 'post', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', handler: selfSubjectAccessReview(deps) },
    { method: 'post', path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', handler: selfSubjectRulesReview(deps) },
    { method: 'post', path: '/apis/authorization.warden.dev/v1/subjectaccessreviewbatches', handler: subjectAccessReviewBatch(deps) },
    { method: 'post', path: '/apis/authorization.warden.dev/v1/subjectrulesreviews', handler: subjectRulesReview(deps) },
    { method: 'post', path: '/apis/authorization.warden.dev/v1/resourceaccessreviews', handler: resourceAccessReview(deps) },
    { method: 'post', path: '/apis/authorization.warden.dev/v1/rbacchangereviews', handler: rbacChangeReview(deps) },
    { method: 'post', path: '/apis/authorization.warden.dev/v1/riskreviews', handler: riskReview(deps) },
    { method: 'post', path: '/apis/authorization.warden.dev/v1/subjectaccessexplanations', handler: subjectAccessExplanation(deps) },
    { method: 'post', path: '/webhooks/authorization', handler: authorizationWebhook(deps) },
    { method: 'post', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', handler: selfSubjectReview(deps) },
    { method: 'post', path: '/apis/authentication.k8s.io/v1/tokenreviews', handler: tokenReview(deps) },
    { method: 'post', path: '/webhooks/authentication', handler: authenticationWebhook(deps) },
    ...networkRoutes(deps),
    ...iamRoutes(deps),
    { method: 'post', path: '/webhooks/admission', handler: admissionWebhook(deps) },
    { method: 'post', path: '/webhooks/admission/mutate', handler: mutatingWebhook(deps) },
    ...extra,
  ];
}

/** `/a/{b}/c` -> `/a/:b/c` for express. */
export function expressPath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ':$1');
}

/**
 * The one matcher of a route template outside express: `/a/{b}/c` matches
 * `/a/x/c` (and, with `trailingSlash`, `/a/x/c/`), capturing each parameter
 * (still percent-encoded) in template order.
 */
export function templatePattern(template: string, trailingSlash = false): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = template.replace(/[.]/g, '\\.').replace(/\{([^}]+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}${trailingSlash ? '/?' : ''}$`), params };
}

export type Handler = RequestHandler;
