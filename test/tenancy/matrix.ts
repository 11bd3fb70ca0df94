/**
 * The isolation matrix as data: every route Warden serves, aimed by an owner
 * of tenant acme at tenant bolt's objects (and at cluster-scoped ones), and
 * what that owner gets on acme's own objects. Rows for the kinds come from
 * one table (which verbs, which code on one's own objects); the reviews,
 * bulk apply, webhooks and identity routes are written out below it.
 */
import { rbacBase, rbacV1, roleRef, user, type Obj } from '../api/builders.ts';
import { desiredTenantRbac } from '../../engine/tenancy/managed.ts';
import { applyPath, networkPolicy, quota, role, roleBinding, serviceAccount, tenant, tenantNamespace } from './support.ts';

/** What a row aims at: a kind's object in bolt (or a cluster-scoped one), or bolt's tenant. */
export type Aim = 'serviceaccount' | 'quota' | 'policy' | 'role' | 'binding' | 'namespace' | 'tenant' | 'clusterrole' | 'clusterbinding' | 'user' | 'token' | 'crd';

/** Where a call aims: `ns` for namespaced objects, `name` always. */
export interface Target { ns?: string; name: string }

/** What an answer about bolt must be, besides identical for bolt's existing and missing names. */
export type OtherAnswer = { refused: true } | { code: number; check(body: Obj): void; what: string };

export interface Row {
  /** `METHOD /template`, exactly as the route table has it. */
  route: string;
  aim: Aim;
  body?(t: Target): Obj;
  query?: string;
  type?: string;
  /** What an owner of acme gets when the call aims at acme's own object. */
  own: number;
  /** Extra check of the answer on acme's own object. */
  ownCheck?(body: Obj): void;
  /** Default: refused (403 or 404). */
  other?: OtherAnswer;
  /**
   * Set when an existing and a missing name may be told apart, and why:
   * namespace names are global, so whoever may create a namespace learns
   * whether a name is taken (kube-apiserver answers AlreadyExists alike).
   */
  namesAreGlobal?: string;
}

/** bolt's objects, and the names that do not exist, by aim. */
export const others: Record<Aim, { existing: Target; namespaced: boolean }> = {
  serviceaccount: { existing: { ns: 'bolt-payments', name: 'bolt-robot' }, namespaced: true },
  quota: { existing: { ns: 'bolt-payments', name: 'bolt-quota' }, namespaced: true },
  policy: { existing: { ns: 'bolt-payments', name: 'bolt-deny-all' }, namespaced: true },
  role: { existing: { ns: 'bolt-payments', name: 'bolt-reader' }, namespaced: true },
  binding: { existing: { ns: 'bolt-payments', name: 'bolt-read-binding' }, namespaced: true },
  namespace: { existing: { name: 'bolt-payments' }, namespaced: false },
  tenant: { existing: { name: 'bolt' }, namespaced: false },
  clusterrole: { existing: { name: 'platform-reader' }, namespaced: false },
  clusterbinding: { existing: { name: 'platform-readers' }, namespaced: false },
  user: { existing: { name: 'bob' }, namespaced: false },
  token: { existing: { name: 'bob-laptop' }, namespaced: false },
  crd: { existing: { name: 'widgets.example.com' }, namespaced: false },
};

/** bolt's existing object, the same name missing from its namespace, and a namespace that does not exist. */
export function otherTargets(aim: Aim): Target[] {
  const { existing, namespaced } = others[aim];
  if (namespaced) return [existing, { ns: existing.ns, name: 'phantom' }, { ns: 'nowhere', name: existing.name }];
  return [existing, { name: aim === 'tenant' ? 'ghost' : 'phantom' }];
}

const touch = { metadata: { annotations: { touched: 'yes' } } };

interface KindRow {
  aim: Aim;
  base: string;
  plural: string;
  namespaced: boolean;
  build(t: Target, labels?: Record<string, string>): Obj;
  /** Codes for acme's owner on acme's own objects, by verb; verbs absent here have no route. */
  own: Partial<Record<Verb, number>>;
}

