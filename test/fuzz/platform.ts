/**
 * The platform the fuzzer runs against, created through the API as the
 * admin: tenants `a` and `b` (owned by Users a-owner and b-owner), their
 * namespaces (a-dev and a-ops, b-dev), and in each a Role, a RoleBinding, a
 * ResourceQuota, a NetworkPolicy and a ServiceAccount; a ClusterRole and
 * ClusterRoleBinding no tenant owns; the member `fz-member`, bound to
 * ClusterRole `edit` in a-dev only, with a token; a token of b-owner; a
 * revoked token and a token whose user was deleted (bad tokens that once
 * worked); and scratch objects (`fz-obj` of every kind, in namespace
 * fz-scratch) that only the admin's destructive requests aim at.
 *
 * Promises: `seed` fails loudly unless every object is created; `digest`
 * lists every kind as the admin and returns, per kind, the count and the
 * names with resourceVersions, so that any create, delete or update shows.
 */
import { send, type RawResponse } from './raw-http.ts';

export type Obj = Record<string, any>;

const rbacGroup = 'rbac.authorization.k8s.io';
const rbacV1 = `${rbacGroup}/v1`;
export const tenantLabel = 'tenancy.warden.dev/tenant';
export const scratchLabel = 'fuzz.warden.dev/scratch';

export const names = {
  memberUser: 'fz-member',
  memberNamespace: 'a-dev',
  tenants: ['a', 'b'],
  namespaces: ['a-dev', 'a-ops', 'b-dev'],
  scratchNamespace: 'fz-scratch',
  scratch: 'fz-obj',
  scratchTenant: 'fz-tenant',
  missing: 'fz-missing',
  users: ['a-owner', 'b-owner', 'fz-member', 'fz-obj'],
  tokens: ['fz-member-token', 'b-owner-token', 'fz-obj'],
};

/** Fixture object names by resource (plural), for path parameters. */
export const objectNames: Record<string, string[]> = {
  namespaces: [...names.namespaces, names.scratchNamespace],
  serviceaccounts: ['a-robot', 'b-robot', names.scratch],
  roles: ['a-reader', 'b-reader', names.scratch],
  rolebindings: ['a-read-binding', 'b-read-binding', 'fz-member-edit', 'warden-tenant-owners', names.scratch],
  clusterroles: ['fz-platform-reader', 'edit', 'view', 'admin', 'cluster-admin', names.scratch],
  clusterrolebindings: ['fz-platform-readers', 'cluster-admin', 'system:discovery', names.scratch],
  resourcequotas: ['a-quota', 'b-quota', names.scratch],
  networkpolicies: ['a-deny-all', 'b-deny-all', names.scratch],
  users: names.users,
  tokens: names.tokens,
  tenants: [...names.tenants, names.scratchTenant],
};

/** Every list path, for digests: one per kind. */
export const kindLists: Record<string, string> = {
  namespaces: '/api/v1/namespaces',
  serviceaccounts: '/api/v1/serviceaccounts',
  resourcequotas: '/api/v1/resourcequotas',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
  roles: `/apis/${rbacV1}/roles`,
  rolebindings: `/apis/${rbacV1}/rolebindings`,
  clusterroles: `/apis/${rbacV1}/clusterroles`,
  clusterrolebindings: `/apis/${rbacV1}/clusterrolebindings`,
  users: '/apis/iam.warden.dev/v1/users',
  tokens: '/apis/iam.warden.dev/v1/tokens',
  tenants: '/apis/tenancy.warden.dev/v1/tenants',
};

const subject = (kind: 'User' | 'Group', name: string) => ({ kind, apiGroup: rbacGroup, name });
const roleRef = (kind: 'Role' | 'ClusterRole', name: string) => ({ apiGroup: rbacGroup, kind, name });

