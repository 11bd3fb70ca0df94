/**
 * Bad reviews get a 4xx Status naming what is wrong, and no review, however
 * malformed, gets a 5xx: every review endpoint is fed wrong shapes, wrong
 * types, deep nesting and huge strings, in place of the whole body and of
 * each of its fields.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertStatus, authzV1, clusterRole, ok, paths, res, reviewOf, revision, url, wardenAuthzV1, type Api, type Obj } from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  ok(await admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad' } }), 201);
});
after(async () => { await w?.close(); });

const sarOf = (spec: unknown) => reviewOf('SubjectAccessReview', spec);
const invalid = (field: string, detail: string) => ({ code: 422, reason: 'Invalid', message: [`${field}: Invalid value`, detail] });
const badRequest = (...message: string[]) => ({ code: 400, reason: 'BadRequest', message });

describe('SubjectAccessReview validation', () => {
  const cases: { name: string; body: Obj; expected: { code: number; reason: string; message: string[] }; field?: string }[] = [
    { name: 'no attributes', body: sarOf({ user: 'a' }), expected: invalid('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'), field: 'spec.resourceAttributes' },
    { name: 'both attribute kinds', body: sarOf({ user: 'a', ...res('get', 'pods'), ...url('get', '/') }), expected: invalid('spec.nonResourceAttributes', 'cannot be specified in combination with resourceAttributes'), field: 'spec.nonResourceAttributes' },
    { name: 'neither user nor groups', body: sarOf(res('get', 'pods')), expected: invalid('spec.user', 'at least one of user or group must be specified'), field: 'spec.user' },
    { name: 'an empty user and no groups', body: sarOf({ user: '', groups: [], ...res('get', 'pods') }), expected: invalid('spec.user', 'at least one of user or group must be specified'), field: 'spec.user' },
    { name: 'metadata with a name', body: { ...sarOf({ user: 'a', ...res('get', 'pods') }), metadata: { name: 'x' } }, expected: invalid('metadata', 'must be empty'), field: 'metadata' },
    { name: 'a user that is a number', body: sarOf({ user: 7, ...res('get', 'pods') }), expected: badRequest('spec.user: must be string'), field: 'spec.user' },
    { name: 'groups that are a string', body: sarOf({ user: 'a', groups: 'devs', ...res('get', 'pods') }), expected: badRequest('spec.groups: must be array'), field: 'spec.groups' },
    { name: 'a group that is null', body: sarOf({ user: 'a', groups: ['devs', null], ...res('get', 'pods') }), expected: badRequest('spec.groups[1]: must be string'), field: 'spec.groups[1]' },
    { name: 'resourceAttributes that are a list', body: sarOf({ user: 'a', resourceAttributes: [] }), expected: badRequest('spec.resourceAttributes: must be object'), field: 'spec.resourceAttributes' },
    { name: 'a verb that is an object', body: sarOf({ user: 'a', resourceAttributes: { verb: { get: true } } }), expected: badRequest('spec.resourceAttributes.verb: must be string'), field: 'spec.resourceAttributes.verb' },
    { name: 'a path that is a number', body: sarOf({ user: 'a', nonResourceAttributes: { verb: 'get', path: 5 } }), expected: badRequest('spec.nonResourceAttributes.path: must be string'), field: 'spec.nonResourceAttributes.path' },
    { name: 'extra values that are not lists', body: sarOf({ user: 'a', extra: { scopes: 'all' }, ...res('get', 'pods') }), expected: badRequest('spec.extra.scopes: must be array'), field: 'spec.extra.scopes' },
    { name: 'a spec that is null', body: { apiVersion: authzV1, kind: 'SubjectAccessReview', spec: null }, expected: badRequest('spec: must be object'), field: 'spec' },
    { name: 'no spec', body: { apiVersion: authzV1, kind: 'SubjectAccessReview' }, expected: invalid('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified') },
    { name: 'another apiVersion', body: { ...sarOf({ user: 'a', ...res('get', 'pods') }), apiVersion: 'authorization.k8s.io/v1beta1' }, expected: badRequest('the API version in the data (authorization.k8s.io/v1beta1) does not match the expected API version (authorization.k8s.io/v1)') },
    { name: 'another kind', body: { ...sarOf({ user: 'a', ...res('get', 'pods') }), kind: 'SelfSubjectAccessReview' }, expected: badRequest('the kind in the data (SelfSubjectAccessReview) does not match the expected kind (SubjectAccessReview)') },
  ];
  for (const c of cases) {
    test(`${c.name} is ${c.expected.code} ${c.expected.reason}${c.field ? ` on ${c.field}` : ''}`, async () => {
      const status = assertStatus(await admin.post(paths.sar, c.body), c.expected);
      if (c.field) assert.deepEqual(status.details.causes.map((x: Obj) => x.field), [c.field]);
    });
  }

  test('a review without apiVersion or kind (as generated clients send it) takes them from the URL, as kube-apiserver does', async () => {
    for (const body of [{ kind: 'SubjectAccessReview', spec: { user: 'a', ...res('get', 'pods') } }, { apiVersion: authzV1, spec: { user: 'a', ...res('get', 'pods') } }, { spec: { user: 'a', ...res('get', 'pods') } }]) {
      const answer = ok(await admin.post(paths.sar, body), 201);
      assert.deepEqual([answer.apiVersion, answer.kind], [authzV1, 'SubjectAccessReview']);
      assert.equal(answer.status.allowed, false);
    }
  });

  test('a review does not write: the revision stays where it was', async () => {
    const before = await revision(admin);
    ok(await admin.post(paths.sar, sarOf({ user: 'a', ...res('create', 'pods') })), 201);
    assert.equal(await revision(admin), before);
  });
});

/** Every review endpoint with a body it accepts. */
const endpoints: { name: string; path: string; body: Obj }[] = [
  { name: 'SubjectAccessReview', path: paths.sar, body: sarOf({ user: 'a', groups: ['g'], ...res('get', 'pods', { namespace: 'bad' }) }) },
  { name: 'LocalSubjectAccessReview', path: paths.lsar('bad'), body: reviewOf('LocalSubjectAccessReview', { user: 'a', ...res('get', 'pods', { namespace: 'bad' }) }) },
  { name: 'SelfSubjectAccessReview', path: paths.ssar, body: reviewOf('SelfSubjectAccessReview', url('get', '/healthz')) },
  { name: 'SelfSubjectRulesReview', path: paths.ssrr, body: reviewOf('SelfSubjectRulesReview', { namespace: 'bad' }) },
  { name: 'SubjectAccessReviewBatch', path: paths.batch, body: reviewOf('SubjectAccessReviewBatch', { reviews: [{ user: 'a', ...res('get', 'pods') }] }) },
  { name: 'SubjectRulesReview', path: paths.srr, body: reviewOf('SubjectRulesReview', { user: 'a', groups: ['g'], namespace: 'bad' }) },
  { name: 'ResourceAccessReview', path: paths.whoCan, body: reviewOf('ResourceAccessReview', res('get', 'pods', { namespace: 'bad' })) },
  { name: 'RBACChangeReview', path: paths.whatIf, body: reviewOf('RBACChangeReview', { apply: [clusterRole('junk-role')], delete: [{ kind: 'ClusterRole', name: 'view' }] }) },
  { name: 'authorization webhook', path: paths.webhook, body: { apiVersion: 'authorization.k8s.io/v1beta1', kind: 'SubjectAccessReview', spec: { user: 'a', group: ['g'], ...url('get', '/') } } },
];

