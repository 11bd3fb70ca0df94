/**
 * Requests on resources Warden decides access to but does not store: the
 * rest of the Kubernetes API (engine/catalogue.ts), kube's subresources of
 * stored kinds that Warden does not serve, and registered custom
 * resources. They are authorized like any request first (so a caller
 * learns nothing it may not ask about); then a read (get, list, watch) is
 * kube's 404 NotFound (`deployments.apps "web" not found`, or for a list or
 * a subresource "the server could not find the requested resource") and any other verb
 * kube's 405 MethodNotAllowed, each adding that Warden decides access to
 * the resource but does not store it.
 * A verb the resource does not take at all is the plain 405. Paths that
 * discovery does not list stay 404 "the server could not find the
 * requested resource".
 */
import type { Request, Response } from 'express';
import { contextOf } from './context.ts';
import type { DiscoveryGroup } from './discovery.ts';
import { lookupResource, type DiscoveryIndex } from './discovery-index.ts';
import { findKind } from './resources/registry.ts';
import { methodNotAllowed, notFoundMessage, StatusError } from './status.ts';

const reads = new Set(['get', 'list', 'watch']);

/** The resource as kube names it in messages: `deployments.apps`, `pods`. */
const qualified = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);

/**
 * Throws the Status for a request on a resource Warden does not serve,
 * or returns when the request names no such resource (the caller answers
 * 404 or 405 as for any path).
 */
export function refuseUnserved(indexOf: () => DiscoveryIndex, extra: readonly DiscoveryGroup[]) {
  const ownExtra = new Set(extra.flatMap((g) => g.resources.map((r) => `${g.group}/${g.version}/${r.name}`)));
  return (_req: Request, res: Response): void => {
    const info = contextOf(res)?.info;
    if (!info?.isResourceRequest) return;
    const { apiGroup: group, apiVersion: version, resource, subresource, name, namespace, verb } = info;
    const listed = subresource ? `${resource}/${subresource}` : resource;
    if (ownExtra.has(`${group}/${version}/${listed}`)) return;
    const stored = findKind(group, version, resource);
    if (stored && (!subresource || stored.subresources.includes(subresource))) return;
    const entry = lookupResource(indexOf(), group, version, resource, subresource);
    if (!entry) return;
    // A cluster-scoped resource has no path under a namespace (a namespace's own subresources aside).
    if (!entry.namespaced && namespace && !(resource === 'namespaces' && namespace === name)) return;
    const what = qualified(resource, group);
    const why = subresource
      ? `Warden decides access to the ${subresource} subresource of ${what} but does not serve it`
      : `Warden decides access to ${what} but does not store them`;
    if (!(entry.verbs ?? []).includes(verb)) throw methodNotAllowed();
    const details = { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource };
    if (reads.has(verb)) {
      const missing = name && !subresource ? `${what} "${name}" not found` : 'the server could not find the requested resource';
      throw notFoundMessage(`${missing}: ${why}`, details);
    }
    const err = methodNotAllowed(`the server does not allow this method on the requested resource: ${why}`);
    throw new StatusError({ ...err.status, details });
  };
}
