/**
 * Usage stays true under concurrency: a charge is stored only if every quota
 * it was decided on is still as it was read, checked under the write lock
 * every write takes, so requests racing for the last room of a quota are
 * admitted exactly as far as it goes, on one Warden or on two sharing a
 * PostgreSQL server; and a charge decided on rows that another write has
 * since changed is decided again on the new ones.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, testServerUrl, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { chargeByLocking } from '../../prisma/store/quota-charge.ts';
import type { Obj } from '../api/builders.ts';
import { admit, create, pod, quota, remove, responseOf, targets, usedOf, webhookPath } from './builders.ts';

const started: TestWarden[] = [];
after(async () => {
  for (const w of started.reverse()) await w.close();
});

async function warden(databaseUrl?: string): Promise<TestWarden> {
  const w = await startTestWarden(databaseUrl ? { databaseUrl } : {});
  started.push(w);
  return w;
}

/** Clients of two Warden processes on one PostgreSQL server; skips `t` (undefined) without a server. */
async function twoReplicas(t: TestContext): Promise<[Api, Api] | undefined> {
  if (!testServerUrl) {
    t.skip('needs a PostgreSQL server (WARDEN_TEST_DATABASE_URL); PGlite is one process\'s database');
    return undefined;
  }
  const first = await warden();
  const second = await warden(first.databaseUrl);
  return [api(first), api(second)];
}

/** Posts every review at once, spread over the given clients in turn; resolves to each response. */
async function fire(clients: Api[], reviews: Obj[]): Promise<Obj[]> {
  const replies = await Promise.all(reviews.map((r, i) => clients[i % clients.length].post(webhookPath, r)));
  return replies.map((res, i) => responseOf(res, reviews[i].request.uid));
}

/** A quota with room for exactly 37 pods of 100m: hard 10 CPUs, 6300m already used. */
async function roomFor37(a: Api, namespace: string): Promise<void> {
  await quota(a, namespace, 'compute', { 'requests.cpu': '10' }, { 'requests.cpu': '6300m' });
}

const pods = (namespace: string, n: number) =>
  Array.from({ length: n }, (_, i) => create(targets.pod, pod(namespace, `p${i}`, { cpu: '100m' })));

function assertExactly37(responses: Obj[]): void {
  const admitted = responses.filter((r) => r.allowed);
  assert.equal(admitted.length, 37, 'exactly the room of the quota is admitted');
  for (const r of responses.filter((x) => !x.allowed)) {
    assert.equal(r.status.code, 403);
    assert.match(r.status.message, /is forbidden: exceeded quota: compute, requested: requests\.cpu=100m, used: requests\.cpu=10, limited: requests\.cpu=10$/);
  }
}

test('two hundred concurrent CREATEs at a quota with room for 37 admit exactly 37 and fill it exactly', async () => {
  const w = await warden();
  const a = api(w);
  await roomFor37(a, 'race');
  assertExactly37(await fire([a], pods('race', 200)));
  assert.deepEqual(await usedOf(a, 'race', 'compute'), { 'requests.cpu': '10' });
});

test('by the locking way alone, the fallback of a charge whose rows keep changing, two hundred CREATEs still admit exactly 37', async () => {
  const w = await warden();
  chargeByLocking(w.warden.deps.db.prisma);
  const a = api(w);
  await roomFor37(a, 'locking');
  assertExactly37(await fire([a], pods('locking', 200)));
  assert.deepEqual(await usedOf(a, 'locking', 'compute'), { 'requests.cpu': '10' });
});

test('by the locking way alone, two Warden processes on one PostgreSQL server admit exactly 37 between them', async (t) => {
  const replicas = await twoReplicas(t);
  if (!replicas) return;
  for (const w of started.slice(-2)) chargeByLocking(w.warden.deps.db.prisma); // the two replicas just started
  const [a, b] = replicas;
  await roomFor37(a, 'locking-replicas');
  assertExactly37(await fire([a, b], pods('locking-replicas', 200)));
  assert.deepEqual(await usedOf(b, 'locking-replicas', 'compute'), { 'requests.cpu': '10' });
});