/** JSON text of lists and objects nested `depth` deep (built as text: serializing it would exhaust the stack). */
const nested = (depth: number): string => '[{"a":'.repeat(depth / 2) + '"x"' + '}]'.repeat(depth / 2);

/** JSON values thrown in place of any part of a review. */
const junk: string[] = ['null', '0', '-1.5', '1e308', 'true', '""', JSON.stringify('ü'.repeat(20_000)), '[]', '[1,"a",null,{}]', '{}', '{"a":{"b":[{"c":null}]}}', nested(40), nested(3000)];
const marker = '\u0001junk\u0001';

/** `o` as JSON text with the value at `path` replaced by the JSON text `value`. */
function replaced(o: Obj, path: (string | number)[], value: string): string {
  const copy = structuredClone(o);
  let cur: any = copy;
  for (const seg of path.slice(0, -1)) cur = cur[seg];
  cur[path[path.length - 1]] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), value);
}

/** Every path to a value inside `o` (objects and list items), parents first. */
function pathsIn(o: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (o === null || typeof o !== 'object') return [];
  const out: (string | number)[][] = [];
  for (const [k, v] of Object.entries(o)) {
    const p = [...prefix, Array.isArray(o) ? Number(k) : k];
    out.push(p, ...pathsIn(v, p));
  }
  return out;
}

