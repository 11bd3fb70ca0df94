/**
 * kube-apiserver's RequestInfo: the attributes of an HTTP request that
 * authorization decides on (k8s.io/apiserver/pkg/endpoints/request). Paths
 * under /api and /apis name resources; everything else is a non-resource
 * path whose verb is the lowercased HTTP method.
 */
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

export function requestInfo(method: string, path: string, query: Record<string, unknown>): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  let parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '').map(safeDecode);
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
    info.verb = watchPath || isTrue(query.watch) ? 'watch' : 'list';
    // A list or watch narrowed to one name by a field selector is authorized as that name.
    const name = nameFromFieldSelector(query.fieldSelector);
    if (name !== undefined) info.name = name;
  } else if (watchPath && info.verb === 'get') {
    info.verb = 'watch';
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

function isTrue(v: unknown): boolean {
  return v === 'true' || v === '1' || v === true;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
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
