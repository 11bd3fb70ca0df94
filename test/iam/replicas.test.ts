/**
 * Tokens across replicas on one PostgreSQL: a token issued through one
 * replica works on the other; revoking it, deleting its service account, or
 * letting it expire stops it on both. Revocation reaches the other replica
 * with the snapshot refresh its NOTIFY triggers; a caller that names the
 * revocation's revision (X-Warden-Min-Revision) is refused at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { backend, startTestWarden, type TestWarden } from '../support/warden.ts';
import { startWardenProcess, type WardenProcess } from '../support/process.ts';
import { namespace, serviceAccount } from '../api/builders.ts';
import { api, ok, type Api } from '../api/client.ts';
import { issue, secondsFromNow, tokenRequest, tokenRequestPath, tokensPath, userObject, usersPath } from './support.ts';

const needsServer = backend === 'postgres' ? false : 'two processes share one database only on a PostgreSQL server (set WARDEN_TEST_DATABASE_URL)';

let a: TestWarden;
let b: WardenProcess;
let admin: Api;

/** The status of GET /api/v1/serviceaccounts on replica B with `secret`, optionally at a minimum revision. */
async function statusOnB(secret: string, minRevision?: string): Promise<number> {
  const headers: Record<string, string> = { Authorization: `Bearer ${secret}` };
  if (minRevision) headers['X-Warden-Min-Revision'] = minRevision;
  return (await fetch(`${b.url}/api/v1/serviceaccounts`, { headers })).status;
}

async function statusOnA(secret: string): Promise<number> {
  return (await a.http.get('/api/v1/serviceaccounts').set('Authorization', `Bearer ${secret}`)).status;
}

/** Milliseconds until `cond` holds; fails after `timeoutMs`. */
async function until(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await cond()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

before(async () => {
  if (needsServer) return;
  a = await startTestWarden();
  admin = api(a);
  b = await startWardenProcess({ DATABASE_URL: a.databaseUrl!, WARDEN_ADMIN_TOKEN: a.adminToken, WARDEN_POLL_INTERVAL_MS: '1000' });
  ok(await admin.post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'sa-lister' },
    rules: [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['list'] }],
  }), 201);
  ok(await admin.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'sa-lister' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sa-lister' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }],
  }), 201);
  ok(await admin.post(usersPath, userObject('rita')), 201);
});

after(async () => {
  if (b) assert.equal(await b.stop(), 0, 'the second replica shuts down cleanly');
  await a?.close();
});

test('a token revoked through one replica is refused by the other', { skip: needsServer }, async () => {
  const issued = await issue(admin, 'rita-a', { user: 'rita' });
  const secret = issued.status.token as string;
  assert.equal(await statusOnB(secret, issued.metadata.resourceVersion), 200, 'the other replica knows the token once at its revision');
  const revoked = await admin.delete(`${tokensPath}/rita-a`);
  ok(revoked);
  const revision = revoked.headers['x-warden-revision'];
  assert.match(revision, /^\d+$/);
  assert.equal(await statusOnB(secret, revision), 401, 'refused at the revocation\'s revision');
  assert.equal(await statusOnA(secret), 401);
});

test('revocation reaches the other replica without any hint, by its NOTIFY-driven refresh', { skip: needsServer }, async (t) => {
  const issued = await issue(admin, 'rita-b', { user: 'rita' });
  const secret = issued.status.token as string;
  await until(async () => (await statusOnB(secret)) === 200);
  ok(await admin.delete(`${tokensPath}/rita-b`));
  const ms = await until(async () => (await statusOnB(secret)) === 401, 900);
  assert.ok(ms < 900, `refused after ${ms} ms, before the 1 s poll could have run`);
  t.diagnostic(`refused by the other replica ${ms} ms after the revocation answered`);
});

test('an expired token is refused by both replicas, with no write in between', { skip: needsServer }, async () => {
  const expiry = secondsFromNow(2);
  const secret = (await issue(admin, 'rita-c', { user: 'rita', expirationTimestamp: expiry })).status.token as string;
  await until(async () => (await statusOnB(secret)) === 200);
  assert.equal(await statusOnA(secret), 200);
  await new Promise((r) => setTimeout(r, Date.parse(expiry) - Date.now() + 50));
  assert.equal(await statusOnB(secret), 401);
  assert.equal(await statusOnA(secret), 401);
});

test('deleting a service account through one replica revokes its tokens on the other', { skip: needsServer }, async () => {
  ok(await admin.post('/api/v1/namespaces', namespace('fleet')), 201);
  ok(await admin.post('/api/v1/namespaces/fleet/serviceaccounts', serviceAccount('agent')), 201);
  const secret = ok(await admin.post(tokenRequestPath('fleet', 'agent'), tokenRequest()), 201).status.token as string;
  await until(async () => (await statusOnB(secret)) === 200);
  ok(await admin.delete('/api/v1/namespaces/fleet/serviceaccounts/agent'));
  await until(async () => (await statusOnB(secret)) === 401);
  assert.equal(await statusOnA(secret), 401);
});