/** Sends `body` as it is (a string is sent verbatim); asserts no 5xx and that a refusal is a Status. */
async function assertNo5xx(path: string, body: unknown, what: string): Promise<number> {
  const r = await admin.post(path, typeof body === 'string' ? body : JSON.stringify(body));
  assert.ok(r.status < 500, `${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  if (r.status >= 400) {
    assert.equal(r.body.kind, 'Status', what);
    assert.equal(r.body.code, r.status, what);
  }
  return r.status;
}

describe('no review answers 5xx', () => {
  const wholeBodies = ['[]', '[{"kind":"SubjectAccessReview"}]', '0', '-1', '"review"', 'null', 'true', '{}', '{"spec":{}}', '{', '{"a":1,}', '\u0000', nested(5000)];

  for (const e of endpoints) {
    test(`${e.name}: the accepted body works, and junk in place of the body or any field is 4xx or answered`, async () => {
      assert.ok((await assertNo5xx(e.path, e.body, 'the accepted body')) < 300);
      for (const body of wholeBodies) assert.ok((await assertNo5xx(e.path, body, `body ${body.slice(0, 40)}`)) >= 400);
      for (const p of pathsIn(e.body)) {
        for (const value of junk) await assertNo5xx(e.path, replaced(e.body, p, value), `${p.join('.')} = ${value.slice(0, 40)}`);
      }
      await assertNo5xx(e.path, replaced({ ...e.body, spec: { ...e.body.spec, unknown: 0 } }, ['spec', 'unknown'], nested(3000)), 'deep unknown field');
    });
  }

  test('a body nested too deeply is 400 saying so', async () => {
    assertStatus(await admin.post(paths.sar, replaced(sarOf({ user: 'a', ...res('get', 'pods'), unknown: 0 }), ['spec', 'unknown'], nested(100))),
      badRequest('nests objects and lists more than 64 levels deep'));
  });

  test('huge strings under the body limit are answered; a body over it is 413', async () => {
    const name = 'u'.repeat(900_000);
    const body = ok(await admin.post(paths.sar, sarOf({ user: name, ...res('get', 'pods') })), 201);
    assert.equal(body.status.allowed, false);
    assert.equal(body.spec.user.length, name.length);
    assertStatus(await admin.post(paths.sar, sarOf({ user: 'u'.repeat(2 * 1024 * 1024), ...res('get', 'pods') })), { code: 413, reason: 'RequestEntityTooLarge' });
  });

  test('the server still serves after all of it', async () => {
    assert.equal((await w.http.get('/livez')).status, 200);
    ok(await admin.post(paths.sar, sarOf({ user: 'a', groups: ['system:masters'], ...res('get', 'pods') })), 201);
  });
});

describe('review kinds and versions', () => {
  test('each endpoint takes only its own kind and apiVersion', async () => {
    for (const e of endpoints) {
      const other = e.body.kind === 'SubjectAccessReview' ? 'SelfSubjectAccessReview' : 'SubjectAccessReview';
      assertStatus(await admin.post(e.path, { ...e.body, kind: other }), badRequest(`the kind in the data (${other})`));
      assertStatus(await admin.post(e.path, { ...e.body, apiVersion: e.body.apiVersion === wardenAuthzV1 ? authzV1 : wardenAuthzV1 }), badRequest('does not match the expected API version'));
    }
  });
});
