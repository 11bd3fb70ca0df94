/**
 * Usage stays true under concurrency: a charge is checked and stored in one
 * transaction on locked quota rows, so requests racing for the last room of
 * a quota are admitted exactly as far as it goes, on one Warden or on two
 * sharing a PostgreSQL server.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, testServerUrl, type TestWarden } from '../support/warden.ts';
import { api, type Api } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { create, pod, quota, remove, responseOf, targets, usedOf, webhookPath } from './builders.ts';

const started: TestWarden[] = [];
after(async () => {
  for (const w of started.reverse()) await w.close();
});

async function warden(databaseUrl?: string): Promise<TestWarden> {
  const w = await startTestWarden(databaseUrl ? { databaseUrl } : {});
  started.push(w);
  return w;
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

test('two Warden processes on one PostgreSQL server admit exactly 37 between them', async (t) => {
  if (!testServerUrl) {
    t.skip('needs a PostgreSQL server (WARDEN_TEST_DATABASE_URL); PGlite is one process\'s database');
    return;
  }
  const first = await warden();
  const second = await warden(first.databaseUrl);
  const [a, b] = [api(first), api(second)];
  await roomFor37(a, 'replicas');
  const responses = await fire([a, b], pods('replicas', 200));
  assertExactly37(responses);
  const fromSecond = responses.filter((r, i) => r.allowed && i % 2 === 1).length;
  assert.ok(fromSecond > 0 && fromSecond < 37, `both replicas admitted some (second: ${fromSecond})`);
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