type Verb = 'list' | 'create' | 'deletecollection' | 'get' | 'update' | 'patch' | 'delete' | 'list all' | 'get status' | 'update status' | 'patch status';

const labelled = (o: Obj, labels?: Record<string, string>) => (labels ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...labels } } } : o);
const full = (code = 200) => ({ list: 200, create: 201, deletecollection: code, get: 200, update: 200, patch: 200, delete: 200, 'list all': 200 });
const none = { list: 403, create: 403, deletecollection: 403, get: 403, update: 403, patch: 403, delete: 403 };

/**
 * The kinds, and what `admin` (the owners' role in each tenant namespace)
 * gives on them. Quotas are read-only to admin, as in Kubernetes: a tenant
 * never raises its own quota. Cluster-scoped RBAC and identities need
 * cluster authority, which no owner has.
 */
export const kindRows: KindRow[] = [
  { aim: 'serviceaccount', base: '/api/v1', plural: 'serviceaccounts', namespaced: true, build: (t, l) => labelled(serviceAccount(t.ns!, t.name), l), own: full() },
  {
    aim: 'quota', base: '/api/v1', plural: 'resourcequotas', namespaced: true, build: (t, l) => labelled(quota(t.ns!, t.name), l),
    own: { ...none, list: 200, get: 200, 'list all': 200, 'get status': 200, 'update status': 403, 'patch status': 403 },
  },
  { aim: 'policy', base: '/apis/networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true, build: (t, l) => labelled(networkPolicy(t.ns!, t.name), l), own: full() },
  { aim: 'role', base: rbacBase, plural: 'roles', namespaced: true, build: (t, l) => labelled(role(t.ns!, t.name), l), own: full() },
  {
    aim: 'binding', base: rbacBase, plural: 'rolebindings', namespaced: true,
    build: (t, l) => labelled(roleBinding(t.ns!, t.name, roleRef('ClusterRole', 'view'), [user('carol')]), l), own: full(),
  },
  {
    aim: 'namespace', base: '/api/v1', plural: 'namespaces', namespaced: false, build: (t, l) => labelled(tenantNamespace(t.name, 'acme'), l),
    // Namespaces have no collection delete. Creating one is aimed at a tenant, not at a namespace: see rowsOfKind.
    own: { list: 200, get: 200, update: 200, patch: 200, delete: 200 },
  },
  {
    aim: 'tenant', base: '/apis/tenancy.warden.dev/v1', plural: 'tenants', namespaced: false,
    build: (t) => tenant(t.name, { owners: [user('alice')], namespaceLimit: 100 }),
    // An owner reads its tenant but never changes it: the limit, quota and owners are the platform's.
    own: { ...none, list: 200, get: 200 },
  },
  { aim: 'clusterrole', base: rbacBase, plural: 'clusterroles', namespaced: false, build: (t) => ({ apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: t.name }, rules: [] }), own: none },
  {
    aim: 'clusterbinding', base: rbacBase, plural: 'clusterrolebindings', namespaced: false,
    build: (t) => ({ apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: { name: t.name }, roleRef: roleRef('ClusterRole', 'view'), subjects: [user('alice')] }), own: none,
  },
  { aim: 'user', base: '/apis/iam.warden.dev/v1', plural: 'users', namespaced: false, build: (t) => ({ apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name: t.name }, spec: { groups: ['bolt-team'] } }), own: none },
  { aim: 'token', base: '/apis/iam.warden.dev/v1', plural: 'tokens', namespaced: false, build: (t) => ({ apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name: t.name }, spec: { user: 'bob' } }), own: none },
  {
    aim: 'crd', base: '/apis/apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false, own: none,
    build: (t) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: t.name }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true }] } }),
  },
];

export const kindOfAim = (aim: Aim) => kindRows.find((k) => k.aim === aim)!;

