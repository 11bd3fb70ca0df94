/**
 * Bulk apply (`POST /apis/warden.dev/v1/apply`): a v1 List or a YAML stream
 * is applied in one transaction at one resourceVersion, namespaces first, or
 * not at all: one bad object, whatever stage it fails at, leaves the store as
 * it was.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  clusterRole, group, names, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount, toYaml, type Obj,
} from './builders.ts';
import { api, applyPatch, assertServing, assertStatus, ok, revision, yaml, type Api } from './client.ts';

const applyPath = '/apis/warden.dev/v1/apply';
let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

const inNs = (o: Obj, ns: string) => ({ ...o, metadata: { ...o.metadata, namespace: ns } });
const list = (...items: Obj[]) => ({ apiVersion: 'v1', kind: 'List', items });
const rvs = (result: Obj) => (result.items as Obj[]).map((o) => o.metadata.resourceVersion);

/** The objects of one namespace-scoped stream, the namespace itself last to show it is created first. */
const stream = (ns: string, verbs = ['get']) => [
  inNs(role('reader', [rule(verbs)]), ns),
  inNs(roleBinding('readers', roleRef('Role', 'reader'), [group('devs')]), ns),
  inNs(serviceAccount('robot'), ns),
  clusterRole(`${ns}-viewer`, [rule(['list'])]),
  namespace(ns),
];

test('a v1 List applies every object at one resourceVersion, creating the namespace its objects live in', async () => {
  const res = await a.post(`${applyPath}?fieldManager=bulk-tool`, list(...stream('bulk-a')));
  const result = ok(res);
  assert.equal(result.kind, 'ApplyResult');
  const rv = result.metadata.resourceVersion;
  assert.equal(res.headers['x-warden-revision'], rv);
  assert.deepEqual(names(result), ['bulk-a/reader', 'bulk-a/readers', 'bulk-a/robot', 'bulk-a-viewer', 'bulk-a'], 'items answer in request order');
  assert.deepEqual(rvs(result), Array(5).fill(rv));
  const stored = ok(await a.get(`${rbacBase}/namespaces/bulk-a/roles/reader`));
  assert.equal(stored.metadata.resourceVersion, rv);
  assert.deepEqual(stored.metadata.managedFields.map((e: Obj) => `${e.manager}/${e.operation}`), ['bulk-tool/Apply']);
  assert.equal(ok(await a.get('/api/v1/namespaces/bulk-a/serviceaccounts/robot')).metadata.resourceVersion, rv);
});

test('a multi-document YAML stream applies the same way; applying it again writes nothing; a change writes only that object', async () => {
  const first = ok(await a.post(`${applyPath}?fieldManager=bulk-tool`, toYaml(...stream('bulk-b')), yaml));
  const rv = first.metadata.resourceVersion;
  assert.deepEqual(rvs(first), Array(5).fill(rv));

  const again = ok(await a.post(`${applyPath}?fieldManager=bulk-tool`, toYaml(...stream('bulk-b')), yaml));
  assert.equal(again.metadata.resourceVersion, rv, 'nothing changed, so no new revision');
  assert.deepEqual(rvs(again), Array(5).fill(rv));

  const changed = ok(await a.post(`${applyPath}?fieldManager=bulk-tool`, toYaml(...stream('bulk-b', ['get', 'watch'])), yaml));
  const next = changed.metadata.resourceVersion;
  assert.ok(Number(next) > Number(rv));
  assert.deepEqual(rvs(changed), [next, rv, rv, rv, rv], 'only the changed role takes the new revision');
  assert.deepEqual(changed.items[0].rules, [rule(['get', 'watch'])]);
});