function namespaced(ns: string, prefix: string): [string, Obj][] {
  return [
    [`/apis/${rbacV1}/namespaces/${ns}/roles`, { apiVersion: rbacV1, kind: 'Role', metadata: { name: `${prefix}-reader`, namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }],
    [`/apis/${rbacV1}/namespaces/${ns}/rolebindings`, { apiVersion: rbacV1, kind: 'RoleBinding', metadata: { name: `${prefix}-read-binding`, namespace: ns }, roleRef: roleRef('Role', `${prefix}-reader`), subjects: [subject('Group', `${prefix}-devs`)] }],
    [`/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: `${prefix}-quota`, namespace: ns }, spec: { hard: { pods: '10', 'requests.cpu': '2' } } }],
    [`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `${prefix}-deny-all`, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }],
    [`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `${prefix}-robot`, namespace: ns } }],
  ];
}

const user = (name: string, groups: string[] = []) => ['/apis/iam.warden.dev/v1/users', { apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name }, spec: { groups } }] as [string, Obj];
const token = (name: string, userName: string) => ['/apis/iam.warden.dev/v1/tokens', { apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name }, spec: { user: userName, description: 'fuzz' } }] as [string, Obj];
const tenant = (name: string, owner: string, limit = 10) => ['/apis/tenancy.warden.dev/v1/tenants', { apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name }, spec: { owners: [subject('User', owner)], namespaceLimit: limit } }] as [string, Obj];
const namespace = (name: string, tenantName?: string) => ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: tenantName ? { [tenantLabel]: tenantName } : { [scratchLabel]: 'true' } } }] as [string, Obj];

/** The scratch objects: the only existing targets of the admin's destructive requests; created again when gone. */
export function scratchObjects(): [string, Obj][] {
  const ns = names.scratchNamespace;
  const n = names.scratch;
  const meta = { name: n, namespace: ns, labels: { [scratchLabel]: 'true' } };
  return [
    namespace(ns),
    [`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta }],
    [`/apis/${rbacV1}/namespaces/${ns}/roles`, { apiVersion: rbacV1, kind: 'Role', metadata: meta, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] }],
    [`/apis/${rbacV1}/namespaces/${ns}/rolebindings`, { apiVersion: rbacV1, kind: 'RoleBinding', metadata: meta, roleRef: roleRef('Role', n), subjects: [subject('Group', 'fz-nobody')] }],
    [`/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta, spec: { hard: { pods: '5' } } }],
    [`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: { podSelector: {}, policyTypes: ['Egress'] } }],
    [`/apis/${rbacV1}/clusterroles`, { apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: n, labels: { [scratchLabel]: 'true' } }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] }],
    [`/apis/${rbacV1}/clusterrolebindings`, { apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: { name: n, labels: { [scratchLabel]: 'true' } }, roleRef: roleRef('ClusterRole', n), subjects: [subject('Group', 'fz-nobody')] }],
    user(n, ['fz-nobody']),
    token(n, n),
    tenant(names.scratchTenant, 'fz-nobody', 2),
  ];
}

export interface Secrets {
  admin: string;
  member: string;
  /** Tokens that name no live token: random, mangled, revoked, of a deleted user. */
  bad: string[];
}

/** A client for the set-up: JSON requests as the admin, over the same raw sender the fuzzer uses. */
export class AdminClient {
  constructor(readonly base: URL, readonly token: string) {}

  request(method: string, path: string, body?: unknown): Promise<RawResponse> {
    const headers: [string, string][] = [['Authorization', `Bearer ${this.token}`]];
    if (body !== undefined) headers.push(['Content-Type', 'application/json']);
    return send(this.base, { method, path, headers, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) }, { timeoutMs: 60_000 });
  }

  async create(path: string, obj: Obj, accept: number[] = [201]): Promise<Obj> {
    const r = await this.request('POST', path, obj);
    if (!accept.includes(r.status)) throw new Error(`set-up: POST ${path} ${obj.kind} ${obj.metadata?.name}: ${r.status} ${r.error ?? ''} ${r.body.slice(0, 500)}`);
    return r.body ? JSON.parse(r.body) : {};
  }
}

