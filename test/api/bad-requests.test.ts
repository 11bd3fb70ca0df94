/**
 * Requests Warden cannot read: undecodable bodies, media types it does not
 * take, bodies over the limit, paths and methods it does not serve, malformed
 * query parameters, and unknown fields (warned by default, refused with
 * fieldValidation=Strict, never stored). Each is a 4xx Status naming the
 * problem; nothing is written; the server keeps serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { clusterRole, namespace, rbacBase, rbacV1, rule, toYaml } from './builders.ts';
import {
  api, applyPatch, assertRefused, jsonPatch, mergePatch, ok, strategicPatch, yaml, type Api, type ExpectedStatus,
} from './client.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace('target')), 201);
  ok(await a.post(`${rbacBase}/clusterroles`, clusterRole('target')), 201);
});
after(async () => { await w?.close(); });

const refused = (send: () => ReturnType<Api['get']>, expected: ExpectedStatus) => assertRefused(w, a, send, expected);
const badRequest = (...message: string[]): ExpectedStatus => ({ code: 400, reason: 'BadRequest', message });
const item = `${rbacBase}/clusterroles/target`;
const collection = `${rbacBase}/clusterroles`;

describe('undecodable bodies', () => {
  test('malformed JSON is 400 on create, update and patch', async () => {
    const broken = '{"apiVersion": "v1", "kind": ';
    await refused(() => a.post('/api/v1/namespaces', broken), badRequest('error decoding JSON request body'));
    await refused(() => a.put('/api/v1/namespaces/target', broken), badRequest('error decoding JSON request body'));
    await refused(() => a.patch('/api/v1/namespaces/target', broken, mergePatch), badRequest('error decoding JSON request body'));
    await refused(() => a.post('/apis/warden.dev/v1/apply', broken), badRequest('error decoding JSON request body'));
  });

  test('malformed YAML is 400 naming the line, on create, apply and bulk apply', async () => {
    const broken = 'apiVersion: v1\nkind: Namespace\nmetadata: [name: x\n';
    await refused(() => a.post('/api/v1/namespaces', broken, yaml), badRequest('error decoding YAML request body (line'));
    await refused(() => a.patch('/api/v1/namespaces/x?fieldManager=t', broken, applyPatch), badRequest('error decoding YAML request body (line'));
    await refused(() => a.post('/apis/warden.dev/v1/apply', `${toYaml(namespace('half'))}---\n${broken}`, yaml), badRequest('error decoding YAML request body (line'));
    await refused(() => a.post('/api/v1/namespaces', 'apiVersion: v1\nkind: Namespace\nkind: Namespace\nmetadata: {name: d}\n', yaml), badRequest('Map keys must be unique'));
  });

  test('an empty body or one that is not an object is 400', async () => {
    await refused(() => a.post('/api/v1/namespaces', ''), badRequest('the request body is empty'));
    await refused(() => a.post('/api/v1/namespaces', '["a"]'), badRequest('must be object'));
    await refused(() => a.post('/api/v1/namespaces', '"namespace"'), badRequest('must be object'));
    await refused(() => a.patch(item, '{"op": "add"}', jsonPatch), badRequest('a JSON patch must be a list of operations'));
  });

  test('a body field of the wrong type is 400 naming the field', async () => {
    const status = await refused(() => a.post(collection, { ...clusterRole('typed'), rules: 'all' }), badRequest('rules: must be array'));
    assert.deepEqual(status.details.causes.map((c: { field: string }) => c.field), ['rules']);
  });

  test('a JSON patch whose operation cannot be applied is 422, as kube-apiserver answers it, naming the operation', async () => {
    const notApplied = (...message: string[]): ExpectedStatus => ({ code: 422, reason: 'Invalid', message: ['the server rejected our request due to an error in our request', ...message] });
    await refused(() => a.patch(item, [{ op: 'test', path: '/rules/0/verbs/0', value: 'delete' }], jsonPatch), notApplied('JSON patch operation 0 ("test" at "/rules/0/verbs/0") cannot be applied: the test failed'));
    await refused(() => a.patch(item, [{ op: 'remove', path: '/metadata/annotations/none' }], jsonPatch), notApplied('JSON patch operation 0 ("remove" at "/metadata/annotations/none") cannot be applied'));
    await refused(() => a.patch(item, [{ op: 'frob', path: '/rules' }], jsonPatch), notApplied('JSON patch operation 0 ("frob" at "/rules")'));
  });

  test('JSON patches the patch library itself throws on are 422, never a server error', async () => {
    const notApplied = (...message: string[]): ExpectedStatus => ({ code: 422, reason: 'Invalid', message: ['the server rejected our request due to an error in our request', ...message] });
    await refused(() => a.patch(item, [{ op: 'add', path: '/__proto__/x', value: 1 }], jsonPatch), notApplied('a path may not go through "__proto__"'));
    await refused(() => a.patch(item, [{ op: 'add', path: '/constructor/prototype/x', value: 1 }], jsonPatch), notApplied('operation 0'));
    await refused(() => a.patch(item, [{ op: 'move', from: '/metadata', path: '/metadata/x' }], jsonPatch), notApplied('operation 0 ("move" from "/metadata" at "/metadata/x")'));
    await refused(() => a.patch(item, [{ op: 'move', from: '/rules', path: '/rules/0' }], jsonPatch), notApplied('operation 0 ("move" from "/rules" at "/rules/0")'));
    await refused(() => a.patch(item, [{ op: 'add', path: '/metadata/labels/a', value: 'b' }, null], jsonPatch), badRequest('the request does not match the API schema', '[1]: must be object'));
    const many = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'ClusterRole' }));
    await refused(() => a.patch(item, many, jsonPatch), { code: 413, reason: 'RequestEntityTooLarge', message: ['The allowed maximum operations in a JSON patch is 10000, got 10001'] });
  });

  test('a body with a field named __proto__ is 400 on every decoding path, so no copy of it can change an object\'s prototype', async () => {
    const proto = (field: string) => badRequest(`the request body has a field named "__proto__" (at ${field})`);
    await refused(() => a.patch(item, '{"metadata":{"__proto__":{"name":"other"}}}', mergePatch), proto('metadata'));
    await refused(() => a.patch(item, '{"__proto__":{"rules":[]}}', strategicPatch), proto('the top level'));
    await refused(() => a.post(collection, '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"p"},"rules":[{"__proto__":{"verbs":["*"]}}]}'), proto('rules[0]'));
    await refused(() => a.post(collection, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: p\n  labels:\n    __proto__: {a: b}\n', yaml), proto('metadata.labels'));
  });

  test('a strategic merge patch directive on a list without a merge key, or a malformed one, is 400 naming the field', async () => {
    const status = await refused(() => a.patch(item, { rules: [{ verbs: ['get'], $patch: 'delete' }] }, strategicPatch),
      badRequest('strategic merge patch directive "$patch" at rules[0] is not applied: rules has no patch merge key'));
    assert.equal(status.details.causes[0].field, 'rules[0].$patch');
    await refused(() => a.patch(item, { '$setElementOrder/rules': [{ verbs: ['get'] }] }, strategicPatch), badRequest('cannot merge lists without merge key for rules'));
    await refused(() => a.patch(item, { $patch: 'merge' }, strategicPatch), badRequest('unknown patch type: merge in map: map[$patch:merge]'));
    await refused(() => a.patch(item, { metadata: { '$deleteFromPrimitiveList': ['x'] } }, strategicPatch), badRequest('invalid patch format of primitive list'));
  });
});

describe('media types and sizes', () => {
  const unsupported: ExpectedStatus = { code: 415, reason: 'UnsupportedMediaType', message: ['the body of the request was in an unknown format - accepted media types include: application/json, application/yaml'] };

  test('a body in a media type an operation does not take is 415 naming the type', async () => {
    const status = await refused(() => a.post(collection, 'rules: []', 'text/plain'), unsupported);
    assert.deepEqual(status.details.causes, [{ reason: 'UnsupportedMediaType', message: 'text/plain' }]);
    await refused(() => a.post(collection, '<ClusterRole/>', 'application/xml'), unsupported);
    await refused(() => a.post(collection, '{}', mergePatch), unsupported);
    await refused(() => a.patch(item, 'metadata: {}', yaml), unsupported);
    await refused(() => a.put(item, '{}', 'application/x-www-form-urlencoded'), unsupported);
  });

  test('a body without a Content-Type is 415', async () => {
    const status = await refused(() => w.http.post(collection).set('Authorization', w.auth).send(Buffer.from(JSON.stringify(clusterRole('untyped')))), unsupported);
    assert.deepEqual(status.details.causes, [{ reason: 'UnsupportedMediaType', message: '(none)' }]);
  });

  test('a body over 1 MiB is 413 RequestEntityTooLarge, on every write', async () => {
    const huge = clusterRole('huge');
    huge.metadata.annotations = { padding: 'x'.repeat(1024 * 1024) };
    const tooLarge: ExpectedStatus = { code: 413, reason: 'RequestEntityTooLarge', message: ['Request entity too large: limit is 1048576'] };
    await refused(() => a.post(collection, huge), tooLarge);
    await refused(() => a.put(`${collection}/huge`, huge), tooLarge);
    await refused(() => a.patch(item, { metadata: huge.metadata }, mergePatch), tooLarge);
    await refused(() => a.patch(`${collection}/huge?fieldManager=t`, toYaml(huge), applyPatch), tooLarge);
    await refused(() => a.post('/apis/warden.dev/v1/apply', toYaml(huge), yaml), tooLarge);
  });
});

describe('paths, methods and query parameters', () => {
  const notFound: ExpectedStatus = { code: 404, reason: 'NotFound', message: ['the server could not find the requested resource'] };
  const notAllowed: ExpectedStatus = { code: 405, reason: 'MethodNotAllowed', message: ['the server does not allow this method on the requested resource'] };

  test('paths no resource lives at are 404 NotFound', async () => {
    for (const path of ['/nope', '/api/v2/namespaces', '/apis/example.com/v1/widgets', `${rbacBase}/widgets`, '/api/v1/namespaces/target/pods', `${item}/status`]) {
      await refused(() => a.get(path), notFound);
    }
    await refused(() => a.post('/apis/example.com/v1/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), notFound);
  });

  test('methods a path does not take are 405 MethodNotAllowed', async () => {
    await refused(() => a.put(collection, clusterRole('x')), notAllowed);
    await refused(() => a.patch(collection, {}, mergePatch), notAllowed);
    await refused(() => a.post(item, clusterRole('target')), notAllowed);
    await refused(() => a.delete('/api/v1'), notAllowed);
    await refused(() => a.post('/version', {}), notAllowed);
  });

  test('malformed list and write options are 400 naming the option', async () => {
    await refused(() => a.get(`${collection}?limit=ten`), badRequest('limit: must be integer'));
    await refused(() => a.get(`${collection}?continue=not-a-token`), badRequest('continue: Invalid value'));
    await refused(() => a.get(`${collection}?labelSelector=tier%20in`), badRequest('unable to parse labelSelector'));
    await refused(() => a.get(`${collection}?fieldSelector=spec.verbs%3Dget`), badRequest('unable to parse fieldSelector: field label not supported: spec.verbs'));
    await refused(() => a.post(`${collection}?dryRun=Some`, clusterRole('x')), badRequest('dryRun: Unsupported value: "Some"'));
    await refused(() => a.post(`${collection}?fieldValidation=Loose`, clusterRole('x')), badRequest('fieldValidation: Unsupported value: "Loose"'));
  });
});

describe('unknown fields', () => {
  test('by default an unknown field is dropped with a Warning header naming it', async () => {
    const res = await a.post('/api/v1/namespaces', { ...namespace('warned'), spec: { foo: 'bar' } });
    ok(res, 201);
    assert.equal(res.headers.warning, '299 - "unknown field \\"spec.foo\\""');
    const stored = ok(await a.get('/api/v1/namespaces/warned'));
    assert.deepEqual(stored.spec, { finalizers: ['kubernetes'] }, 'the unknown field is not stored');
  });

  test('every unknown field gets its own warning, nested paths included', async () => {
    const body = { apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: 'many-unknown', colour: 'red' }, rules: [{ ...rule(['get']), verbz: ['list'] }], extra: 1 };
    const res = await a.post(collection, body);
    ok(res, 201);
    assert.equal(res.headers.warning, [
      '299 - "unknown field \\"metadata.colour\\""', '299 - "unknown field \\"rules[0].verbz\\""', '299 - "unknown field \\"extra\\""',
    ].join(', '));
    const stored = ok(await a.get(`${collection}/many-unknown`));
    assert.deepEqual([stored.metadata.colour, stored.rules, stored.extra], [undefined, [rule(['get'])], undefined]);
  });

  test('fieldValidation=Strict refuses an unknown field with 400 naming it, on create, update, patch and apply', async () => {
    const strict = (field: string) => badRequest(`strict decoding error: unknown field "${field}"`);
    const status = await refused(() => a.post('/api/v1/namespaces?fieldValidation=Strict', { ...namespace('strict'), spec: { foo: 'bar' } }), strict('spec.foo'));
    assert.deepEqual(status.details.causes, [{ reason: 'FieldValueInvalid', message: 'unknown field "spec.foo"', field: 'spec.foo' }]);
    await assertRefused(w, a, () => a.get('/api/v1/namespaces/strict'), { code: 404, reason: 'NotFound' });
    const current = ok(await a.get(item));
    await refused(() => a.put(`${item}?fieldValidation=Strict`, { ...current, rulez: [] }), strict('rulez'));
    await refused(() => a.patch(`${item}?fieldValidation=Strict`, { rules: [{ ...rule(['get']), verb: 'x' }] }, mergePatch), strict('rules[0].verb'));
    await refused(() => a.patch(`${item}?fieldValidation=Strict&fieldManager=t`, toYaml({ ...clusterRole('target'), spec: {} }), applyPatch), strict('spec'));
  });

  test('fieldValidation=Ignore drops an unknown field silently', async () => {
    const res = await a.post('/api/v1/namespaces?fieldValidation=Ignore', { ...namespace('ignored'), spec: { foo: 'bar' } });
    ok(res, 201);
    assert.equal(res.headers.warning, undefined);
    assert.equal(ok(await a.get('/api/v1/namespaces/ignored')).spec.foo, undefined);
  });
});