test('one invalid object rolls the whole request back: 422 naming items[i], nothing half-written', async () => {
  const before_ = await revision(a);
  const bad = inNs(role('broken', [{ apiGroups: [''], resources: ['pods'] }]), 'bulk-c');
  const res = await a.post(`${applyPath}?fieldManager=bulk-tool`, list(namespace('bulk-c'), inNs(role('fine'), 'bulk-c'), bad));
  const status = assertStatus(res, {
    code: 422, reason: 'Invalid',
    message: ['items[2]: Role.rbac.authorization.k8s.io "broken" is invalid: rules[0].verbs: Required value'],
  });
  assert.deepEqual(status.details.causes.map((c: Obj) => c.field), ['items[2].rules[0].verbs']);
  assert.equal(await revision(a), before_);
  assertStatus(await a.get('/api/v1/namespaces/bulk-c'), { code: 404, reason: 'NotFound' });
  assert.deepEqual(names(ok(await a.get(`${rbacBase}/roles`))).filter((n) => n.startsWith('bulk-c/')), []);
  await assertServing(w);
});

test('an object failing when stored (its namespace is missing) rolls back the objects before it', async () => {
  const before_ = await revision(a);
  const res = await a.post(applyPath, toYaml(clusterRole('orphan-viewer'), inNs(serviceAccount('robot'), 'nowhere')), yaml);
  assertStatus(res, { code: 404, reason: 'NotFound', message: ['namespaces "nowhere" not found'] });
  assert.equal(await revision(a), before_);
  assertStatus(await a.get(`${rbacBase}/clusterroles/orphan-viewer`), { code: 404, reason: 'NotFound' });
});

test('a conflict with another field manager on one object rolls back the rest', async () => {
  ok(await a.patch(`${rbacBase}/clusterroles/contested?fieldManager=owner-tool`, toYaml(clusterRole('contested', [rule(['get'])])), applyPatch), 201);
  const before_ = await revision(a);
  const res = await a.post(`${applyPath}?fieldManager=bulk-tool`, list(clusterRole('bystander'), clusterRole('contested', [rule(['delete'])])));
  assertStatus(res, { code: 409, reason: 'Conflict', message: ['items[1]: Apply failed with 1 conflict: conflict with "owner-tool"'] });
  assert.equal(await revision(a), before_);
  assertStatus(await a.get(`${rbacBase}/clusterroles/bystander`), { code: 404, reason: 'NotFound' });

  const forced = ok(await a.post(`${applyPath}?fieldManager=bulk-tool&force=true`, list(clusterRole('bystander'), clusterRole('contested', [rule(['delete'])]))));
  assert.deepEqual(forced.items[1].rules, [rule(['delete'])]);
});

test('bad items are 400 naming items[i]: an unserved kind, a missing name or namespace, the same object twice', async () => {
  const before_ = await revision(a);
  const cases: [Obj[], string][] = [
    [[namespace('bulk-d'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'bulk-d' } }], 'items[1]: no resource of kind "Pod" in "v1" is served here'],
    [[namespace('bulk-d'), { apiVersion: 'rbac.authorization.k8s.io/v2', kind: 'Role', metadata: { name: 'r', namespace: 'bulk-d' } }], 'items[1]: no resource of kind "Role" in "rbac.authorization.k8s.io/v2"'],
    [[clusterRole('x'), { apiVersion: 'v1', kind: 'Namespace', metadata: {} }], 'items[1]: metadata.name: Required value'],
    [[role('r')], 'items[0]: metadata.namespace: Required value: Role is namespaced'],
    [[namespace('bulk-d'), namespace('bulk-d')], 'items[1]: Namespace//bulk-d appears more than once'],
  ];
  for (const [items, message] of cases) assertStatus(await a.post(applyPath, list(...items)), { code: 400, reason: 'BadRequest', message: [message] });
  assertStatus(await a.post(applyPath, list()), { code: 400, reason: 'BadRequest', message: ['no objects to apply'] });
  assert.equal(await revision(a), before_);
});

test('dryRun=All answers the result and writes nothing', async () => {
  const before_ = await revision(a);
  const result = ok(await a.post(`${applyPath}?dryRun=All`, toYaml(...stream('bulk-dry')), yaml));
  assert.deepEqual(names(result), ['bulk-dry/reader', 'bulk-dry/readers', 'bulk-dry/robot', 'bulk-dry-viewer', 'bulk-dry']);
  assert.equal(await revision(a), before_);
  assertStatus(await a.get('/api/v1/namespaces/bulk-dry'), { code: 404, reason: 'NotFound' });
});
