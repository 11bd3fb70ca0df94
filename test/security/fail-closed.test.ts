/**
 * A replica that cannot confirm its snapshot with the database within
 * WARDEN_MAX_STALENESS fails closed: SARs and reviews answer 503 with
 * Retry-After, the authorization webhook answers no opinion with an
 * evaluation error, the admission webhook refuses, and bearer tokens it
 * issued are not honoured; WARDEN_ADMIN_TOKEN (configuration, not the
 * snapshot) still authenticates, as system:masters needs no snapshot. It
 * recovers by itself once a refresh succeeds. The refresh is made to fail
 * by hiding the change table, on PGlite and Postgres alike (the chaos tests
 * cut a real connection).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { clusterRoleBinding, roleRef } from '../api/builders.ts';
import { userWithToken } from '../iam/support.ts';
import { create as admissionCreate, pod, targets, webhookPath } from '../quota/builders.ts';

const maxStalenessMs = 1500;
let w: TestWarden;
let admin: Api;
let aliceToken: string;

const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: { verb: 'delete', resource: 'secrets', namespace: 'default' } } };

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
  admin = api(w);
  aliceToken = await userWithToken(admin, 'alice');
  ok(await admin.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', clusterRoleBinding('alice-admin', roleRef('ClusterRole', 'cluster-admin'), [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }])), 201);
});
after(async () => { await w.close(); });

test('a snapshot the database has not confirmed within WARDEN_MAX_STALENESS serves no decision and no issued token', async () => {
  const fresh = await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth).send(sar);
  assert.equal(fresh.status, 201);
  assert.equal(fresh.body.status.allowed, true, 'alice is cluster-admin while the snapshot is fresh');
  assert.equal((await w.http.get('/api/v1/namespaces').set('Authorization', `Bearer ${aliceToken}`)).status, 200);

  const prisma = w.warden.deps.db.prisma;
  await prisma.$executeRawUnsafe('ALTER TABLE change RENAME TO change_hidden');
  try {
    await until('the snapshot is stale', async () => (w.warden.deps.snapshots.health().ageMs ?? 0) > maxStalenessMs + 100);

    const review = await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth).send(sar);
    assert.equal(review.status, 503, JSON.stringify(review.body));
    assert.equal(review.body.reason, 'ServiceUnavailable');
    assert.equal(review.headers['retry-after'], '1');
    assert.match(review.body.message, /last confirmed with the database \d+ ms ago, longer than the 1500 ms/);

    for (const path of ['/apis/authorization.warden.dev/v1/resourceaccessreviews', '/apis/authorization.warden.dev/v1/subjectrulesreviews']) {
      const body = path.endsWith('resourceaccessreviews')
        ? { apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } }
        : { apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectRulesReview', spec: { user: 'alice', namespace: 'default' } };
      const r = await w.http.post(path).set('Authorization', w.auth).send(body);
      assert.equal(r.status, 503, `${path}: ${JSON.stringify(r.body)}`);
    }

    const webhook = await w.http.post('/webhooks/authorization').set('Authorization', w.auth).send(sar);
    assert.equal(webhook.status, 200);
    assert.equal(webhook.body.status.allowed, false);
    assert.equal(webhook.body.status.denied, false, 'no opinion: the API server asks its next authorizer');
    assert.match(webhook.body.status.evaluationError, /last confirmed with the database/);

    const admission = await w.http.post(webhookPath).set('Authorization', w.auth).send(admissionCreate(targets.pod, pod('default', 'web', { cpu: '1' }), { uid: 'stale-1' }));
    assert.equal(admission.status, 200);
    assert.equal(admission.body.response.uid, 'stale-1');
    assert.equal(admission.body.response.allowed, false);
    assert.equal(admission.body.response.status.code, 503);
    assert.equal(admission.body.response.status.reason, 'ServiceUnavailable');

    const asAlice = await w.http.get('/api/v1/namespaces').set('Authorization', `Bearer ${aliceToken}`);
    assert.equal(asAlice.status, 503, 'a token the snapshot holds cannot be confirmed as still valid');
    assert.equal(asAlice.headers['retry-after'], '1');
    const impersonating = await w.http.get('/api/v1/namespaces').set('Authorization', w.auth).set('Impersonate-User', 'alice');
    assert.equal(impersonating.status, 503, 'impersonating alice needs an authorization from the snapshot too');

    assert.equal((await w.http.get('/api/v1/namespaces').set('Authorization', w.auth)).status, 200, 'WARDEN_ADMIN_TOKEN still authenticates and system:masters is still authorized');
    const ready = await w.http.get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.database, 'failed');

    const metrics = (await w.http.get('/metrics').set('Authorization', w.auth)).text;
    for (const where of ['authentication', 'authorization', 'review', 'authorization_webhook', 'admission_webhook']) {
      const m = new RegExp(`warden_fail_closed_total\\{where="${where}"\\} (\\d+)`).exec(metrics);
      assert.ok(m && Number(m[1]) >= 1, `fail-closed answers counted at ${where}: ${m?.[0]}`);
    }
  } finally {
    await prisma.$executeRawUnsafe('ALTER TABLE change_hidden RENAME TO change');
  }

  await until('the replica recovers by itself', async () => (await w.http.get('/readyz')).status === 200);
  const again = await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth).send(sar);
  assert.equal(again.status, 201);
  assert.equal(again.body.status.allowed, true);
  assert.equal((await w.http.get('/api/v1/namespaces').set('Authorization', `Bearer ${aliceToken}`)).status, 200);
});

test('WARDEN_MAX_STALENESS must be longer than the poll that confirms a quiet snapshot', async () => {
  const { loadConfig } = await import('../../api/config.ts');
  assert.throws(() => loadConfig({ WARDEN_MAX_STALENESS: '1s', WARDEN_POLL_INTERVAL_MS: '1000' }), /WARDEN_MAX_STALENESS \(1s\) must be longer than WARDEN_POLL_INTERVAL_MS/);
  assert.throws(() => loadConfig({ WARDEN_MAX_STALENESS: 'soon' }), /WARDEN_MAX_STALENESS: must be a duration/);
  assert.equal(loadConfig({}).maxStalenessMs, 5000);
  assert.equal(loadConfig({ WARDEN_MAX_STALENESS: '1500ms', WARDEN_POLL_INTERVAL_MS: '200' }).maxStalenessMs, 1500);
});
