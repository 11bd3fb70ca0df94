/**
 * What the tenant member may do, decided independently of Warden: the
 * request's attributes as kube-apiserver derives them (RequestInfo: verb
 * from the method, API group, resource, subresource, namespace, name), and
 * the member's grants written out by hand: ClusterRole `edit` (with `view`,
 * as aggregated in policies/) bound in a-dev only, plus what every
 * authenticated user holds (system:discovery, system:basic-user).
 *
 * Promises: `memberVerdict` says `forbidden` only where Kubernetes RBAC
 * would refuse the request, `allowed` where it would allow it (a list
 * across all namespaces counts as allowed: Warden answers it narrowed to
 * the namespaces the caller may list), and `unknown` where the outcome is
 * not the member's grants alone (impersonating a service account of a-dev)
 * or the path was rewritten in a way Kubernetes would decode first.
 */
import { names } from './platform.ts';
import { segments } from './spec.ts';

export interface Intent {
  template: string;
  /** Decoded path parameters; undefined where the raw segment does not decode. */
  params: Record<string, string | undefined>;
  method: string;
  /** `case`: a literal segment's letters changed case; `other`: re-encoded, extra slashes, dot segments, absolute form. */
  pathAltered: 'none' | 'case' | 'other';
  /** For `case`: the template as spelled, its literal segments case-altered. */
  alteredTemplate?: string;
  impersonation: 'none' | 'member-namespace-sa' | 'other' | 'malformed';
}

export interface Attributes {
  resourceRequest: boolean;
  verb: string;
  path: string;
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

/** kube-apiserver's RequestInfo for the intended path (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). */
export function attributesOf(intent: Intent): Attributes {
  const parts = segments(intent.template).map((s) => (s.literal ? s.text : intent.params[s.text] ?? ''));
  const path = `/${parts.join('/')}`;
  const method = intent.method.toUpperCase();
  const out: Attributes = { resourceRequest: false, verb: method.toLowerCase(), path, apiGroup: '', namespace: '', resource: '', subresource: '', name: '' };
  let p = parts.filter((x) => x !== '');
  if (p[0] !== 'api' && p[0] !== 'apis') return out;
  const prefix = p[0];
  p = p.slice(1);
  if (prefix === 'apis') {
    if (p.length < 3) return out;
    out.apiGroup = p[0];
    p = p.slice(1);
  } else if (p.length < 2) {
    return out;
  }
  p = p.slice(1); // the version
  out.resourceRequest = true;
  const verbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  out.verb = verbs[method] ?? '';
  if (p[0] === 'namespaces' && p.length > 1) {
    out.namespace = p[1];
    if (p.length > 2 && p[2] !== 'status' && p[2] !== 'finalize') p = p.slice(2);
  }
  if (p.length >= 3) out.subresource = p[2];
  if (p.length >= 2) out.name = p[1];
  if (p.length >= 1) out.resource = p[0];
  if (out.name === '' && out.verb === 'get') out.verb = 'list';
  if (out.name === '' && out.verb === 'delete') out.verb = 'deletecollection';
  return out;
}

const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const read = ['get', 'list', 'watch'];

/** The member's grants in its namespace, from edit and view (policies/bootstrap-cluster-roles.yaml), for the kinds Warden serves. */
const namespaceRules: { group: string; resources: string[]; verbs: string[] }[] = [
  { group: '', resources: ['serviceaccounts'], verbs: all },
  { group: '', resources: ['serviceaccounts/token'], verbs: ['create'] },
  { group: '', resources: ['resourcequotas', 'resourcequotas/status', 'namespaces', 'namespaces/status'], verbs: read },
  { group: 'networking.k8s.io', resources: ['networkpolicies'], verbs: all },
];
const clusterRules = [
  { group: 'authorization.k8s.io', resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  { group: 'authentication.k8s.io', resources: ['selfsubjectreviews'], verbs: ['create'] },
];
const discoveryPaths = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];

function ruleAllows(rules: typeof clusterRules, a: Attributes): boolean {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rules.some((r) => r.group === a.apiGroup && r.resources.includes(resource) && r.verbs.includes(a.verb));
}

function pathAllowed(path: string): boolean {
  return discoveryPaths.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

export type Verdict = 'allowed' | 'forbidden' | 'unknown';

export function memberVerdict(intent: Intent): Verdict {
  // The probes and /version answer before authentication and impersonation.
  if (isPublic(intent)) return 'unknown';
  if (intent.impersonation === 'member-namespace-sa') return 'unknown';
  if (intent.impersonation === 'other' || intent.impersonation === 'malformed') return 'forbidden';
  // A case-altered path names other attributes (kube-apiserver's paths and RBAC are case-sensitive): judge those.
  // Where RBAC would allow them (a version spelled V1, a path under a /openapi/* grant) kube-apiserver answers 404.
  if (intent.pathAltered === 'case') {
    const spelled = memberVerdict({ ...intent, template: intent.alteredTemplate ?? intent.template, pathAltered: 'none', alteredTemplate: undefined });
    return spelled === 'forbidden' ? 'forbidden' : 'unknown';
  }
  const a = attributesOf(intent);
  let allowed: boolean;
  if (!a.resourceRequest) {
    allowed = a.verb === 'get' || a.verb === 'head' ? pathAllowed(a.path) : false;
  } else if (a.namespace === names.memberNamespace) {
    allowed = ruleAllows(namespaceRules, a) || ruleAllows(clusterRules, a);
  } else if (a.namespace === '' && (a.verb === 'list' || a.verb === 'watch') && !a.subresource) {
    // A list across namespaces (or of namespaces) is narrowed to what the caller may list.
    allowed = ruleAllows(namespaceRules, { ...a, namespace: names.memberNamespace }) || ruleAllows(clusterRules, a);
  } else {
    allowed = ruleAllows(clusterRules, a);
  }
  if (!allowed) return 'forbidden';
  return intent.pathAltered === 'none' ? 'allowed' : 'unknown';
}

/** Whether a request to this template and method is public: the probes and /version, served without authentication. */
export function isPublic(intent: Intent): boolean {
  const m = intent.method.toUpperCase();
  return (m === 'GET' || m === 'HEAD') && ['/livez', '/readyz', '/version'].includes(intent.template);
}
