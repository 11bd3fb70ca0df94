/**
 * `labelSelector` and `fieldSelector` with kube's grammar on every list
 * path (and on deletecollection): what kube's parser accepts is answered
 * with its meaning, what it refuses is 400 BadRequest with its message, and
 * nothing is written either way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { apiKinds } from '../../api/resources/registry.ts';
import { api, assertRefused, ok, revision, type Api } from './client.ts';
import { namespace, serviceAccount, type Obj } from './builders.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace('sel-x', { labels: { app: 'x' } })), 201);
  ok(await a.post('/api/v1/namespaces', namespace('sel-empty', { labels: { app: '' } })), 201);
  ok(await a.post('/api/v1/namespaces', namespace('sel-none')), 201);
  for (const name of ['a,b', 'plain']) ok(await a.post('/api/v1/namespaces/sel-x/serviceaccounts', serviceAccount(name === 'a,b' ? 'ab' : name, { labels: { tier: name === 'plain' ? '7' : '12' } })), 201);
});
after(async () => { await w?.close(); });

const listPaths = apiKinds.flatMap((k) => {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return k.namespaced ? [`${base}/namespaces/sel-x/${k.plural}`, `${base}/${k.plural}`] : [`${base}/${k.plural}`];
});

const selNamespaces = async (query: string): Promise<string[]> =>
  (ok(await a.get(`/api/v1/namespaces?${query}`)).items as Obj[]).map((o) => o.metadata.name).filter((n: string) => n.startsWith('sel-'));

describe('label selectors kube accepts mean what they mean in kube', () => {
  test('`key notin ()` is the empty value set: objects without the key or with a non-empty value', async () => {
    assert.deepEqual(await selNamespaces('labelSelector=app%20notin%20()'), ['sel-none', 'sel-x']);
    assert.deepEqual(await selNamespaces('labelSelector=app%20in%20()'), ['sel-empty']);
    assert.deepEqual(await selNamespaces('labelSelector=app%20in%20(x,,y)'), ['sel-empty', 'sel-x']);
  });

  test('a NUL ends the selector where a requirement would start, and ends a token inside one, as the Go lexer reads it', async () => {
    assert.deepEqual(await selNamespaces('labelSelector=%00'), ['sel-empty', 'sel-none', 'sel-x']);
    assert.deepEqual(await selNamespaces('labelSelector=app%3Dx%00'), ['sel-x']);
  });

  test('gt and lt compare integers; the empty exact value matches the empty label', async () => {
    const names = async (q: string) => (ok(await a.get(`/api/v1/namespaces/sel-x/serviceaccounts?${q}`)).items as Obj[]).map((o) => o.metadata.name);
    assert.deepEqual(await names('labelSelector=tier%3E8'), ['ab']);
    assert.deepEqual(await names('labelSelector=tier%3C8'), ['plain']);
    assert.deepEqual(await selNamespaces('labelSelector=app%3D'), ['sel-empty']);
    assert.deepEqual(await selNamespaces('labelSelector=!app'), ['sel-none']);
  });
});

/** Selectors kube's parser refuses, with the message kube-apiserver answers after `unable to parse labelSelector: `. */
const badLabelSelectors: [string, string][] = [
  ['a%00b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
  ['a%20in', "unable to parse requirement: found '' expected: '('"],
  ['a%20in%20b', "unable to parse requirement: found 'b' expected: '('"],
  ['a%20in%20(b%20c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
  ['a%20in%20(b', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['a%20in%20(%3D)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
  ['a%3Db)', "found ')', expected: ',' or 'end of string'"],
  ['(', "found '(', expected: !, identifier, or 'end of string'"],
  ['%2Ca', "found ',', expected: !, identifier, or 'end of string'"],
  ['a%2C', "found '', expected: identifier after ','"],
  ['!a%3Db', "found '=', expected: ',' or 'end of string'"],
  ['a%3D%3D%3Db', "unable to parse requirement: found '=', expected: identifier"],
  ['a%3C%3Eb', "unable to parse requirement: found '>', expected: identifier"],
  ['a%3Eb', `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`],
  ['a%3E99999999999999999999', `values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`],
  ['a%01', 'unable to parse requirement: <nil>: Invalid value: "a\\x01": name part must consist of alphanumeric characters'],
  ['a%3Db%C2%85', 'unable to parse requirement: values[0][a]: Invalid value: "b\\u0085": a valid label must be an empty string or consist of alphanumeric characters'],
  ['-a', 'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters'],
  ['a/b/c', 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters'],
  [`a%3D${'v'.repeat(64)}`, `values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
  ['%3D', "found '=', expected: !, identifier, or 'end of string'"],
  ['!', "unable to parse requirement: found '', expected: identifier"],
  ['%3F', 'unable to parse requirement: <nil>: Invalid value: "?"'],
];

const badFieldSelectors: [string, string][] = [
  ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
  ['metadata.name%3Da%2Cb', "invalid selector: 'metadata.name=a,b'; can't understand 'b'"],
  ['metadata.name%3Da%3Db', 'invalid field selector: unescaped character in value: 61'],
  ['metadata.name%3Da%5Cx', 'invalid field selector: invalid escape sequence: \\x'],
  ['metadata.name%3Da%5C', 'invalid field selector: invalid escape sequence: \\'],
  ['spec.x%3Dy', 'field label not supported: spec.x'],
];

describe('selectors kube refuses are 400 on every list path', () => {
  for (const path of listPaths) {
    test(path, async () => {
      const before_ = await revision(a);
      for (const [q, message] of badLabelSelectors) {
        const r = await a.get(`${path}?labelSelector=${q}`);
        assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.reason, 'BadRequest');
        assert.ok(r.body.message.startsWith('unable to parse labelSelector: '), r.body.message);
        assert.ok(r.body.message.includes(message), `${q}: ${r.body.message} lacks ${message}`);
      }
      for (const [q, message] of badFieldSelectors) {
        const r = await a.get(`${path}?fieldSelector=${q}`);
        assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.message, `unable to parse fieldSelector: ${message}`);
      }
      assert.equal(await revision(a), before_);
    });
  }
});

describe('field selectors', () => {
  test('escaped commas and equals signs are part of the value; != and == work', async () => {
    assert.deepEqual((ok(await a.get('/api/v1/namespaces?fieldSelector=metadata.name%3D%3Dsel-x')).items as Obj[]).map((o) => o.metadata.name), ['sel-x']);
    const others = (ok(await a.get('/api/v1/namespaces?fieldSelector=metadata.name!%3Dsel-x,metadata.name!%3Dsel-none')).items as Obj[]).map((o) => o.metadata.name);
    assert.ok(!others.includes('sel-x') && !others.includes('sel-none') && others.includes('sel-empty'));
    assert.deepEqual(ok(await a.get('/api/v1/namespaces?fieldSelector=metadata.name%3Da%5C%2Cb')).items, []);
    const sas = (ok(await a.get('/api/v1/serviceaccounts?fieldSelector=metadata.namespace%3Dsel-x,metadata.name%3Dab')).items as Obj[]).map((o) => o.metadata.name);
    assert.deepEqual(sas, ['ab']);
  });
});

describe('deletecollection parses its selectors the same way', () => {
  test('a refused selector deletes nothing; an accepted one selects as a list does', async () => {
    await assertRefused(w, a, () => a.delete('/api/v1/namespaces/sel-x/serviceaccounts?labelSelector=a%00b'), {
      code: 400, reason: 'BadRequest', message: ["unable to parse labelSelector: unable to parse requirement: found 'b'"],
    });
    await assertRefused(w, a, () => a.delete('/api/v1/namespaces/sel-x/serviceaccounts?fieldSelector=metadata.name%3Da%3Db'), {
      code: 400, reason: 'BadRequest', message: ['unescaped character in value: 61'],
    });
    const dry = ok(await a.delete('/api/v1/namespaces/sel-x/serviceaccounts?labelSelector=tier%20notin%20(12)&dryRun=All'));
    assert.deepEqual((dry.items as Obj[]).map((o) => o.metadata.name).filter((n: string) => n !== 'default'), ['plain']);
  });
});
