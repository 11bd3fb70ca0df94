/**
 * Reviews and revisions: every review names the revision it was decided at
 * (X-Warden-Revision); after a write, the same replica's next review sees
 * it; X-Warden-Min-Revision waits for a revision, answers 503 with
 * Retry-After when it does not come, and refuses a malformed value.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, assertStatus, clusterRole, clusterRoleBinding, namespace, ok, paths, rbacBase, res, revision, revisionOf, reviewOf, roleBinding, roleRef, rule,
  url, user, type Api, type Obj,
} from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [namespace('rev'), clusterRole('rev-reader', [rule(['get'], ['pods'])])]);
});
after(async () => { await w?.close(); });

const sarBody = (u: string, spec: Obj = res('get', 'pods', { namespace: 'rev' })) => reviewOf('SubjectAccessReview', { user: u, ...spec });

describe('X-Warden-Revision', () => {
  test('every review answer carries the revision in force', async () => {
    const current = await revision(admin);
    const asks: [string, Obj][] = [
      [paths.sar, sarBody('a')],
      [paths.lsar('rev'), reviewOf('LocalSubjectAccessReview', { user: 'a', ...res('get', 'pods', { namespace: 'rev' }) })],
      [paths.ssar, reviewOf('SelfSubjectAccessReview', url('get', '/healthz'))],
      [paths.ssrr, reviewOf('SelfSubjectRulesReview', { namespace: 'rev' })],
      [paths.batch, reviewOf('SubjectAccessReviewBatch', { reviews: [{ user: 'a', ...res('get', 'pods') }] })],
      [paths.srr, reviewOf('SubjectRulesReview', { user: 'a', namespace: 'rev' })],
      [paths.whoCan, reviewOf('ResourceAccessReview', res('get', 'pods'))],
      [paths.whatIf, reviewOf('RBACChangeReview', { apply: [clusterRole('rev-x')] })],
      [paths.webhook, sarBody('a')],
    ];
    for (const [path, body] of asks) {
      const r = await admin.post(path, body);
      assert.ok(r.status === 200 || r.status === 201, `${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(revisionOf(r), current, path);
    }
  });

  test('after a write, the next review on the same replica sees it, at the write\'s revision or later', async () => {
    const before = await admin.post(paths.sar, sarBody('writer-sees'));
    assert.equal(ok(before, 201).status.allowed, false);
    const write = await admin.post(`${rbacBase}/namespaces/rev/rolebindings`, roleBinding('rev-rb', roleRef('ClusterRole', 'rev-reader'), [user('writer-sees')], { namespace: 'rev' }));
    const written = Number(ok(write, 201).metadata.resourceVersion);
    assert.ok(written > revisionOf(before));
    const afterWrite = await admin.post(paths.sar, sarBody('writer-sees'));
    assert.equal(ok(afterWrite, 201).status.allowed, true);
    assert.ok(revisionOf(afterWrite) >= written);
    // And a delete is seen as promptly.
    ok(await admin.delete(`${rbacBase}/namespaces/rev/rolebindings/rev-rb`));
    assert.equal(ok(await admin.post(paths.sar, sarBody('writer-sees')), 201).status.allowed, false);
  });
});

describe('X-Warden-Min-Revision', () => {
  const withMin = (value: string) => api(w, w.adminToken, { 'X-Warden-Min-Revision': value });

  test('a revision already reached is answered at once', async () => {
    const current = await revision(admin);
    for (const value of [String(current), '0', '1']) {
      const r = await withMin(value).post(paths.sar, sarBody('a'));
      assert.equal(revisionOf(r), current);
    }
  });

  test('a revision beyond the current one is 503 ServiceUnavailable with Retry-After, after a short wait', async () => {
    const current = await revision(admin);
    const started = Date.now();
    const r = await withMin(String(current + 1000)).post(paths.sar, sarBody('a'));
    const status = assertStatus(r, { code: 503, reason: 'ServiceUnavailable', message: [`revision ${current}`, `revision ${current + 1000}`] });
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(status.details.retryAfterSeconds, 1);
    assert.deepEqual(status.details.causes, [{ reason: 'MinRevisionNotReached', message: `revision ${current + 1000} not reached` }], 'says it refused before running, so a write may be sent again');
    assert.ok(Date.now() - started >= 1500, 'the replica waits before giving up');
  });

  test('a revision that a write reaches while the review waits is answered at it', async () => {
    const current = await revision(admin);
    const pending = withMin(String(current + 1)).post(paths.sar, sarBody('late-reader'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const written = await applyAll(admin, [clusterRoleBinding('rev-late', roleRef('ClusterRole', 'rev-reader'), [user('late-reader')])]);
    const r = await pending;
    assert.equal(ok(r, 201).status.allowed, true);
    assert.ok(revisionOf(r) >= written);
  });

  test('a malformed value is 400 naming the header', async () => {
    for (const value of ['abc', '-1', '1.5', '1e3', '99999999999999999999']) {
      assertStatus(await withMin(value).post(paths.sar, sarBody('a')), { code: 400, reason: 'BadRequest', message: ['X-Warden-Min-Revision: Invalid value'] });
    }
  });
});
