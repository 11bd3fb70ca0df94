/**
 * kube-apiserver's RequestInfo: the attributes of an HTTP request that
 * authorization decides on (k8s.io/apiserver/pkg/endpoints/request). Paths
 * under /api and /apis name resources; everything else is a non-resource
 * path whose verb is the lowercased HTTP method. Paths are case-sensitive,
 * as kube-apiserver's are: `/APIS/...` is a non-resource path, and no route
 * serves it.
 */
import { badRequest } from './status.ts';
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const namespaceSubresources = new Set(['status', 'finalize']);

/**
 * The segments of a request path, each percent-decoded: the one parse that
 * both routing (the fast lane's parameters) and authorization read, so the
 * two can never see different paths. Leading and trailing slashes are
 * trimmed and inner empty segments kept, as kube-apiserver's splitPath does.
 * A segment that is not valid percent-encoding is 400, as Go's URL parsing
 * refuses it before kube-apiserver sees the request.
 */
export function pathSegments(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
}

export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in the request path: ${JSON.stringify(segment.slice(0, 64))}`);
  }
}

export function requestInfo(method: string, path: string, query: Record<string, unknown>): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  let parts = pathSegments(path);
  if (parts.length < 1 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  info.apiPrefix = parts[0];
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) return info; // /apis, /apis/group, /apis/group/version: discovery
    info.apiGroup = parts[0];
    parts = parts.slice(1);
  } else if (parts.length < 2) {
    return info; // /api, /api/v1: discovery
  }
  info.apiVersion = parts[0];
  parts = parts.slice(1);
  info.isResourceRequest = true;

  let watchPath = false;
  if (parts[0] === 'watch') {
    watchPath = true;
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  if (parts.length >= 3) info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 1) info.resource = parts[0];

  switch (method.toUpperCase()) {
    case 'POST': info.verb = 'create'; break;
    case 'GET': case 'HEAD': info.verb = 'get'; break;
    case 'PUT': info.verb = 'update'; break;
    case 'PATCH': info.verb = 'patch'; break;
    case 'DELETE': info.verb = 'delete'; break;
    default: info.verb = ''; break;
  }
  if (info.name === '' && info.verb === 'get') {
    info.verb = watchPath || (query.watch !== undefined && queryFlag(query.watch)) ? 'watch' : 'list';
    // A list or watch narrowed to one name by a field selector is authorized as that name.
    const name = nameFromFieldSelector(query.fieldSelector);
    if (name !== undefined) info.name = name;
  } else if (watchPath && info.verb === 'get') {
    info.verb = 'watch';
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

/**
 * A boolean query parameter as kube-apiserver converts one
 * (runtime.Convert_Slice_string_To_bool): `0` and `false` in any case are
 * false, any other value is true (`watch=True`, as Python's client sends it,
 * and `watch=1` included).
 */
export function queryFlag(v: unknown): boolean {
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined || one === null || one === false) return false;
  if (one === true) return true;
  const text = String(one);
  return !(text === '0' || text.toLowerCase() === 'false');
}

function nameFromFieldSelector(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const terms = v.split(',');
  for (const term of terms) {
    const m = /^metadata\.name(==?)(.*)$/.exec(term.trim());
    if (m && terms.length === 1) return m[2];
  }
  return undefined;
}
