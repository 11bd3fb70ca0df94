/**
 * The identity reviews fail closed: a replica whose snapshot the database
 * has not confirmed within WARDEN_MAX_STALENESS answers a TokenReview of a
 * token it issued, through the API or the authentication webhook, with 503
 * and Retry-After, never `authenticated: true` from a snapshot that may
 * still hold a revoked token. WARDEN_ADMIN_TOKEN, configuration rather than
 * the snapshot, is still reviewed and still asks who it is. The refresh is
 * made to fail by hiding the change table, as test/security/fail-closed.test.ts does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api } from '../api/client.ts';
import { userWithToken } from '../iam/support.ts';

const maxStalenessMs = 1500;
let w: TestWarden;
let ivyToken: string;

const review = (token: string, apiVersion = 'authentication.k8s.io/v1') => ({ apiVersion, kind: 'TokenReview', spec: { token } });

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  w = await startTestWarden({ env: { WARDEN_MAX_STALENESS: `${maxStalenessMs}ms`, WARDEN_POLL_INTERVAL_MS: '200' } });
  // A busy machine may let the first confirmation come late: set up once the replica says it is ready.
  await until('the replica is ready', async () => (await w.http.get('/readyz')).status === 200);
  ivyToken = await userWithToken(api(w), 'ivy');
});
after(async () => { await w?.close(); });

test('a stale replica reviews no token it issued, and recovers by itself', async () => {
  const post = (path: string, body: object) => w.http.post(path).set('Authorization', w.auth).send(body);
  const fresh = await post('/apis/authentication.k8s.io/v1/tokenreviews', review(ivyToken));
  assert.equal(fresh.status, 201);
  assert.equal(fresh.body.status.authenticated, true);

  const prisma = w.warden.deps.db.prisma;
  await prisma.$executeRawUnsafe('ALTER TABLE change RENAME TO change_hidden');
  try {
    await until('the snapshot is stale', async () => (w.warden.deps.snapshots.health().ageMs ?? 0) > maxStalenessMs + 100);

    for (const [path, apiVersion] of [
      ['/apis/authentication.k8s.io/v1/tokenreviews', 'authentication.k8s.io/v1'],
      ['/webhooks/authentication', 'authentication.k8s.io/v1'],
      ['/webhooks/authentication', 'authentication.k8s.io/v1beta1'],
    ]) {
      for (const token of [ivyToken, 'wdn_unknown']) {
        const r = await post(path, review(token, apiVersion));
        assert.equal(r.status, 503, `${path} ${apiVersion}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.kind, 'Status');
        assert.equal(r.body.reason, 'ServiceUnavailable');
        assert.equal(r.headers['retry-after'], '1');
        assert.match(r.body.message, /last confirmed with the database/);
        assert.ok(!r.text.includes('"authenticated"'));
      }
    }

    const admin = await post('/apis/authentication.k8s.io/v1/tokenreviews', review(w.adminToken));
    assert.equal(admin.status, 201, 'WARDEN_ADMIN_TOKEN needs no snapshot');
    assert.equal(admin.body.status.user.username, 'warden:admin');
    const whoami = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', {});
    assert.equal(whoami.status, 201);
    assert.equal(whoami.body.status.userInfo.username, 'warden:admin');
    const asIvy = await w.http.post('/apis/authentication.k8s.io/v1/selfsubjectreviews').set('Authorization', `Bearer ${ivyToken}`).send({});
    assert.equal(asIvy.status, 503, 'a token the snapshot holds cannot be confirmed as still valid');
  } finally {
    await prisma.$executeRawUnsafe('ALTER TABLE change_hidden RENAME TO change');
  }

  await until('the replica recovers by itself', async () => (await w.http.get('/readyz')).status === 200);
  const again = await w.http.post('/webhooks/authentication').set('Authorization', w.auth).send(review(ivyToken));
  assert.equal(again.status, 200);
  assert.equal(again.body.status.authenticated, true);
});
