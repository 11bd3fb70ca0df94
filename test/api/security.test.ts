/**
 * Who may call: probes and /version are public; everything else needs a
 * bearer token (401 otherwise); impersonation acts as the impersonated
 * identity and records who did it; a user outside system:masters whom no
 * binding grants anything is refused with kube-apiserver's Forbidden message.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeBatch } from '../../prisma/store/write.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { clusterRole, namespace, rbacBase, role } from './builders.ts';
import { api, assertRefused, ok, type Api, type ExpectedStatus } from './client.ts';

let w: TestWarden;
let admin: Api;

/** Stores a bearer token for `user` (only its hash, as Warden does) and returns the secret once the snapshot knows it. */
async function issueToken(user: string, opts: { expiresAt?: Date } = {}): Promise<string> {
  const secret = `test-${randomBytes(16).toString('hex')}`;
  const object = {
    apiVersion: 'iam.warden.dev/v1', kind: 'Token',
    metadata: { name: `${user}-${randomBytes(3).toString('hex')}`, uid: randomUUID(), creationTimestamp: new Date().toISOString() },
    spec: { user, ...(opts.expiresAt ? { expirationTimestamp: opts.expiresAt.toISOString() } : {}) },
  };
  await writeBatch(w.warden.deps.db.prisma, [{ op: 'create', object, columns: { hash: createHash('sha256').update(secret).digest('hex') } }], 'test');
  await w.warden.deps.snapshots.refresh();
  return secret;
}

/** Actors recorded with the writes to one object, oldest first. */
async function actorsOf(kind: string, name: string): Promise<string[]> {
  const rows = await w.warden.deps.db.prisma.change.findMany({ where: { kind, name }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.actor);
}

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  ok(await admin.post('/api/v1/namespaces', namespace('sec')), 201);
});
after(async () => { await w?.close(); });

const unauthorized: ExpectedStatus = { code: 401, reason: 'Unauthorized', message: ['Unauthorized'] };

describe('public endpoints', () => {
  test('/livez, /readyz and /version answer 200 without a token', async () => {
    assert.deepEqual(ok(await w.http.get('/livez')), { status: 'ok' });
    const ready = ok(await w.http.get('/readyz'));
    assert.equal(ready.status, 'ok');
    assert.equal(typeof ready.revision, 'number');
    assert.match(ok(await w.http.get('/version')).gitVersion, /^v1\.\d+\.\d+/);
  });
});

describe('authentication', () => {
  test('no token is 401 Unauthorized on reads, writes and discovery, and writes nothing', async () => {
    const anonymous = api(w, null);
    await assertRefused(w, admin, () => anonymous.get('/api/v1/namespaces'), unauthorized);
    await assertRefused(w, admin, () => anonymous.get('/apis'), unauthorized);
    await assertRefused(w, admin, () => anonymous.post('/api/v1/namespaces', namespace('anonymous')), unauthorized);
    await assertRefused(w, admin, () => anonymous.post('/apis/warden.dev/v1/apply', namespace('anonymous')), unauthorized);
  });

  test('an unknown token, an expired token, or another scheme is 401', async () => {
    const expired = await issueToken('late', { expiresAt: new Date(Date.now() - 60_000) });
    await assertRefused(w, admin, () => api(w, 'not-a-token').get('/api/v1/namespaces'), unauthorized);
    await assertRefused(w, admin, () => api(w, expired).get('/apis'), unauthorized);
    await assertRefused(w, admin, () => w.http.get('/api/v1/namespaces').set('Authorization', `Basic ${Buffer.from('admin:admin').toString('base64')}`), unauthorized);
    await assertRefused(w, admin, () => w.http.get('/api/v1/namespaces').set('Authorization', 'Bearer'), unauthorized);
  });

  test('a write records the authenticated caller as its actor', async () => {
    ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('by-admin')), 201);
    assert.deepEqual(await actorsOf('ClusterRole', 'by-admin'), ['warden:admin']);
  });
});

