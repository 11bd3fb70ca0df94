/**
 * A failed snapshot refresh keeps the last good snapshot serving decisions
 * (within WARDEN_MAX_STALENESS) and shows in /readyz, which names the failed
 * check but never the error, until a refresh succeeds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
before(async () => { w = await startTestWarden(); });
after(async () => { await w.close(); });

test('when refreshing fails, decisions keep coming from the last good snapshot and /readyz says why', async () => {
  const apply = await w.http.post('/apis/warden.dev/v1/apply').set('Authorization', w.auth).send({ apiVersion: 'v1', kind: 'List', items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dan', namespace: 'ops' }, subjects: [{ kind: 'User', name: 'dan' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } },
  ] });
  assert.equal(apply.status, 200);
  const prisma = w.warden.deps.db.prisma;
  await prisma.$executeRawUnsafe('ALTER TABLE change RENAME TO change_hidden');
  try {
    await w.warden.deps.snapshots.refresh();
    const ready = await w.http.get('/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body.checks, { ping: 'ok', snapshot: 'ok', database: 'failed', shutdown: 'ok' });
    assert.doesNotMatch(JSON.stringify(ready.body), /change|relation|exist|error/i, 'the unauthenticated probe says nothing of the failure');
    const verbose = await w.http.get('/readyz?verbose');
    assert.equal(verbose.status, 503);
    assert.equal(verbose.text, '[+]ping ok\n[+]snapshot ok\n[-]database failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n');
    const review = await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth)
      .send({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'dan', resourceAttributes: { namespace: 'ops', verb: 'list', resource: 'pods' } } });
    assert.equal(review.status, 201);
    assert.equal(review.body.status.allowed, true, 'the last good snapshot still answers');
    assert.equal(Number(review.headers['x-warden-revision']), Number(apply.body.metadata.resourceVersion));
  } finally {
    await prisma.$executeRawUnsafe('ALTER TABLE change_hidden RENAME TO change');
  }
  await w.warden.deps.snapshots.refresh();
  assert.equal((await w.http.get('/readyz')).status, 200);
});