/** Creates the platform; returns the member's and the bad tokens. */
export async function seed(admin: AdminClient): Promise<Secrets> {
  await admin.create(...tenant('a', 'a-owner'));
  await admin.create(...tenant('b', 'b-owner'));
  for (const [path, obj] of [
    namespace('a-dev', 'a'), namespace('a-ops', 'a'), namespace('b-dev', 'b'),
    ...namespaced('a-dev', 'a'), ...namespaced('a-ops', 'a'), ...namespaced('b-dev', 'b'),
    [`/apis/${rbacV1}/clusterroles`, { apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: 'fz-platform-reader' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] }],
    [`/apis/${rbacV1}/clusterrolebindings`, { apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: { name: 'fz-platform-readers' }, roleRef: roleRef('ClusterRole', 'fz-platform-reader'), subjects: [subject('Group', 'sre')] }],
    user('a-owner'), user('b-owner', ['b-admins']), user(names.memberUser), user('fz-gone'),
    [`/apis/${rbacV1}/namespaces/a-dev/rolebindings`, { apiVersion: rbacV1, kind: 'RoleBinding', metadata: { name: 'fz-member-edit', namespace: 'a-dev' }, roleRef: roleRef('ClusterRole', 'edit'), subjects: [subject('User', names.memberUser)] }],
    ...scratchObjects(),
  ] as [string, Obj][]) await admin.create(path, obj);
  const member = (await admin.create(...token('fz-member-token', names.memberUser))).status.token as string;
  await admin.create(...token('b-owner-token', 'b-owner'));
  const revoked = (await admin.create(...token('fz-revoked', names.memberUser))).status.token as string;
  const gone = (await admin.create(...token('fz-gone-token', 'fz-gone'))).status.token as string;
  for (const path of ['/apis/iam.warden.dev/v1/tokens/fz-revoked', '/apis/iam.warden.dev/v1/users/fz-gone']) {
    const r = await admin.request('DELETE', path);
    if (r.status !== 200) throw new Error(`set-up: DELETE ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  }
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const bad: Record<(typeof badTokenLabels)[number], string> = {
    'garbage': 'garbage',
    'revoked member token': revoked,
    'token of a deleted user': gone,
    'member token, last char changed': flip(member, member.length - 1),
    'member token minus its last char': member.slice(0, -1),
    'member token + "x"': `${member}x`,
    'admin token, one char changed': flip(admin.token, 3),
    'admin token + "x"': `${admin.token}x`,
    'wdn_ and 43 A': `wdn_${'A'.repeat(43)}`,
    'wdn_': 'wdn_',
    'Bearer': 'Bearer',
    '..': '..',
    '%00': '%00',
    '8000 t': 't'.repeat(8000),
  };
  return { admin: admin.token, member, bad: badTokenLabels.map((l) => bad[l]) };
}

/** What each bad token is, in the order of `Secrets.bad`. */
export const badTokenLabels = [
  'garbage', 'revoked member token', 'token of a deleted user', 'member token, last char changed', 'member token minus its last char',
  'member token + "x"', 'admin token, one char changed', 'admin token + "x"', 'wdn_ and 43 A', 'wdn_', 'Bearer', '..', '%00', '8000 t',
] as const;

/** Creates whichever scratch objects are gone (an existing one answers 409 and is left as it is). */
export async function replenish(admin: AdminClient): Promise<void> {
  for (const [path, obj] of scratchObjects()) {
    const r = await admin.request('POST', path, obj);
    if (r.status !== 201 && r.status !== 409 && r.status !== 403) throw new Error(`replenish: POST ${path}: ${r.status} ${r.error ?? ''} ${r.body.slice(0, 300)}`);
  }
}

export type Digest = Record<string, { count: number; items: string[] }>;

/** Every kind listed as the admin: counts, and `namespace/name@resourceVersion` of every object. */
export async function digest(admin: AdminClient): Promise<Digest> {
  const out: Digest = {};
  for (const [kind, path] of Object.entries(kindLists)) {
    const r = await admin.request('GET', path);
    if (r.status !== 200) throw new Error(`digest: GET ${path}: ${r.status} ${r.error ?? ''} ${r.body.slice(0, 300)}`);
    const items = (JSON.parse(r.body).items ?? []) as Obj[];
    out[kind] = {
      count: items.length,
      items: items.map((o) => `${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort(),
    };
  }
  return out;
}

/** What differs between two digests, as lines; empty when equal. */
export function diffDigests(before: Digest, after: Digest): string[] {
  const out: string[] = [];
  for (const kind of Object.keys(kindLists)) {
    const b = new Set(before[kind]?.items ?? []);
    const a = new Set(after[kind]?.items ?? []);
    const gone = [...b].filter((x) => !a.has(x));
    const added = [...a].filter((x) => !b.has(x));
    if (gone.length || added.length) {
      out.push(`${kind}: ${before[kind]?.count} -> ${after[kind]?.count}${gone.length ? `; before only: ${gone.join(', ')}` : ''}${added.length ? `; after only: ${added.join(', ')}` : ''}`);
    }
  }
  return out;
}
