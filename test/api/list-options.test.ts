/**
 * List options as kube-apiserver checks them, on every list path Warden
 * serves: contradicting options are 422 Invalid of `ListOptions.meta.k8s.io`
 * (ValidateListOptions) before anything is read; a resourceVersion that is
 * not a revision is 400; one newer than any committed revision is 410
 * Expired "Too large resource version" (no input gets a 5xx; client
 * libraries relist after a 410 as after kube's 504); an exact read of an older revision, which
 * Warden no longer has, is 410 Expired. Lists write nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { apiKinds } from '../../api/resources/registry.ts';
import { api, assertRefused, assertStatus, ok, revision, type Api } from './client.ts';
import { namespace, type Obj } from './builders.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace('lists')), 201);
});
after(async () => { await w?.close(); });

/** Every collection Warden lists: per namespace and across namespaces for namespaced kinds. */
const listPaths = apiKinds.flatMap((k) => {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return k.namespaced ? [`${base}/namespaces/lists/${k.plural}`, `${base}/${k.plural}`] : [`${base}/${k.plural}`];
});

const listOptionsInvalid = (causes: [string, string, string][]): Obj => ({
  code: 422,
  reason: 'Invalid',
  message: [`ListOptions.meta.k8s.io "" is invalid: ${causes.length === 1 ? `${causes[0][1]}: ${causes[0][2]}` : `[${causes.map((c) => `${c[1]}: ${c[2]}`).join(', ')}]`}`],
  causes,
});

