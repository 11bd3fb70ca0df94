/**
 * What the OpenAPI fuzzer found, each pinned through HTTP: JSON patches that
 * move the document into itself, a status patch that drops metadata, NUL
 * characters in paths and filters (which PostgreSQL cannot hold), unpaired
 * surrogates and NULs in bodies, the min-revision header before
 * authentication, and a YAML body nested past the parser's stack. Each is a
 * 4xx (or the answer kube-apiserver gives), never a 500, and the process
 * keeps serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, jsonPatch, mergePatch, ok, yaml, type Api } from '../api/client.ts';
import { userWithToken } from '../iam/support.ts';

let w: TestWarden;
let admin: Api;
let memberToken: string;
const quotaPath = '/api/v1/namespaces/hostile/resourcequotas/q';

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  ok(await admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hostile' } }), 201);
  ok(await admin.post('/api/v1/namespaces/hostile/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '1' } } }), 201);
  memberToken = await userWithToken(admin, 'member');
});
after(async () => { await w?.close(); });

describe('patches', () => {
  test('a JSON patch moving the whole document into itself is 422, on the main resource and the status', async () => {
    for (const path of [quotaPath, `${quotaPath}/status`, '/api/v1/namespaces/hostile']) {
      const r = await admin.patch(path, [{ op: 'move', from: '', path: '/x' }], jsonPatch);
      assert.equal(r.status, 422, `${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.message, /cannot be moved into one of its own children/);
    }
  });

  test('a patch replacing the document with something that is not an object is 422', async () => {
    for (const value of [5, null, 'x', []]) {
      const r = await admin.patch(quotaPath, [{ op: 'replace', path: '', value }], jsonPatch);
      assert.equal(r.status, 422, JSON.stringify(value));
    }
  });

  test('a merge patch dropping metadata on the status subresource is 400, as on the main resource', async () => {
    for (const path of [`${quotaPath}/status`, quotaPath]) {
      const r = await admin.patch(path, { metadata: null }, mergePatch);
      assert.equal(r.status, 400, path);
      assert.match(r.body.message, /a patch may not change metadata\.name or metadata\.namespace/);
    }
  });
});

describe('NUL characters and unpaired surrogates', () => {
  test('a NUL in a path segment finds nothing: 404, and lists are empty', async () => {
    assert.equal((await admin.get('/apis/networking.k8s.io/v1/namespaces/%00/networkpolicies/a')).status, 404);
    assert.deepEqual(ok(await admin.get('/apis/networking.k8s.io/v1/namespaces/%00/networkpolicies')).items, []);
    assert.equal((await admin.get('/apis/rbac.authorization.k8s.io/v1/namespaces/hostile/rolebindings/%00')).status, 404);
    assert.equal((await admin.put('/api/v1/namespaces/%00/resourcequotas/q/status', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: '\u0000' } })).status < 500, true);
  });

  test('a NUL in a filter of the audit lists finds nothing', async () => {
    assert.deepEqual(ok(await admin.get('/apis/audit.warden.dev/v1/changes?name=%00')).items, []);
    assert.deepEqual(ok(await admin.get('/apis/audit.warden.dev/v1/decisions?user=a%00b')).items, []);
  });

  test('a NUL in any string of a body is 400 naming the field, and nothing is written', async () => {
    const r = await admin.post('/api/v1/namespaces/hostile/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', annotations: { a: 'x\u0000y' } } });
    assert.equal(r.status, 400);
    assert.equal(r.body.details.causes[0].field, 'metadata.annotations.a');
    assert.equal((await admin.get('/api/v1/namespaces/hostile/serviceaccounts/sa')).status, 404);
    const review = await admin.post('/webhooks/admission', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE', namespace: 'a\u0000', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' } } });
    assert.equal(review.status, 400);
  });

  test('an unpaired surrogate is stored as U+FFFD, as Go\'s JSON decoder reads it', async () => {
    const created = ok(await admin.post('/apis/iam.warden.dev/v1/users', '{"apiVersion":"iam.warden.dev/v1","kind":"User","metadata":{"name":"surrogate","annotations":{"app":"\\ud800x"}}}'), 201);
    assert.equal(created.metadata.annotations.app, '\ufffdx');
    assert.equal(ok(await admin.get('/apis/iam.warden.dev/v1/users/surrogate')).metadata.annotations.app, '\ufffdx');
  });
});

describe('X-Warden-Min-Revision comes after authentication, and a malformed one after authorization', () => {
  test('an anonymous caller or a bad token gets 401 whatever the header says; only a token that may yet appear is waited for', async () => {
    for (const value of ['-1', 'abc', '', '1, 2', '999999999']) {
      const started = Date.now();
      assert.equal((await w.http.get('/api/v1/resourcequotas').set('X-Warden-Min-Revision', value)).status, 401, value);
      assert.ok(Date.now() - started < 1500, 'no wait for a caller without a token');
      // A token this replica does not know may have been issued at that revision elsewhere: it waits for it, then refuses.
      assert.equal((await w.http.get('/api/v1/resourcequotas').set('Authorization', 'Bearer not-a-token').set('X-Warden-Min-Revision', value)).status, 401, value);
    }
  });

  test('a caller refused the request gets 403 whatever the header says', async () => {
    const r = await w.http.get('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings').set('Authorization', `Bearer ${memberToken}`).set('X-Warden-Min-Revision', 'abc');
    assert.equal(r.status, 403);
  });

  test('an allowed caller with a malformed header gets 400', async () => {
    const r = await w.http.get('/api/v1/namespaces').set('Authorization', w.auth).set('X-Warden-Min-Revision', 'abc');
    assert.equal(r.status, 400);
    assert.match(r.body.message, /X-Warden-Min-Revision: Invalid value/);
  });
});

test('a YAML body nested past the parser\'s stack is 400 saying so, without the parser\'s own words', async () => {
  const r = await admin.post('/api/v1/namespaces', `${'['.repeat(5000)}${']'.repeat(5000)}`, yaml);
  assert.equal(r.status, 400);
  assert.equal(r.body.message, 'the request body nests objects and lists more than 64 levels deep');
  assert.equal((await w.http.get('/livez')).status, 200);
});
