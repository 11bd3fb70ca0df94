/**
 * What the tenancy suites share: builders for tenants and tenant objects,
 * clients acting as a tenant's owner (through impersonation with the admin
 * token), a two-tenant platform, and readers that capture a tenant's objects
 * through the admin so a suite can prove a refused call changed nothing.
 */
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import type { TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { group, rbacBase, rbacV1, roleRef, rule, tenantLabel, tenantsPath, user, type Obj } from '../api/builders.ts';

export { tenantLabel, tenantsPath };
export const ownersBinding = 'warden-tenant-owners';
export const managedLabel = 'tenancy.warden.dev/managed';
export const applyPath = '/apis/warden.dev/v1/apply';
export const rolesPath = (ns: string) => `${rbacBase}/namespaces/${ns}/roles`;
export const bindingsPath = (ns: string) => `${rbacBase}/namespaces/${ns}/rolebindings`;

export const tenant = (name: string, spec: Obj): Obj => ({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name }, spec });
export const tenantNamespace = (name: string, tenantName: string, labels: Record<string, string> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...labels, [tenantLabel]: tenantName } } });

export const role = (ns: string, name: string, rules: Obj[] = [rule(['get', 'list'], ['pods'])]): Obj =>
  ({ apiVersion: rbacV1, kind: 'Role', metadata: { name, namespace: ns }, rules });
export const roleBinding = (ns: string, name: string, ref: Obj, subjects: Obj[]): Obj =>
  ({ apiVersion: rbacV1, kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: ref, subjects });
export const quota = (ns: string, name: string, hard: Record<string, string> = { pods: '10' }): Obj =>
  ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec: { hard } });
export const networkPolicy = (ns: string, name: string): Obj =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
export const serviceAccount = (ns: string, name: string): Obj => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });

/** Requests as `name` in `groups`, impersonated with the admin token. */
export function as(w: TestWarden, name: string, groups: string[] = []): Api {
  const headers: Record<string, string> = { 'Impersonate-User': name };
  if (groups.length) headers['Impersonate-Group'] = groups.join(',');
  return api(w, w.adminToken, headers);
}

/** Applies objects in one transaction as `who`; fails the test unless it is 200. */
export async function applyAll(who: Api, objects: Obj[]): Promise<Obj> {
  return ok(await who.post(`${applyPath}?fieldManager=tenancy-tests`, { apiVersion: 'v1', kind: 'List', items: objects }));
}

/** One tenant's share of the platform: namespaces, and in each a Role, a RoleBinding, a quota, a policy and a service account. */
export interface TenantFixture {
  name: string;
  namespaces: string[];
  objects: Obj[];
}

export function tenantFixture(name: string, owners: Obj[], namespaces: string[], namespaceLimit = 5): TenantFixture {
  const objects: Obj[] = [tenant(name, { owners, namespaceLimit })];
  for (const ns of namespaces) {
    objects.push(
      tenantNamespace(ns, name),
      role(ns, `${name}-reader`),
      roleBinding(ns, `${name}-read-binding`, roleRef('Role', `${name}-reader`), [group(`${name}-devs`)]),
      quota(ns, `${name}-quota`),
      networkPolicy(ns, `${name}-deny-all`),
      serviceAccount(ns, `${name}-robot`),
    );
  }
  return { name, namespaces, objects };
}

/** Tenant acme is owned by User alice, tenant bolt by Group bolt-team (bob is in it). */
export const platform = {
  acme: tenantFixture('acme', [user('alice')], ['acme-web', 'acme-jobs'], 20),
  bolt: tenantFixture('bolt', [group('bolt-team')], ['bolt-payments', 'bolt-ledger']),
  /** Cluster-scoped objects no tenant owns. */
  cluster: [
    { apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: 'platform-reader' }, rules: [rule(['get'], ['nodes'])] },
    { apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: { name: 'platform-readers' }, roleRef: roleRef('ClusterRole', 'platform-reader'), subjects: [group('sre')] },
    { apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name: 'bob' }, spec: { groups: ['bolt-team'] } },
    {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    },
  ] as Obj[],
};

/** Stores the two-tenant platform (tenants first: a tenant namespace needs its tenant) and a token for bob. */
export async function seedPlatform(admin: Api): Promise<void> {
  await applyAll(admin, [platform.acme.objects[0], platform.bolt.objects[0]]);
  await applyAll(admin, [...platform.acme.objects.slice(1), ...platform.bolt.objects.slice(1), ...platform.cluster]);
  ok(await admin.post('/apis/iam.warden.dev/v1/tokens', { apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name: 'bob-laptop' }, spec: { user: 'bob' } }), 201);
}

const namespacedCollections = [
  '/api/v1/namespaces/{ns}/serviceaccounts',
  '/api/v1/namespaces/{ns}/resourcequotas',
  '/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies',
  `${rbacBase}/namespaces/{ns}/roles`,
  `${rbacBase}/namespaces/{ns}/rolebindings`,
];
/** The cluster-scoped objects of the platform no tenant owns. */
const clusterObjects = [
  `${rbacBase}/clusterroles/platform-reader`, `${rbacBase}/clusterrolebindings/platform-readers`,
  '/apis/iam.warden.dev/v1/users/bob', '/apis/iam.warden.dev/v1/tokens/bob-laptop',
  '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
];

/** Without `managedFields` (kept elsewhere) but with every resourceVersion, so any write shows. */
const strip = (o: Obj) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } });

/**
 * Everything a tenant has, read by the admin: its Tenant, its namespaces and
 * every object in them, and the platform's cluster-scoped objects, with
 * resourceVersions.
 */
export async function stateOf(admin: Api, tenantName: string): Promise<Obj> {
  const namespaces = (ok(await admin.get(`/api/v1/namespaces?labelSelector=${encodeURIComponent(`${tenantLabel}=${tenantName}`)}`)).items as Obj[]);
  const out: Obj = { tenant: strip(ok(await admin.get(`${tenantsPath}/${tenantName}`))), namespaces: namespaces.map(strip) };
  for (const ns of namespaces) {
    for (const c of namespacedCollections) {
      const path = c.replace('{ns}', ns.metadata.name);
      out[path] = (ok(await admin.get(path)).items as Obj[]).map(strip);
    }
  }
  for (const path of clusterObjects) out[path] = strip(ok(await admin.get(path)));
  return out;
}

/** Status code and body of an answer with the given names replaced by placeholders (longest first), to compare answers about different names. */
export function normalized(res: Pick<Response, 'status' | 'body'>, names: Record<string, string | undefined>): { status: number; body: unknown } {
  let text = JSON.stringify(res.body ?? null);
  const pairs = Object.entries(names).filter((p): p is [string, string] => !!p[1]).sort((x, y) => y[1].length - x[1].length);
  for (const [placeholder, name] of pairs) text = text.split(name).join(`<${placeholder}>`);
  return { status: res.status, body: JSON.parse(text) };
}

/** Polls `check` until it returns true or `ms` pass; asserts it did. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what}: not within ${ms} ms`);
}

/** alice owns acme; bob (in bolt-team) owns bolt. */
export const alice = (w: TestWarden) => as(w, 'alice');
export const bob = (w: TestWarden) => as(w, 'bob', ['bolt-team']);
