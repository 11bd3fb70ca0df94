/**
 * Discovery as kubectl reads it: /api, /api/v1, /apis, /apis/{group},
 * /apis/{group}/{version} and /version, in kube-apiserver's shapes, listing
 * exactly the verbs each resource serves.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { rbacGroup, rbacV1 } from './builders.ts';
import { api, assertStatus, ok, type Api } from './client.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

const crud = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const byName = (list: { name: string }[]) => Object.fromEntries(list.map((r) => [r.name, r]));

test('/api names the core version v1', async () => {
  const body = ok(await a.get('/api'));
  assert.equal(body.kind, 'APIVersions');
  assert.deepEqual(body.versions, ['v1']);
  assert.equal(body.serverAddressByClientCIDRs[0].clientCIDR, '0.0.0.0/0');
});

test('/api/v1 lists namespaces (no deletecollection) and serviceaccounts with their short names', async () => {
  const body = ok(await a.get('/api/v1'));
  assert.equal(body.kind, 'APIResourceList');
  assert.equal(body.groupVersion, 'v1');
  const resources = byName(body.resources);
  assert.deepEqual(resources.namespaces, {
    name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'],
  });
  assert.deepEqual(resources.serviceaccounts, {
    name: 'serviceaccounts', singularName: 'serviceaccount', namespaced: true, kind: 'ServiceAccount', verbs: crud, shortNames: ['sa'],
  });
});

test('/apis lists the RBAC group with v1 preferred, and every group in the same shape', async () => {
  const body = ok(await a.get('/apis'));
  assert.equal(body.kind, 'APIGroupList');
  assert.equal(body.apiVersion, 'v1');
  const groups = byName(body.groups);
  const rbacEntry = { kind: 'APIGroup', apiVersion: 'v1', name: rbacGroup, versions: [{ groupVersion: rbacV1, version: 'v1' }], preferredVersion: { groupVersion: rbacV1, version: 'v1' } };
  assert.deepEqual(groups[rbacGroup], rbacEntry);
  for (const g of body.groups) {
    assert.ok(g.versions.length > 0, `${g.name} has versions`);
    assert.deepEqual(g.preferredVersion, g.versions[0], `${g.name} prefers its first version`);
    assert.deepEqual(ok(await a.get(`/apis/${g.name}`)), g, `/apis/${g.name} answers its own entry`);
  }
});

test('/apis/rbac.authorization.k8s.io/v1 lists the four RBAC resources and their scopes', async () => {
  const body = ok(await a.get(`/apis/${rbacV1}`));
  assert.equal(body.kind, 'APIResourceList');
  assert.equal(body.groupVersion, rbacV1);
  const summary = body.resources.map((r: { name: string; singularName: string; namespaced: boolean; kind: string; verbs: string[] }) =>
    [r.name, r.singularName, r.namespaced, r.kind, r.verbs.join(',')].join(' '));
  assert.deepEqual(summary.sort(), [
    `clusterrolebindings clusterrolebinding false ClusterRoleBinding ${crud}`,
    `clusterroles clusterrole false ClusterRole ${crud}`,
    `rolebindings rolebinding true RoleBinding ${crud}`,
    `roles role true Role ${crud}`,
  ]);
});

test('an unknown group or version is 404 NotFound', async () => {
  assertStatus(await a.get('/apis/example.com'), { code: 404, reason: 'NotFound', message: ['"example.com" not found'] });
  assertStatus(await a.get(`/apis/${rbacGroup}/v2`), { code: 404, reason: 'NotFound', message: [`"${rbacGroup}/v2" not found`] });
});

test('/version answers kube\'s version.Info without a token', async () => {
  const body = ok(await w.http.get('/version'));
  assert.deepEqual(Object.keys(body).sort(), ['buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'goVersion', 'major', 'minor', 'platform']);
  assert.match(body.major, /^\d+$/);
  assert.match(body.minor, /^\d+$/);
  assert.ok(body.gitVersion.startsWith(`v${body.major}.${body.minor}.`), body.gitVersion);
});
