/**
 * Authorizes every API request with kube-apiserver's attributes before any
 * handler runs or any body is read; a denial is 403 with kube's message.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Attributes } from '../engine/rbac/types.ts';
import type { AppDeps, RequestContext } from './context.ts';
import { requestInfo, type RequestInfo } from './request-info.ts';
import { forbiddenMessage } from './status.ts';
import { listScope, type ListScope } from '../engine/tenancy/list-scope.ts';
import { findKind } from './resources/registry.ts';
import { denyReasonFor, type BindingRef, type Decision } from '../engine/rbac/decision.ts';

export function attributesOf(ctx: Pick<RequestContext, 'user'>, info: RequestInfo): Attributes {
  return {
    user: ctx.user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    namespace: info.namespace,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    path: info.path,
  };
}

/** kube-apiserver's forbidden text for a request (responsewriters.forbiddenMessage). */
export function forbiddenText(a: Attributes, reason: string): string {
  let msg: string;
  if (!a.isResourceRequest) {
    msg = `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  } else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
    msg = `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  }
  return reason ? `${msg}: ${reason}` : msg;
}

export function forbiddenFor(a: Attributes, reason: string) {
  const text = forbiddenText(a, reason);
  if (!a.isResourceRequest) return forbiddenMessage(`forbidden: ${text}`);
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const named = a.name ? `${qualified} "${a.name}"` : qualified;
  return forbiddenMessage(`${named} is forbidden: ${text}`, {
    ...(a.name ? { name: a.name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource,
  });
}

/** Whether `reader` may read the binding (get it by name), so a refusal may name it. */
function mayRead(deps: AppDeps, reader: Attributes['user'], b: BindingRef): boolean {
  return deps.authorizer.authorize({
    user: reader, verb: 'get', isResourceRequest: true, namespace: b.namespace ?? '', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1',
    resource: b.kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings', subresource: '', name: b.name, path: '',
  }).allowed;
}

/** A denial's reason as `reader` may be told it: bindings it may not read are neither named nor counted. */
export function reasonFor(deps: AppDeps, reader: Attributes['user'], attrs: Attributes, d: Decision): string {
  if (d.allowed || !d.considered?.length) return d.reason;
  return denyReasonFor(attrs, d.considered, (b) => mayRead(deps, reader, b));
}

/** For a cluster-scope list the caller may not make whole: the part it may see, if any. */
export function scopeOfList(deps: AppDeps, attrs: Attributes): ListScope | undefined {
  if (!attrs.isResourceRequest || attrs.namespace !== '' || (attrs.verb !== 'list' && attrs.verb !== 'watch')) return undefined;
  const k = findKind(attrs.apiGroup, attrs.apiVersion, attrs.resource);
  if (!k) return undefined;
  return listScope(deps.snapshots.current, attrs, k.namespaced, (a) => deps.authorizer.authorize(a).allowed);
}

export function authzMiddleware(deps: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx: RequestContext = res.locals.ctx;
    ctx.info = requestInfo(req.method, req.path, req.query as Record<string, unknown>);
    const attrs = attributesOf(ctx, ctx.info);
    const decision = deps.authorizer.authorize(attrs);
    if (!decision.allowed) {
      const scope = scopeOfList(deps, attrs);
      if (!scope) throw forbiddenFor(attrs, reasonFor(deps, ctx.user, attrs, decision));
      ctx.listScope = scope;
    }
    ctx.authorized = true;
    next();
  };
}
