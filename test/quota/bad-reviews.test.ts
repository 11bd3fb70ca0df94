/**
 * Bad AdmissionReviews: a body that cannot be answered is a 400 Status
 * naming the field; a review that can be answered but carries a malformed
 * or absurd object gets a well-formed denial. Never a 5xx, and nothing is
 * charged or written either way. Also who may call the webhook at all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { requestInfo } from '../../api/request-info.ts';
import { api, assertServing, assertStatus, revision, type Api } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { admit, create, pod, quota, responseOf, review, targets, usedOf, webhookPath } from './builders.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  await quota(a, 'bad', 'compute', { 'requests.cpu': '2', pods: '5' }, { 'requests.cpu': '1', pods: '1' });
});
after(async () => { await w?.close(); });

const valid = () => create(targets.pod, pod('bad', 'web', { cpu: '100m' }));
const without = (body: Obj, field: string): Obj => {
  const copy = structuredClone(body);
  delete copy.request[field];
  return copy;
};
const withRequest = (fields: Obj): Obj => {
  const body = valid();
  return { ...body, request: { ...body.request, ...fields } };
};

/** Asserts nothing was charged or written and the server still serves. */
async function assertUntouched(before_: number): Promise<void> {
  assert.deepEqual(await usedOf(a, 'bad', 'compute'), { 'requests.cpu': '1', pods: '1' });
  assert.equal(await revision(a), before_);
  await assertServing(w);
}

describe('reviews that cannot be answered are 400 and name the field', () => {
  const cases: { name: string; body: Obj | string; field?: string; message: string }[] = [
    { name: 'a body that is not JSON', body: '{"apiVersion": ', message: 'error decoding JSON request body' },
    { name: 'a JSON list', body: '[]', message: 'must be object' },
    { name: 'another apiVersion', body: { ...valid(), apiVersion: 'admission.k8s.io/v1beta1' }, field: 'apiVersion', message: 'apiVersion: Unsupported value: "admission.k8s.io/v1beta1": supported values: "admission.k8s.io/v1"' },
    { name: 'another kind', body: { ...valid(), kind: 'TokenReview' }, field: 'kind', message: 'kind: Unsupported value: "TokenReview"' },
    { name: 'no request', body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, field: 'request', message: 'request: Required value' },
    { name: 'a request without uid', body: without(valid(), 'uid'), field: 'request.uid', message: 'request.uid: Required value' },
    { name: 'an empty uid', body: withRequest({ uid: '' }), field: 'request.uid', message: 'request.uid: Required value' },
    { name: 'a request without kind', body: without(valid(), 'kind'), field: 'request.kind', message: 'request.kind: Required value' },
    { name: 'a kind without its name', body: withRequest({ kind: { group: '', version: 'v1' } }), field: 'request.kind.kind', message: 'request.kind.kind: Required value' },
    { name: 'a request without resource', body: without(valid(), 'resource'), field: 'request.resource', message: 'request.resource: Required value' },
    { name: 'an unknown operation', body: withRequest({ operation: 'PATCH' }), field: 'request.operation', message: 'request.operation: Unsupported value: "PATCH"' },
    { name: 'an object that is not an object', body: withRequest({ object: 'web' }), field: 'request.object', message: 'request.object' },
    { name: 'a uid that is not a string', body: withRequest({ uid: 42 }), field: 'request.uid', message: 'request.uid' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const before_ = await revision(a);
      const status = assertStatus(await a.post(webhookPath, c.body), { code: 400, reason: 'BadRequest', message: [c.message] });
      if (c.field) assert.ok(status.details.causes.some((x: Obj) => x.field === c.field), JSON.stringify(status.details));
      await assertUntouched(before_);
    });
  }

  test('a body that is not JSON by its media type is 415', async () => {
    const before_ = await revision(a);
    assertStatus(await a.post(webhookPath, JSON.stringify(valid()), 'text/plain'), { code: 415, reason: 'UnsupportedMediaType' });
    await assertUntouched(before_);
  });
});