function rowsOfKind(k: KindRow): Row[] {
  const collection = k.namespaced ? `${k.base}/namespaces/{namespace}/${k.plural}` : `${k.base}/${k.plural}`;
  const item = `${collection}/{name}`;
  const verbs: Record<Verb, Omit<Row, 'aim' | 'own'>> = {
    list: { route: `get ${collection}` },
    create: { route: `post ${collection}`, body: (t) => k.build(t) },
    deletecollection: { route: `delete ${collection}` },
    get: { route: `get ${item}` },
    update: { route: `put ${item}`, body: (t) => k.build(t) },
    patch: { route: `patch ${item}`, body: () => touch, type: 'application/merge-patch+json' },
    delete: { route: `delete ${item}` },
    'list all': { route: `get ${k.base}/${k.plural}` },
    'get status': { route: `get ${item}/status` },
    'update status': { route: `put ${item}/status`, body: (t) => ({ ...k.build(t), status: { hard: { pods: '10' }, used: { pods: '9' } } }) },
    'patch status': { route: `patch ${item}/status`, body: () => ({ status: { used: { pods: '9' } } }), type: 'application/merge-patch+json' },
  };
  const out: Row[] = [];
  for (const [verb, own] of Object.entries(k.own) as [Verb, number][]) {
    const listsClusterWide = verb === 'list all' || (verb === 'list' && !k.namespaced);
    out.push({ ...verbs[verb], aim: k.aim, own, ...(listsClusterWide && own === 200 ? { other: onlyAcme } : {}) });
  }
  if (k.aim === 'namespace') {
    out.push({
      route: `post ${collection}`, aim: 'tenant', own: 201,
      body: (t) => tenantNamespace('acme-sneaky', t.name),
    });
  }
  return out;
}

const attrs = (t: Target, resource = 'roles', verb = 'get') =>
  ({ namespace: t.ns ?? '', name: t.name, verb, resource, group: resource === 'namespaces' ? '' : 'rbac.authorization.k8s.io' });
const review = (kind: string, spec: Obj, group = 'authorization.k8s.io', metadata: Obj = {}): Obj => ({ apiVersion: `${group}/v1`, kind, metadata, spec });
const denied: OtherAnswer = {
  code: 201, what: 'a review answering not allowed',
  check: (b) => { if (b.status?.allowed !== false) throw new Error(`expected allowed: false, got ${JSON.stringify(b.status)}`); },
};
/**
 * A rules review of bolt's namespace shows only what the owner holds cluster-wide: what every
 * authenticated user may do (the self reviews) and its own tenant's cluster-scope rules (create
 * namespaces, bulk apply, read tenant acme), nothing on bolt's objects.
 */
const ownClusterRules = new Set(desiredTenantRbac({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 'acme' }, spec: {} })[0].rules!.map((r) => JSON.stringify(r)));
const nothingThere: OtherAnswer = {
  code: 201, what: 'a rules review with only the self reviews and acme\'s own cluster-scope rules',
  check: (b) => {
    for (const r of (b.status?.resourceRules ?? []) as Obj[]) {
      if (r.apiGroups.every((g: string) => g === 'authorization.k8s.io' || g === 'authentication.k8s.io')) continue;
      const own = JSON.stringify({ apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}), verbs: r.verbs });
      if (!ownClusterRules.has(own)) throw new Error(`rule ${JSON.stringify(r)} in another tenant's namespace`);
    }
  },
};
/** A list at cluster scope answers, as capsule-proxy filters kubectl's lists, with acme's items alone. */
const onlyAcme: OtherAnswer = {
  code: 200, what: 'a list of acme\'s items alone',
  check: (b) => {
    for (const o of b.items as Obj[]) {
      const owner = o.kind === 'Tenant' ? o.metadata.name : o.metadata.namespace ?? o.metadata.name;
      if (owner !== 'acme' && !String(owner).startsWith('acme-')) throw new Error(`${o.kind} ${owner}/${o.metadata.name} listed to acme's owner`);
    }
  },
};
const allowedTrue = (b: Obj) => { if (b.status?.allowed !== true) throw new Error(`expected allowed: true, got ${JSON.stringify(b.status)}`); };
const rulesOnRoles = (b: Obj) => { if (!(b.status?.resourceRules ?? []).some((r: Obj) => r.resources.includes('roles'))) throw new Error('admin rules missing from the owner\'s own namespace'); };

