/**
 * kube's TokenRequest subresource through HTTP: a token for a service
 * account, authenticating as `system:serviceaccount:<ns>:<name>` in the
 * service-account groups, authorized by `create serviceaccounts/token`,
 * refused with 4xx naming the field on bad input, and dead once the account
 * or its namespace is deleted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { namespace, serviceAccount } from '../api/builders.ts';
import { api, assertRefused, assertStatus, ok, type Api } from '../api/client.ts';
import { grant, tokenRequest, tokenRequestPath, tokensPath, userWithToken } from './support.ts';

let w: TestWarden;
let admin: Api;

const saPath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/serviceaccounts${name ? `/${name}` : ''}`;

async function freshAccount(ns: string, name: string): Promise<void> {
  if ((await admin.get(`/api/v1/namespaces/${ns}`)).status === 404) ok(await admin.post('/api/v1/namespaces', namespace(ns)), 201);
  ok(await admin.post(saPath(ns), serviceAccount(name)), 201);
}

async function requestToken(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return ok(await admin.post(tokenRequestPath(ns, name), tokenRequest(spec)), 201);
}

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  // The service accounts of `shop` may list namespaces; every authenticated caller may list service accounts.
  await grant(admin, { kind: 'Group', name: 'system:serviceaccounts:shop' }, ['list'], ['namespaces']);
  await grant(admin, { kind: 'Group', name: 'system:authenticated' }, ['list'], ['serviceaccounts']);
  await freshAccount('shop', 'builder');
});
after(async () => { await w?.close(); });

describe('issuing', () => {
  test('a TokenRequest is answered 201 with the token and its expiry, an hour by default', async () => {
    const before = Date.now();
    const r = await requestToken('shop', 'builder');
    assert.equal(r.apiVersion, 'authentication.k8s.io/v1');
    assert.equal(r.kind, 'TokenRequest');
    assert.deepEqual([r.metadata.namespace, r.metadata.name], ['shop', 'builder']);
    assert.equal(r.spec.expirationSeconds, 3600);
    assert.deepEqual(r.spec.audiences, ['warden']);
    assert.match(r.status.token, /^wdn_/);
    const expiry = Date.parse(r.status.expirationTimestamp);
    assert.ok(expiry >= Math.floor(before / 1000) * 1000 + 3600_000 && expiry <= Date.now() + 3600_000, r.status.expirationTimestamp);
  });

  test('the token acts as system:serviceaccount:<ns>:<name> in the service-account groups and system:authenticated', async () => {
    const sa = api(w, (await requestToken('shop', 'builder')).status.token);
    ok(await sa.get('/api/v1/namespaces'));
    ok(await sa.get('/api/v1/serviceaccounts'));
    assertStatus(await sa.get('/api/v1/namespaces/shop/resourcequotas'), {
      code: 403, reason: 'Forbidden', message: ['User "system:serviceaccount:shop:builder" cannot list resource "resourcequotas"'],
    });
  });

  test('audiences are echoed, and a request beyond a week is cut to a week', async () => {
    const r = await requestToken('shop', 'builder', { audiences: ['vault'], expirationSeconds: 30 * 24 * 3600 });
    assert.deepEqual(r.spec.audiences, ['vault']);
    assert.equal(r.spec.expirationSeconds, 7 * 24 * 3600);
    assert.ok(Date.parse(r.status.expirationTimestamp) <= Date.now() + 7 * 24 * 3600_000);
  });

  test('the token is listed among tokens without its secret, and deleting it revokes it', async () => {
    const secret = (await requestToken('shop', 'builder')).status.token as string;
    const list = await admin.get(`${tokensPath}?labelSelector=iam.warden.dev/service-account-namespace=shop`);
    assert.ok(!list.text.includes(secret));
    const mine = ok(list).items.filter((t: any) => t.spec.user === 'system:serviceaccount:shop:builder');
    assert.ok(mine.length > 0);
    assert.equal(mine[0].metadata.ownerReferences[0].kind, 'ServiceAccount');
    const sa = api(w, secret);
    ok(await sa.get('/api/v1/serviceaccounts'));
    for (const t of mine) ok(await admin.delete(`${tokensPath}/${t.metadata.name}`));
    assertStatus(await sa.get('/api/v1/serviceaccounts'), { code: 401, reason: 'Unauthorized' });
  });
});

describe('the token dies with its service account', () => {
  test('deleting the service account revokes its tokens; recreating it does not revive them', async () => {
    await freshAccount('shop', 'short-lived');
    const sa = api(w, (await requestToken('shop', 'short-lived')).status.token);
    ok(await sa.get('/api/v1/serviceaccounts'));
    ok(await admin.delete(saPath('shop', 'short-lived')));
    assertStatus(await sa.get('/api/v1/serviceaccounts'), { code: 401, reason: 'Unauthorized' });
    ok(await admin.post(saPath('shop'), serviceAccount('short-lived')), 201);
    assertStatus(await sa.get('/api/v1/serviceaccounts'), { code: 401, reason: 'Unauthorized' });
  });

  test('deleting the namespace revokes the tokens of its service accounts', async () => {
    await freshAccount('doomed', 'worker');
    const sa = api(w, (await requestToken('doomed', 'worker')).status.token);
    ok(await sa.get('/api/v1/serviceaccounts'));
    ok(await admin.delete('/api/v1/namespaces/doomed'));
    assertStatus(await sa.get('/api/v1/serviceaccounts'), { code: 401, reason: 'Unauthorized' });
  });
});

describe('authorization', () => {
  test('without create on serviceaccounts/token in the namespace: 403 in kube\'s words, nothing written', async () => {
    const outsider = api(w, await userWithToken(admin, 'outsider'));
    await assertRefused(w, admin, () => outsider.post(tokenRequestPath('shop', 'builder'), tokenRequest()), {
      code: 403, reason: 'Forbidden',
      message: ['serviceaccounts "builder" is forbidden: User "outsider" cannot create resource "serviceaccounts/token" in API group "" in the namespace "shop"'],
    });
  });

  test('with it, a caller may request a token', async () => {
    const minter = api(w, await userWithToken(admin, 'minter'));
    await grant(admin, { kind: 'User', name: 'minter' }, ['create'], ['serviceaccounts/token']);
    assert.match(ok(await minter.post(tokenRequestPath('shop', 'builder'), tokenRequest()), 201).status.token, /^wdn_/);
  });
});

describe('bad input', () => {
  test('expirationSeconds under 10 minutes is 422 naming the field, in kube\'s words', async () => {
    await assertRefused(w, admin, () => admin.post(tokenRequestPath('shop', 'builder'), tokenRequest({ expirationSeconds: 60 })), {
      code: 422, reason: 'Invalid',
      message: ['TokenRequest.authentication.k8s.io "builder" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes'],
    });
  });

  test('expirationSeconds over 2^32 is 422 naming the field', async () => {
    await assertRefused(w, admin, () => admin.post(tokenRequestPath('shop', 'builder'), tokenRequest({ expirationSeconds: 2 ** 32 + 1 })), {
      code: 422, reason: 'Invalid', message: ['spec.expirationSeconds', 'larger than 2^32 seconds'],
    });
  });

  test('a body naming another service account is 422 naming metadata.name', async () => {
    await assertRefused(w, admin, () => admin.post(tokenRequestPath('shop', 'builder'), tokenRequest({}, { name: 'other' })), {
      code: 422, reason: 'Invalid', message: ['metadata.name', 'must match the service account name'],
    });
  });

  test('a missing service account is 404', async () => {
    await assertRefused(w, admin, () => admin.post(tokenRequestPath('shop', 'ghost'), tokenRequest()), {
      code: 404, reason: 'NotFound', message: ['serviceaccounts "ghost" not found'],
    });
  });

  test('a bound object reference is 400: tokens bind to the service account only', async () => {
    await assertRefused(w, admin, () => admin.post(tokenRequestPath('shop', 'builder'), tokenRequest({ boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p' } })), {
      code: 400, reason: 'BadRequest', message: ['cannot bind token to object of type v1, Kind=Pod'],
    });
  });

  test('a body of another kind is 400', async () => {
    await assertRefused(w, admin, () => admin.post(tokenRequestPath('shop', 'builder'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: {} }), {
      code: 400, reason: 'BadRequest',
    });
  });

  test('an unknown field is refused under fieldValidation=Strict, naming it', async () => {
    const r = await w.http.post(`${tokenRequestPath('shop', 'builder')}?fieldValidation=Strict`).set('Authorization', w.auth)
      .send(tokenRequest({ expirationSecs: 600 }));
    assert.equal(r.status, 400);
    assert.match(r.body.message, /unknown field "spec\.expirationSecs"/);
  });
});