describe('reviews that can be answered are, even when their object is not sound', () => {
  const malformedPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'odd', namespace: 'bad' }, spec: { containers: 'app' } };
  const cases: { name: string; body: Obj; code: number; reason: string; message: string }[] = [
    {
      name: 'a pod whose containers are not a list is Invalid',
      body: create(targets.pod, malformedPod), code: 422, reason: 'Invalid', message: 'Pod "odd" is invalid: spec.containers',
    },
    {
      name: 'a quantity of a million digits is Invalid',
      body: create(targets.pod, pod('bad', 'huge', { cpu: '1e1000000' })), code: 422, reason: 'Invalid',
      message: 'Pod "huge" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "1e1000000": quantity may not have more than 4096 integer digits',
    },
    {
      name: 'a quantity that is not a quantity is Invalid',
      body: create(targets.pod, pod('bad', 'word', { cpu: 'lots' })), code: 422, reason: 'Invalid', message: 'Pod "word" is invalid: spec.containers[0].resources.requests[cpu]',
    },
    {
      name: 'an absurdly large but valid quantity is simply over quota',
      body: create(targets.pod, pod('bad', 'greedy', { cpu: '99999999999999999999Ei' })), code: 403, reason: 'Forbidden',
      message: 'pods "greedy" is forbidden: exceeded quota: compute, requested: requests.cpu=9223372036854775807, used: requests.cpu=1, limited: requests.cpu=2',
    },
    {
      name: 'a negative request is refused before any comparison',
      body: create(targets.pod, pod('bad', 'minus', { cpu: '-1' })), code: 403, reason: 'Forbidden',
      message: 'pods "minus" is forbidden: quota usage is negative for resource(s): cpu,requests.cpu',
    },
    {
      name: 'an UPDATE without its old object is refused as Kubernetes refuses it',
      body: review('UPDATE', targets.pod, { object: pod('bad', 'web', { cpu: '100m' }), subResource: 'resize' }), code: 403, reason: 'Forbidden',
      message: 'pods "web" is forbidden: unable to get previous usage since prior version of object was not found',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const before_ = await revision(a);
      const response = responseOf(await a.post(webhookPath, c.body), c.body.request.uid);
      assert.equal(response.allowed, false);
      assert.equal(response.status.code, c.code);
      assert.equal(response.status.reason, c.reason);
      assert.ok(response.status.message.startsWith(c.message), response.status.message);
      assert.deepEqual(response.status.metadata, {});
      await assertUntouched(before_);
    });
  }

  test('a kind Warden has never heard of is allowed, and counted where a quota names it', async () => {
    await quota(a, 'kinds', 'widgets', { 'count/widgets.example.com': '1' });
    const widget = { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets' };
    const gadget = { group: 'example.com', version: 'v1', kind: 'Gadget', resource: 'gadgets' };
    const object = (kind: string, name: string) => ({ apiVersion: 'example.com/v1', kind, metadata: { name, namespace: 'kinds' } });
    const before_ = await revision(a);
    assert.equal((await admit(a, create(gadget, object('Gadget', 'g')))).allowed, true);
    assert.equal(await revision(a), before_, 'nothing counts gadgets');
    assert.equal((await admit(a, create(widget, object('Widget', 'w1')))).allowed, true);
    assert.equal((await admit(a, create(widget, object('Widget', 'w2')))).status.message,
      'widgets.example.com "w2" is forbidden: exceeded quota: widgets, requested: count/widgets.example.com=1, used: count/widgets.example.com=1, limited: count/widgets.example.com=1');
    assert.deepEqual(await usedOf(a, 'kinds', 'widgets'), { 'count/widgets.example.com': '1' });
  });
});

describe('who may call the webhook', () => {
  test('it is a non-resource path, authorized with the verb post', () => {
    const info = requestInfo('POST', '/webhooks/admission', {});
    assert.equal(info.isResourceRequest, false);
    assert.equal(info.verb, 'post');
    assert.equal(info.path, '/webhooks/admission');
  });

  test('a caller without that permission is refused before the review is read', async () => {
    const alice = api(w, w.adminToken, { 'Impersonate-User': 'alice' });
    const before_ = await revision(a);
    assertStatus(await alice.post(webhookPath, valid()), { code: 403, reason: 'Forbidden', message: ['forbidden: User "alice" cannot post path "/webhooks/admission"'] });
    await assertUntouched(before_);
  });
});
