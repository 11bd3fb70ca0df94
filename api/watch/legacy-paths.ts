/**
 * kube-apiserver's deprecated watch paths, still served:
 * `/api/v1/watch/...` and `/apis/{group}/{version}/watch/...` watch the
 * collection after `watch/`, and with a name the one object of that name.
 * They are answered as the collection's list path with `watch=true` (and
 * `metadata.name` added to the field selector), so routing, validation,
 * authorization (verb `watch`, narrowed to the name as kube narrows it) and
 * the stream are the same ones.
 */
import type { NextFunction, Request, Response } from 'express';

const legacy = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/watch\/(.+)$/;

/** The list path and extra query of a legacy watch path, or undefined for any other path. */
export function legacyWatchTarget(path: string): { path: string; name?: string } | undefined {
  const m = legacy.exec(path);
  if (!m) return undefined;
  const parts = m[2].split('/');
  if (parts.some((p) => p === '')) return undefined;
  // namespaces/{ns}/{plural}[/{name}] is namespaced; namespaces/{name} names a namespace; {plural}[/{name}] otherwise.
  const collectionLength = parts[0] === 'namespaces' && parts.length >= 3 ? 3 : 1;
  if (parts.length > collectionLength + 1) return undefined;
  const collection = `${m[1]}/${parts.slice(0, collectionLength).join('/')}`;
  return parts.length > collectionLength ? { path: collection, name: parts[collectionLength] } : { path: collection };
}

export function legacyWatchPaths(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const target = req.method === 'GET' ? legacyWatchTarget(path) : undefined;
  let name: string | undefined;
  try {
    name = target?.name === undefined ? undefined : decodeURIComponent(target.name);
  } catch {
    // Left as it is: the path's malformed escape is answered 400 where every path's is.
    return next();
  }
  if (target) {
    const params = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
    params.set('watch', 'true');
    if (name !== undefined) {
      const field = params.get('fieldSelector');
      const byName = `metadata.name=${name}`;
      params.set('fieldSelector', field ? `${field},${byName}` : byName);
    }
    req.url = `${target.path}?${params.toString()}`;
  }
  next();
}
