/**
 * "Who can" (ResourceAccessReview): every subject allowed, each once with
 * the bindings that grant it, system:masters first, in a stable order, and
 * pages that add up to the whole answer; continue tokens belong to one
 * question at one revision.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, assertStatus, clusterRole, clusterRoleBinding, group, ok, paths, res, reviewOf, revisionOf, roleBinding, roleRef, rule,
  serviceAccountSubject, url, user, type Api, type Obj,
} from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    clusterRole('wc-pods', [rule(['get', 'list'], ['pods'])]),
    clusterRoleBinding('wc-crb-1', roleRef('ClusterRole', 'wc-pods'), [user('carol'), group('wc-devs')]),
    clusterRoleBinding('wc-crb-2', roleRef('ClusterRole', 'wc-pods'), [user('carol')]),
    roleBinding('wc-rb', roleRef('ClusterRole', 'wc-pods'), [user('dave'), serviceAccountSubject('robot'), user('carol')], { namespace: 'wc' }),
    roleBinding('wc-ghost', roleRef('Role', 'ghost'), [user('eve')], { namespace: 'wc' }),
    roleBinding('wc-elsewhere', roleRef('ClusterRole', 'wc-pods'), [user('frank')], { namespace: 'wc-other' }),
  ]);
});
after(async () => { await w?.close(); });

const question = (spec: Obj) => reviewOf('ResourceAccessReview', spec);
const podsInWc = question(res('get', 'pods', { namespace: 'wc' }));

async function whoCan(body: Obj, query = ''): Promise<{ body: Obj; revision: number }> {
  const r = await admin.post(`${paths.whoCan}${query}`, body);
  return { body: ok(r, 201), revision: revisionOf(r) };
}

/** `Kind name` or `Kind namespace/name`, and the bindings as `Kind name` / `Kind namespace/name`. */
const who = (s: Obj) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
const grants = (s: Obj) => s.grantedBy.map((b: Obj) => `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name}`);

describe('who can', () => {
  test('lists each subject once with every binding that grants it, system:masters first', async () => {
    const { body } = await whoCan(podsInWc);
    const subjects = body.status.subjects as Obj[];
    assert.deepEqual(subjects.map(who), ['Group system:masters', 'User carol', 'Group wc-devs', 'User dave', 'ServiceAccount robot']);
    assert.equal(subjects[0].privileged, 'system:masters');
    assert.deepEqual(grants(subjects[1]), ['ClusterRoleBinding wc-crb-1', 'ClusterRoleBinding wc-crb-2', 'RoleBinding wc/wc-rb']);
    assert.deepEqual(grants(subjects[2]), ['ClusterRoleBinding wc-crb-1']);
    assert.deepEqual(grants(subjects[3]), ['RoleBinding wc/wc-rb']);
    // A RoleBinding's service account without namespace is listed as the binding lists it.
    assert.equal(subjects[4].namespace, undefined);
    assert.deepEqual(subjects[4].grantedBy[0].roleRef, roleRef('ClusterRole', 'wc-pods'));
    assert.equal(body.status.complete, true);
    assert.match(body.status.evaluationError, /"ghost" not found/);
  });

  test('the order is stable from one ask to the next', async () => {
    const first = (await whoCan(podsInWc)).body.status.subjects;
    for (let i = 0; i < 3; i++) assert.deepEqual((await whoCan(podsInWc)).body.status.subjects, first);
  });

  test('requests without a namespace, and the literal namespace "*", count ClusterRoleBindings only', async () => {
    for (const spec of [res('list', 'pods'), res('list', 'pods', { namespace: '*' })]) {
      const { body } = await whoCan(question(spec));
      assert.deepEqual(body.status.subjects.map(who), ['Group system:masters', 'User carol', 'Group wc-devs']);
    }
  });

  test('non-resource URLs: who holds them through ClusterRoleBindings', async () => {
    const { body } = await whoCan(question(url('get', '/healthz')));
    assert.deepEqual(body.status.subjects.map(who), ['Group system:masters', 'Group system:authenticated', 'Group system:unauthenticated']);
    assert.deepEqual(grants(body.status.subjects[1]), ['ClusterRoleBinding system:discovery', 'ClusterRoleBinding system:public-info-viewer']);
    assert.deepEqual(grants(body.status.subjects[2]), ['ClusterRoleBinding system:public-info-viewer']);
  });

  test('a review needs exactly one attribute block', async () => {
    assertStatus(await admin.post(paths.whoCan, question({})), { code: 422, reason: 'Invalid', message: ['spec.resourceAttributes'] });
    assertStatus(await admin.post(paths.whoCan, question({ ...res('get', 'pods'), ...url('get', '/') })), { code: 422, reason: 'Invalid', message: ['spec.nonResourceAttributes'] });
  });
});