test('by the locking way alone, concurrent CREATEs across a tenant\'s namespaces fill its quota exactly and charge each namespace its share', async () => {
  const w = await warden();
  chargeByLocking(w.warden.deps.db.prisma);
  const a = api(w);
  ok(await a.post('/apis/tenancy.warden.dev/v1/tenants', {
    apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 'lockers' },
    spec: { owners: [{ kind: 'User', name: 'alice' }], resourceQuota: { hard: { pods: '5' } } },
  }), 201);
  for (const ns of ['lockers-a', 'lockers-b']) {
    ok(await a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'tenancy.warden.dev/tenant': 'lockers' } } }), 201);
    await quota(a, ns, 'room', { pods: '100' });
  }
  const reviews = Array.from({ length: 40 }, (_, i) => create(targets.pod, pod(i % 2 ? 'lockers-a' : 'lockers-b', `l${i}`, { cpu: '100m' })));
  const responses = await fire([a], reviews);
  assert.equal(responses.filter((r) => r.allowed).length, 5, 'exactly the room of the tenant quota is admitted');
  for (const r of responses.filter((x) => !x.allowed)) assert.match(r.status.message, /exceeded tenant quota: lockers, requested: pods=1, used: pods=5, limited: pods=5$/);
  assert.equal(ok(await a.get('/apis/tenancy.warden.dev/v1/tenants/lockers')).status.used.pods, '5');
  const inA = responses.filter((r, i) => r.allowed && i % 2 === 1).length;
  const podsUsed = async (ns: string) => Number((await usedOf(a, ns, 'room')).pods ?? '0');
  assert.equal(await podsUsed('lockers-a'), inA);
  assert.equal(await podsUsed('lockers-b'), 5 - inA);
});

test('two Warden processes on one PostgreSQL server admit exactly 37 between them', async (t) => {
  const replicas = await twoReplicas(t);
  if (!replicas) return;
  const [a, b] = replicas;
  await roomFor37(a, 'replicas');
  const responses = await fire([a, b], pods('replicas', 200));
  assertExactly37(responses);
  // Which replica wins more of the race depends on timing: one may take all 37.
  t.diagnostic(`admitted through the second replica: ${responses.filter((r, i) => r.allowed && i % 2 === 1).length}`);
  assert.deepEqual(await usedOf(b, 'replicas', 'compute'), { 'requests.cpu': '10' });
});

test('concurrent charges and releases leave usage at what the admitted and not yet deleted objects hold', async () => {
  const w = await warden();
  const a = api(w);
  await quota(a, 'churn', 'compute', { 'requests.cpu': '100', pods: '100' });
  const objects = Array.from({ length: 40 }, (_, i) => pod('churn', `c${i}`, { cpu: '250m' }));
  await fire([a], objects.slice(0, 20).map((o) => create(targets.pod, o)));
  const mixed = [
    ...objects.slice(0, 20).map((o) => remove(targets.pod, o)),
    ...objects.slice(20).map((o) => create(targets.pod, o)),
  ];
  const responses = await fire([a], mixed);
  assert.ok(responses.every((r) => r.allowed));
  assert.deepEqual(await usedOf(a, 'churn', 'compute'), { pods: '20', 'requests.cpu': '5' });
});

const quotaPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/resourcequotas/${name}`;

test('a charge is decided again when its quota changed since it was read: usage replaced through the status subresource', async () => {
  const w = await warden();
  const a = api(w);
  await quota(a, 'resync', 'compute', { 'requests.cpu': '10' });
  assert.equal((await admit(a, create(targets.pod, pod('resync', 'p1', { cpu: '1' })))).allowed, true);
  assert.deepEqual(await usedOf(a, 'resync', 'compute'), { 'requests.cpu': '1' });
  // A sync job replaces usage wholesale; the next charge must add to that, not to what the first charge left.
  const current = (await a.get(quotaPath('resync', 'compute'))).body;
  assert.equal((await a.put(`${quotaPath('resync', 'compute')}/status`, { ...current, status: { used: { 'requests.cpu': '8' } } })).status, 200);
  assert.equal((await admit(a, create(targets.pod, pod('resync', 'p2', { cpu: '1500m' })))).allowed, true);
  assert.deepEqual(await usedOf(a, 'resync', 'compute'), { 'requests.cpu': '9500m' });
  const denied = await admit(a, create(targets.pod, pod('resync', 'p3', { cpu: '1' })));
  assert.equal(denied.allowed, false);
  assert.match(denied.status.message, /exceeded quota: compute, requested: requests\.cpu=1, used: requests\.cpu=9500m, limited: requests\.cpu=10$/);
});

test('a quota created, tightened or deleted after a charge holds the next one', async () => {
  const w = await warden();
  const a = api(w);
  await quota(a, 'reshape', 'compute', { 'requests.cpu': '10' });
  assert.equal((await admit(a, create(targets.pod, pod('reshape', 'p1', { cpu: '1' })))).allowed, true);

  // A second quota appears: the next pod counts against it too, and is denied by it.
  await quota(a, 'reshape', 'pods', { pods: '1' }, { pods: '1' });
  const byNew = await admit(a, create(targets.pod, pod('reshape', 'p2', { cpu: '1' })));
  assert.equal(byNew.allowed, false);
  assert.match(byNew.status.message, /exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1$/);
  assert.deepEqual(await usedOf(a, 'reshape', 'compute'), { 'requests.cpu': '1' }, 'a denied request charges nothing');
  assert.equal((await a.delete(quotaPath('reshape', 'pods'))).status, 200);

  // The first quota is tightened below what the pod needs.
  const compute = (await a.get(quotaPath('reshape', 'compute'))).body;
  assert.equal((await a.put(quotaPath('reshape', 'compute'), { ...compute, spec: { hard: { 'requests.cpu': '1500m' } } })).status, 200);
  const byTightened = await admit(a, create(targets.pod, pod('reshape', 'p3', { cpu: '1' })));
  assert.equal(byTightened.allowed, false);
  assert.match(byTightened.status.message, /exceeded quota: compute, requested: requests\.cpu=1, used: requests\.cpu=1, limited: requests\.cpu=1500m$/);

  // With the quota deleted, nothing holds the namespace.
  assert.equal((await a.delete(quotaPath('reshape', 'compute'))).status, 200);
  assert.equal((await admit(a, create(targets.pod, pod('reshape', 'p4', { cpu: '100' })))).allowed, true);
});

test('two Warden processes taking turns each charge on top of what the other charged', async (t) => {
  const replicas = await twoReplicas(t);
  if (!replicas) return;
  const [a, b] = replicas;
  await quota(a, 'turns', 'compute', { 'requests.cpu': '4' });
  for (let i = 0; i < 4; i++) {
    const replica = i % 2 ? b : a;
    assert.equal((await admit(replica, create(targets.pod, pod('turns', `p${i}`, { cpu: '1' })))).allowed, true, `pod ${i}`);
  }
  assert.deepEqual(await usedOf(a, 'turns', 'compute'), { 'requests.cpu': '4' });
  for (const replica of [a, b]) {
    const denied = await admit(replica, create(targets.pod, pod('turns', 'one-more', { cpu: '1' })));
    assert.equal(denied.allowed, false);
    assert.match(denied.status.message, /used: requests\.cpu=4, limited: requests\.cpu=4$/);
  }
  // Releases through either replica give back to the same usage.
  assert.equal((await admit(b, remove(targets.pod, pod('turns', 'p0', { cpu: '1' })))).allowed, true);
  assert.equal((await admit(a, remove(targets.pod, pod('turns', 'p1', { cpu: '1' })))).allowed, true);
  assert.deepEqual(await usedOf(b, 'turns', 'compute'), { 'requests.cpu': '2' });
});