/** Routes that are not about objects: discovery, the OpenAPI document, probes. They reveal nothing about any tenant. */
export const tenantAgnostic = [
  'get /livez', 'get /readyz', 'get /version', 'get /api', 'get /api/v1', 'get /apis', 'get /apis/{group}', 'get /apis/{group}/{version}',
  // A SelfSubjectReview tells the caller who it is, nothing more.
  'post /apis/authentication.k8s.io/v1/selfsubjectreviews',
  'get /openapi/v2', 'get /openapi/v3', 'get /openapi/v3/api/{version}', 'get /openapi/v3/apis/{group}/{version}',
];

export const matrix: Row[] = [
  ...kindRows.flatMap(rowsOfKind),
  {
    route: 'post /api/v1/namespaces/{namespace}/serviceaccounts/{name}/token', aim: 'serviceaccount', own: 201,
    body: () => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } }),
  },
  {
    route: `post ${applyPath}`, aim: 'role', own: 200, query: 'fieldManager=tenancy-matrix',
    body: (t) => ({ apiVersion: 'v1', kind: 'List', items: [role(t.ns!, t.name)] }),
  },
  {
    // Aimed at bolt, the namespace is applied into bolt's tenant: an existing name is not acme's to patch, a
    // missing one is not acme's to create there. Both are refused; which refusal tells whether the name is taken.
    route: `post ${applyPath}`, aim: 'namespace', own: 200, query: 'fieldManager=tenancy-matrix',
    namesAreGlobal: 'an owner may create namespaces, so applying a missing name is a create, refused for another tenant',
    body: (t) => ({ apiVersion: 'v1', kind: 'List', items: [{ ...tenantNamespace(t.name, t.name.startsWith('acme') ? 'acme' : 'bolt'), metadata: { name: t.name, labels: { 'tenancy.warden.dev/tenant': t.name.startsWith('acme') ? 'acme' : 'bolt', touched: 'yes' } } }] }),
  },
  { route: 'post /apis/authorization.k8s.io/v1/subjectaccessreviews', aim: 'role', own: 403, body: (t) => review('SubjectAccessReview', { user: 'bob', groups: ['bolt-team'], resourceAttributes: attrs(t) }) },
  {
    route: 'post /apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews', aim: 'role', own: 201,
    body: (t) => review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: attrs(t) }, 'authorization.k8s.io', { namespace: t.ns }),
  },
  { route: 'post /apis/authorization.k8s.io/v1/selfsubjectaccessreviews', aim: 'role', own: 201, ownCheck: allowedTrue, other: denied, body: (t) => review('SelfSubjectAccessReview', { resourceAttributes: attrs(t) }) },
  {
    route: 'post /apis/authorization.k8s.io/v1/selfsubjectaccessreviews', aim: 'namespace', own: 201, ownCheck: allowedTrue, other: denied,
    body: (t) => review('SelfSubjectAccessReview', { resourceAttributes: attrs({ ns: t.name, name: t.name }, 'namespaces', 'delete') }),
  },
  { route: 'post /apis/authorization.k8s.io/v1/selfsubjectrulesreviews', aim: 'role', own: 201, ownCheck: rulesOnRoles, other: nothingThere, body: (t) => review('SelfSubjectRulesReview', { namespace: t.ns }) },
  {
    route: 'post /apis/authorization.warden.dev/v1/subjectaccessreviewbatches', aim: 'role', own: 403,
    body: (t) => review('SubjectAccessReviewBatch', { reviews: [{ user: 'bob', resourceAttributes: attrs(t) }] }, 'authorization.warden.dev'),
  },
  { route: 'post /apis/authorization.warden.dev/v1/subjectrulesreviews', aim: 'role', own: 403, body: (t) => review('SubjectRulesReview', { user: 'bob', groups: ['bolt-team'], namespace: t.ns }, 'authorization.warden.dev') },
  { route: 'post /apis/authorization.warden.dev/v1/resourceaccessreviews', aim: 'role', own: 403, body: (t) => review('ResourceAccessReview', { resourceAttributes: attrs(t) }, 'authorization.warden.dev') },
  {
    route: 'post /apis/authorization.warden.dev/v1/rbacchangereviews', aim: 'role', own: 403,
    body: (t) => review('RbacChangeReview', { delete: [{ kind: 'Role', namespace: t.ns, name: t.name }] }, 'authorization.warden.dev'),
  },
  // No default role grants riskreviews; with it, a review of another tenant's namespace is 403 (test/api/risk-review.test.ts).
  { route: 'post /apis/authorization.warden.dev/v1/riskreviews', aim: 'role', own: 403, body: (t) => review('RiskReview', { namespace: t.ns }, 'authorization.warden.dev') },
  // Like a SubjectAccessReview: a tenant owner may not ask it (it names bindings).
  { route: 'post /apis/authorization.warden.dev/v1/subjectaccessexplanations', aim: 'role', own: 403, body: (t) => review('SubjectAccessExplanation', { user: 'alice', resourceAttributes: attrs(t) }, 'authorization.warden.dev') },
  { route: 'post /webhooks/authorization', aim: 'role', own: 403, body: (t) => review('SubjectAccessReview', { user: 'alice', resourceAttributes: attrs(t) }) },
  // A tenant owner may not ask who is behind a token: it could learn other tenants' users that way.
  { route: 'post /apis/authentication.k8s.io/v1/tokenreviews', aim: 'token', own: 403, body: () => review('TokenReview', { token: 'wdn_unknown' }, 'authentication.k8s.io') },
  { route: 'post /webhooks/authentication', aim: 'token', own: 403, body: () => review('TokenReview', { token: 'wdn_unknown' }, 'authentication.k8s.io') },
  {
    route: 'post /webhooks/admission', aim: 'quota', own: 403,
    body: (t) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', operation: 'DELETE', namespace: t.ns, name: t.name, kind: { group: '', version: 'v1', kind: 'ResourceQuota' }, resource: { group: '', version: 'v1', resource: 'resourcequotas' }, userInfo: { username: 'alice' } } }),
  },
  {
    route: 'post /webhooks/admission/mutate', aim: 'namespace', own: 403,
    body: (t) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', operation: 'CREATE', name: t.name, kind: { group: '', version: 'v1', kind: 'Namespace' }, resource: { group: '', version: 'v1', resource: 'namespaces' }, userInfo: { username: 'alice' }, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: t.name } } } }),
  },
  {
    route: 'post /apis/networking.warden.dev/v1/trafficreviews', aim: 'policy', own: 403,
    body: (t) => review('TrafficReview', { source: { namespace: 'acme-web', labels: {} }, destination: { namespace: t.ns, labels: {} }, port: 80 }, 'networking.warden.dev'),
  },
  {
    route: 'post /apis/networking.warden.dev/v1/reachabilityreviews', aim: 'policy', own: 403,
    body: (t) => review('ReachabilityReview', { endpoints: [{ namespace: 'acme-web', labels: {} }, { namespace: t.ns, labels: {} }], port: 80 }, 'networking.warden.dev'),
  },
  { route: 'get /apis/audit.warden.dev/v1/decisions', aim: 'role', own: 403 },
  { route: 'get /apis/audit.warden.dev/v1/changes', aim: 'role', own: 403 },
  { route: 'get /metrics', aim: 'role', own: 403 },
];

/** `get /x/{name}` -> method and path with the target filled in. */
export function requestOf(row: Row, t: Target): { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: string } {
  const [method, template] = row.route.split(' ') as ['get' | 'post' | 'put' | 'patch' | 'delete', string];
  let path = template.replace('{namespace}', t.ns ?? '').replace('{name}', t.name);
  if (row.aim === 'namespace' && !template.includes('{name}') && template.includes('{namespace}')) path = template.replace('{namespace}', t.name);
  if (row.query) path += `?${row.query}`;
  return { method, path };
}