describe('impersonation', () => {
  test('system:masters may impersonate; the request is authorized as the impersonated user', async () => {
    const asAlice = api(w, w.adminToken, { 'Impersonate-User': 'alice' });
    await assertRefused(w, admin, () => asAlice.post('/api/v1/namespaces', namespace('by-alice')), {
      code: 403, reason: 'Forbidden', message: ['namespaces is forbidden: User "alice" cannot create resource "namespaces" in API group "" at the cluster scope'],
    });
  });

  test('impersonating a user with groups acts as them, and the write records the caller and whom it impersonated', async () => {
    const asAlice = api(w, w.adminToken, { 'Impersonate-User': 'alice', 'Impersonate-Group': 'system:masters' });
    ok(await asAlice.post('/api/v1/namespaces', namespace('by-alice')), 201);
    ok(await asAlice.patch('/api/v1/namespaces/by-alice', { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json'));
    assert.deepEqual(await actorsOf('Namespace', 'by-alice'), ['warden:admin (as alice)', 'warden:admin (as alice)']);

    const asRobot = api(w, w.adminToken, { 'Impersonate-User': 'system:serviceaccount:sec:robot', 'Impersonate-Group': 'system:masters' });
    ok(await asRobot.post(`${rbacBase}/namespaces/sec/roles`, role('by-robot')), 201);
    assert.deepEqual(await actorsOf('Role', 'by-robot'), ['warden:admin (as system:serviceaccount:sec:robot)']);
  });

  test('impersonating groups without a user is 400', async () => {
    await assertRefused(w, admin, () => api(w, w.adminToken, { 'Impersonate-Group': 'system:masters' }).get('/api/v1/namespaces'),
      { code: 400, reason: 'BadRequest', message: ['requested impersonation of groups or uid without impersonating a user'] });
  });
});

describe('authorization of a user no binding grants anything', () => {
  let bobToken: string;
  let bob: Api;
  before(async () => {
    bobToken = await issueToken('bob');
    bob = api(w, bobToken);
  });

  const forbidden = (message: string): ExpectedStatus => ({ code: 403, reason: 'Forbidden', message: [message] });

  test('writes are 403 Forbidden in kube-apiserver\'s words, naming the user, verb, resource, group and scope, and write nothing', async () => {
    const status = await assertRefused(w, admin, () => bob.post(`${rbacBase}/namespaces/sec/roles`, role('by-bob')),
      forbidden('roles.rbac.authorization.k8s.io is forbidden: User "bob" cannot create resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "sec"'));
    assert.deepEqual(status.details, { group: 'rbac.authorization.k8s.io', kind: 'roles' });
    await assertRefused(w, admin, () => bob.delete('/api/v1/namespaces/sec'),
      forbidden('namespaces "sec" is forbidden: User "bob" cannot delete resource "namespaces" in API group "" in the namespace "sec"'));
    await assertRefused(w, admin, () => bob.patch(`${rbacBase}/clusterroles/by-admin`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json'),
      forbidden('clusterroles.rbac.authorization.k8s.io "by-admin" is forbidden: User "bob" cannot patch resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope'));
    await assertRefused(w, admin, () => bob.post('/apis/warden.dev/v1/apply', namespace('by-bob')), forbidden('User "bob" cannot create resource "apply" in API group "warden.dev"'));
  });

  test('reads are 403 too; discovery is open to any authenticated user', async () => {
    await assertRefused(w, admin, () => bob.get('/api/v1/namespaces'),
      forbidden('namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope'));
    await assertRefused(w, admin, () => bob.get(`${rbacBase}/namespaces/sec/roles/by-robot`),
      forbidden('roles.rbac.authorization.k8s.io "by-robot" is forbidden: User "bob" cannot get resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "sec"'));
    assert.equal(ok(await bob.get('/apis')).kind, 'APIGroupList');
    assert.equal(ok(await bob.get('/api/v1')).kind, 'APIResourceList');
  });

  test('impersonation is 403 for them, naming what they may not impersonate', async () => {
    await assertRefused(w, admin, () => api(w, bobToken, { 'Impersonate-User': 'warden:admin' }).get('/api/v1/namespaces'),
      forbidden('users "warden:admin" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope'));
    await assertRefused(w, admin, () => api(w, bobToken, { 'Impersonate-User': 'system:serviceaccount:sec:robot' }).post('/api/v1/namespaces', namespace('by-bob')),
      forbidden('serviceaccounts "robot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "sec"'));
  });
});