describe('who can, page by page', () => {
  test('pages of any size are disjoint and add up to the whole answer, in order', async () => {
    const all = (await whoCan(podsInWc)).body.status.subjects as Obj[];
    for (const limit of [1, 2, 3, 5, 6]) {
      const seen: Obj[] = [];
      let token: string | undefined;
      for (let page = 0; page < 10; page++) {
        const { body } = await whoCan(podsInWc, `?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
        assert.ok(body.status.subjects.length <= limit);
        seen.push(...body.status.subjects);
        token = body.metadata.continue;
        assert.equal(body.status.complete, token === undefined, `limit ${limit}, page ${page}: complete says whether more follow`);
        if (token) assert.equal(body.metadata.remainingItemCount, all.length - seen.length);
        else break;
      }
      assert.equal(token, undefined, `limit ${limit}: the last page has no continue token`);
      assert.deepEqual(seen, all, `limit ${limit}`);
    }
  });

  test('limit 0 means no limit, as in kube lists', async () => {
    const { body } = await whoCan(podsInWc, '?limit=0');
    assert.equal(body.status.subjects.length, 5);
    assert.equal(body.metadata.continue, undefined);
  });

  test('bad limits are 400', async () => {
    for (const limit of ['-1', 'abc', '1.5', '5001', '99999999999']) {
      assertStatus(await admin.post(`${paths.whoCan}?limit=${limit}`, podsInWc), { code: 400, reason: 'BadRequest', message: ['limit'] });
    }
  });

  test('a token from another question, or not a token at all, is 400', async () => {
    const { body } = await whoCan(podsInWc, '?limit=2');
    const token = encodeURIComponent(body.metadata.continue);
    for (const other of [question(res('list', 'pods', { namespace: 'wc' })), question(res('get', 'pods', { namespace: 'wc-other' })), question(url('get', '/healthz'))]) {
      assertStatus(await admin.post(`${paths.whoCan}?limit=2&continue=${token}`, other), { code: 400, reason: 'BadRequest', message: ['invalid continue token', 'different question'] });
    }
    for (const junk of ['x', 'eyJ2IjoxfQ', '%00', 'a'.repeat(5000)]) {
      assertStatus(await admin.post(`${paths.whoCan}?limit=2&continue=${junk}`, podsInWc), { code: 400, reason: 'BadRequest', message: ['invalid continue token'] });
    }
  });

  test('a token issued before a write is 410 Expired; a fresh question starts over', async () => {
    const first = await whoCan(podsInWc, '?limit=2');
    const token = encodeURIComponent(first.body.metadata.continue);
    const written = await applyAll(admin, [clusterRole('wc-unrelated', [rule(['get'], ['secrets'])])]);
    assert.ok(written > first.revision);
    const expired = assertStatus(await admin.post(`${paths.whoCan}?limit=2&continue=${token}`, podsInWc), { code: 410, reason: 'Expired', message: ['continue'] });
    assert.equal(expired.code, 410);
    const again = await whoCan(podsInWc, '?limit=2');
    assert.equal(again.revision, written);
    assert.deepEqual(again.body.status.subjects, first.body.status.subjects);
  });
});