const invalidCases: { query: string; causes: [string, string, string][] }[] = [
  {
    query: 'resourceVersionMatch=Exact',
    causes: [['FieldValueForbidden', 'resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided']],
  },
  {
    query: 'resourceVersionMatch=NotOlderThan',
    causes: [['FieldValueForbidden', 'resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided']],
  },
  {
    query: 'resourceVersionMatch=Exact&resourceVersion=0',
    causes: [['FieldValueForbidden', 'resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"']],
  },
  {
    query: 'resourceVersionMatch=Latest&resourceVersion=1',
    causes: [['FieldValueNotSupported', 'resourceVersionMatch', 'Unsupported value: "Latest": supported values: "Exact", "NotOlderThan", ""']],
  },
  {
    query: 'resourceVersionMatch=exact',
    causes: [
      ['FieldValueForbidden', 'resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ['FieldValueNotSupported', 'resourceVersionMatch', 'Unsupported value: "exact": supported values: "Exact", "NotOlderThan", ""'],
    ],
  },
  {
    query: 'resourceVersionMatch=NotOlderThan&resourceVersion=1&continue=eyJuYW1lc3BhY2UiOiIiLCJuYW1lIjoiYSJ9',
    causes: [['FieldValueForbidden', 'resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided']],
  },
  {
    query: 'sendInitialEvents=false',
    causes: [['FieldValueForbidden', 'sendInitialEvents', 'Forbidden: sendInitialEvents is forbidden for list']],
  },
  {
    query: 'watch=true&resourceVersionMatch=Exact&resourceVersion=1',
    causes: [
      ['FieldValueForbidden', 'resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
      ['FieldValueNotSupported', 'resourceVersionMatch', 'Unsupported value: "Exact": supported values: "NotOlderThan"'],
    ],
  },
];

function assertInvalid(res: Obj, expected: Obj): void {
  const status = assertStatus(res as never, { code: expected.code, reason: expected.reason, message: expected.message });
  assert.equal(status.message, expected.message[0]);
  assert.deepEqual(status.details, {
    name: '', group: 'meta.k8s.io', kind: 'ListOptions',
    causes: expected.causes.map(([reason, field, message]: string[]) => ({ reason, message, field })),
  });
}

describe('contradicting list options are 422 Invalid on every list path', () => {
  for (const path of listPaths) {
    test(path, async () => {
      const before_ = await revision(a);
      for (const c of invalidCases) assertInvalid(await a.get(`${path}?${c.query}`), listOptionsInvalid(c.causes));
      assert.equal(await revision(a), before_);
    });
  }
});

describe('resourceVersion on every list path', () => {
  for (const path of listPaths) {
    test(path, async () => {
      const current = await revision(a);
      for (const q of [`resourceVersion=${current}`, 'resourceVersion=0', 'resourceVersion=1', `resourceVersion=${current}&resourceVersionMatch=Exact`,
        `resourceVersion=1&resourceVersionMatch=NotOlderThan`, 'resourceVersion=0&resourceVersionMatch=NotOlderThan', `limit=5&resourceVersion=${current}`]) {
        const body = ok(await a.get(`${path}?${q}`));
        assert.equal(body.metadata.resourceVersion, String(current), q);
      }
      await assertRefused(w, a, () => a.get(`${path}?resourceVersion=abc`), {
        code: 400, reason: 'BadRequest', message: ['invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
      });
      await assertRefused(w, a, () => a.get(`${path}?resourceVersion=18446744073709551616`), {
        code: 400, reason: 'BadRequest', message: ['strconv.ParseUint: parsing "18446744073709551616": value out of range'],
      });
      await assertRefused(w, a, () => a.get(`${path}?resourceVersion=-1`), { code: 400, reason: 'BadRequest', message: ['parsing "-1": invalid syntax'] });
      const tooLargeRes = await a.get(`${path}?resourceVersion=${current + 1000}`);
      const tooLarge = assertStatus(tooLargeRes, {
        code: 410, reason: 'Expired', message: [`Too large resource version: ${current + 1000}, current: ${current}`],
      });
      assert.deepEqual(tooLarge.details, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] });
      assertStatus(await a.get(`${path}?resourceVersion=${current - 1}&resourceVersionMatch=Exact`), {
        code: 410, reason: 'Expired', message: ['The resourceVersion for the provided list is too old.'],
      });
      assertStatus(await a.get(`${path}?limit=1&resourceVersion=${current - 1}`), { code: 410, reason: 'Expired' });
      await assertRefused(w, a, () => a.get(`${path}?continue=eyJuYW1lc3BhY2UiOiIiLCJuYW1lIjoiYSJ9&resourceVersion=${current}`), {
        code: 400, reason: 'BadRequest', message: ['specifying resource version is not allowed when using continue'],
      });
    });
  }
});

test('selectors are decoded before list options are validated, and field labels checked after', async () => {
  assertStatus(await a.get('/api/v1/namespaces?labelSelector=a%20in&resourceVersionMatch=Exact'), { code: 400, reason: 'BadRequest', message: ['unable to parse labelSelector'] });
  assertStatus(await a.get('/api/v1/namespaces?fieldSelector=spec.x%3Dy&resourceVersionMatch=Exact'), { code: 422, reason: 'Invalid' });
  assertStatus(await a.get('/api/v1/namespaces?fieldSelector=spec.x%3Dy'), { code: 400, reason: 'BadRequest', message: ['field label not supported: spec.x'] });
});

describe('boolean query parameters as kube-apiserver converts them', () => {
  test('watch=True and watch=1 ask for a watch, watch=False and watch=0 for a list, as Python\'s client and others send them', async () => {
    for (const v of ['True', 'TRUE', '1', 't', 'yes']) {
      const r = await w.http.get(`/api/v1/namespaces?watch=${v}&timeoutSeconds=1`).set('Authorization', w.auth).buffer(true).parse((res, cb) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => cb(null, text));
      });
      assert.equal(r.status, 200, `watch=${v} is not refused as a malformed value`);
      assert.match(String(r.headers['content-type']), /^application\/json;stream=watch/, `watch=${v} is a watch, not a list`);
      assert.match(String(r.body), /^\{"type":"ADDED"/, `watch=${v} starts with the current state`);
    }
    for (const v of ['False', 'FALSE', '0', 'false']) assert.equal(ok(await a.get(`/api/v1/namespaces?watch=${v}`)).kind, 'NamespaceList', `watch=${v}`);
  });
});
