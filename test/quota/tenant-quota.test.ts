/**
 * A Tenant's quota bounds the sum over all of its namespaces: a request
 * must fit the namespace's quotas and the tenant's, is charged to both in
 * one transaction, and a DELETE gives back to both.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { admit, create, pod, quota, remove, targets, usedOf } from './builders.ts';

let w: TestWarden;
let a: Api;

const tenantUsed = async () => ok(await a.get('/apis/tenancy.warden.dev/v1/tenants/shop')).status.used;

before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/apis/tenancy.warden.dev/v1/tenants', {
    apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 'shop' },
    spec: { owners: [{ kind: 'User', name: 'alice' }], resourceQuota: { hard: { pods: '4', 'requests.cpu': '2' } } },
  }), 201);
  for (const ns of ['shop-a', 'shop-b']) {
    ok(await a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'tenancy.warden.dev/tenant': 'shop' } } }), 201);
  }
  await quota(a, 'shop-a', 'room', { pods: '10' });
  ok(await a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } }), 201);
});
after(async () => { await w.close(); });

test('requests in any namespace of the tenant count against its quota, and past it they are denied in kube\'s words', async () => {
  for (const [ns, name] of [['shop-a', 'p1'], ['shop-a', 'p2'], ['shop-b', 'p3'], ['shop-b', 'p4']]) {
    const r = await admit(a, create(targets.pod, pod(ns, name, { cpu: '100m' })));
    assert.equal(r.allowed, true, `${ns}/${name}: ${JSON.stringify(r.status)}`);
  }
  assert.deepEqual(await tenantUsed(), { pods: '4', 'requests.cpu': '400m' });
  const denied = await admit(a, create(targets.pod, pod('shop-b', 'p5', { cpu: '100m' })));
  assert.equal(denied.allowed, false);
  assert.equal(denied.status.code, 403);
  assert.equal(denied.status.message, 'pods "p5" is forbidden: exceeded tenant quota: shop, requested: pods=1, used: pods=4, limited: pods=4');
  assert.deepEqual(await usedOf(a, 'shop-a', 'room'), { pods: '2' }, 'the namespace quota was charged only for admitted pods');
});

test('a DELETE gives the charge back to the tenant, and a namespace outside it is not held to its quota', async () => {
  const r = await admit(a, remove(targets.pod, pod('shop-a', 'p1', { cpu: '100m' })));
  assert.equal(r.allowed, true);
  assert.deepEqual(await tenantUsed(), { pods: '3', 'requests.cpu': '300m' });
  assert.deepEqual(await usedOf(a, 'shop-a', 'room'), { pods: '1' });
  for (let i = 0; i < 6; i++) assert.equal((await admit(a, create(targets.pod, pod('elsewhere', `x${i}`, { cpu: '1' })))).allowed, true);
  assert.deepEqual(await tenantUsed(), { pods: '3', 'requests.cpu': '300m' });
});

test('a dry run is decided against the tenant\'s quota and charges nothing', async () => {
  const r = await admit(a, create(targets.pod, pod('shop-b', 'big', { cpu: '5' }), { dryRun: true }));
  assert.equal(r.allowed, false);
  assert.match(r.status.message, /exceeded tenant quota: shop, requested: requests.cpu=5/);
  assert.deepEqual(await tenantUsed(), { pods: '3', 'requests.cpu': '300m' });
});

test('concurrent requests across the tenant\'s namespaces never push its usage past its quota', async () => {
  const before = await tenantUsed();
  assert.equal(before.pods, '3');
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    admit(a, create(targets.pod, pod(i % 2 ? 'shop-a' : 'shop-b', `race-${i}`, { cpu: '100m' })))));
  assert.equal(answers.filter((r) => r.allowed).length, 1, 'room for exactly one more pod');
  assert.equal((await tenantUsed()).pods, '4');
});
