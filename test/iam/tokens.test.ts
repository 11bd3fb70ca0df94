/**
 * iam.warden.dev Tokens through HTTP: issue (the secret once, only its hash
 * stored), act as the user with the user's stored groups, never show the
 * secret again, change only what may change, revoke, expire, and stop with
 * the user they are bound to. Bad input is 4xx naming the field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, applyPatch, assertRefused, assertStatus, mergePatch, ok, type Api } from '../api/client.ts';
import { grant, issue, secondsFromNow, tokenObject, tokensPath, uniqueName, userObject, usersPath, userWithToken } from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  // Every authenticated caller may list service accounts; group `readers` may list namespaces.
  await grant(admin, { kind: 'Group', name: 'system:authenticated' }, ['list'], ['serviceaccounts']);
  await grant(admin, { kind: 'Group', name: 'readers' }, ['list'], ['namespaces']);
});
after(async () => { await w?.close(); });

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const unauthorized = { code: 401, reason: 'Unauthorized' };

describe('issuing', () => {
  test('issuing shows the secret once in status.token and stores only its SHA-256 hash', async () => {
    ok(await admin.post(usersPath, userObject('ann')), 201);
    const body = await issue(admin, 'ann-laptop', { user: 'ann', description: 'laptop' });
    const secret = body.status.token as string;
    assert.match(secret, /^wdn_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(body.spec, { user: 'ann', description: 'laptop' });
    assert.deepEqual(body.metadata.ownerReferences.map((r: { kind: string; name: string }) => [r.kind, r.name]), [['User', 'ann']]);

    const row = await w.warden.deps.db.prisma.token.findUnique({ where: { name: 'ann-laptop' } });
    assert.equal(row?.hash, sha256(secret));
    assert.ok(!JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes(secret), 'the row holds no secret');
    const changes = await w.warden.deps.db.prisma.change.findMany({ where: { kind: 'Token', name: 'ann-laptop' } });
    assert.ok(changes.length > 0, 'the issue is in the change history');
    assert.ok(!JSON.stringify(changes, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes(secret), 'the change history holds no secret');
  });

  test('get, list and a later update never show the secret or its hash', async () => {
    ok(await admin.post(usersPath, userObject('ben')), 201);
    const secret = (await issue(admin, 'ben-ci', { user: 'ben' })).status.token as string;
    const responses = {
      get: await admin.get(`${tokensPath}/ben-ci`),
      list: await admin.get(tokensPath),
      patch: await admin.patch(`${tokensPath}/ben-ci`, { spec: { description: 'ci' } }, mergePatch),
    };
    for (const [what, r] of Object.entries(responses)) {
      ok(r);
      assert.ok(!r.text.includes(secret) && !r.text.includes(sha256(secret)), `${what} shows no secret`);
    }
    assert.equal(responses.get.body.status, undefined);
    assert.ok(responses.list.body.items.every((t: { status?: unknown }) => t.status === undefined));
  });

  test('a dry run validates and answers without minting or storing anything', async () => {
    ok(await admin.post(usersPath, userObject('cleo')), 201);
    const r = await w.http.post(`${tokensPath}?dryRun=All`).set('Authorization', w.auth).send(tokenObject('cleo-dry', { user: 'cleo' }));
    assert.equal(r.status, 201);
    assert.equal(r.body.status, undefined);
    assert.equal((await admin.get(`${tokensPath}/cleo-dry`)).status, 404);
  });
});

describe('acting as the user', () => {
  test('a token acts as its user with the user\'s stored groups and system:authenticated', async () => {
    const secret = await userWithToken(admin, 'dora', ['readers']);
    const dora = api(w, secret);
    ok(await dora.get('/api/v1/namespaces'));
    ok(await dora.get('/api/v1/serviceaccounts'));
    assertStatus(await dora.get('/api/v1/namespaces/default/resourcequotas'), {
      code: 403, reason: 'Forbidden', message: ['User "dora" cannot list resource "resourcequotas"'],
    });
  });

  test('a group change on the User takes effect at the token\'s next request', async () => {
    const secret = await userWithToken(admin, 'eli');
    const eli = api(w, secret);
    assert.equal((await eli.get('/api/v1/namespaces')).status, 403);
    ok(await admin.patch(`${usersPath}/eli`, { spec: { groups: ['readers'] } }, mergePatch));
    ok(await eli.get('/api/v1/namespaces'));
    ok(await admin.patch(`${usersPath}/eli`, { spec: { groups: [] } }, mergePatch));
    assert.equal((await eli.get('/api/v1/namespaces')).status, 403);
  });
});

describe('revocation and expiry', () => {
  test('DELETE revokes: the token is refused with 401 at its next request', async () => {
    ok(await admin.post(usersPath, userObject('finn')), 201);
    const finn = api(w, (await issue(admin, 'finn-token', { user: 'finn' })).status.token);
    ok(await finn.get('/api/v1/serviceaccounts'));
    ok(await admin.delete(`${tokensPath}/finn-token`));
    assertStatus(await finn.get('/api/v1/serviceaccounts'), unauthorized);
  });

  test('a token stops working the moment its expirationTimestamp passes', async () => {
    const expiry = secondsFromNow(2);
    const secret = await userWithToken(admin, 'gus', [], { expirationTimestamp: expiry });
    const gus = api(w, secret);
    ok(await gus.get('/api/v1/serviceaccounts'));
    await new Promise((r) => setTimeout(r, Date.parse(expiry) - Date.now() + 50));
    assertStatus(await gus.get('/api/v1/serviceaccounts'), unauthorized);
  });

  test('deleting the user revokes its tokens, and a new user of the same name does not revive them', async () => {
    const secret = await userWithToken(admin, 'hal');
    const hal = api(w, secret);
    ok(await hal.get('/api/v1/serviceaccounts'));
    ok(await admin.delete(`${usersPath}/hal`));
    assertStatus(await hal.get('/api/v1/serviceaccounts'), unauthorized);
    ok(await admin.post(usersPath, userObject('hal')), 201);
    assertStatus(await hal.get('/api/v1/serviceaccounts'), unauthorized);
  });
});

describe('updates', () => {
  let token: Record<string, any>;
  before(async () => {
    ok(await admin.post(usersPath, userObject('ivy')), 201);
    ok(await admin.post(usersPath, userObject('jay')), 201);
    const { status: _secret, ...stored } = await issue(admin, 'ivy-token', { user: 'ivy', expirationTimestamp: secondsFromNow(3600) });
    token = stored;
  });

  test('labels, annotations and the description may change', async () => {
    const r = ok(await admin.patch(`${tokensPath}/ivy-token`, { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } }, spec: { description: 'renamed' } }, mergePatch));
    assert.equal(r.spec.description, 'renamed');
    assert.equal(r.metadata.labels.team, 'a');
    assert.deepEqual(r.spec.user, 'ivy');
  });

  const immutables: { name: string; patch: Record<string, unknown>; field: string }[] = [
    { name: 'the user', patch: { spec: { user: 'jay' } }, field: 'spec.user' },
    { name: 'the expiry', patch: { spec: { expirationTimestamp: null } }, field: 'spec.expirationTimestamp' },
    { name: 'the groups', patch: { spec: { groups: ['system:masters'] } }, field: 'spec.groups' },
  ];
  for (const c of immutables) {
    test(`${c.name} may not change: 422 naming ${c.field}, nothing written`, async () => {
      await assertRefused(w, admin, () => admin.patch(`${tokensPath}/ivy-token`, c.patch, mergePatch), {
        code: 422, reason: 'Invalid', message: [c.field, 'field is immutable'],
      });
    });
  }

  test('the binding to the user is the server\'s: an update cannot drop or change it', async () => {
    const r = ok(await admin.patch(`${tokensPath}/ivy-token`, { metadata: { ownerReferences: null } }, mergePatch));
    assert.equal(r.metadata.ownerReferences[0].name, 'ivy');
  });

  test('PUT of a missing token is 404 and apply of a missing token is 405: only issuance creates tokens', async () => {
    await assertRefused(w, admin, () => admin.put(`${tokensPath}/made-up`, tokenObject('made-up', { user: 'ivy' })), { code: 404, reason: 'NotFound' });
    await assertRefused(w, admin, () => w.http.patch(`${tokensPath}/made-up?fieldManager=test`).set('Authorization', w.auth).set('Content-Type', applyPatch)
      .send(JSON.stringify(tokenObject('made-up', { user: 'ivy' }))), { code: 405, reason: 'MethodNotAllowed', message: ['only by POST'] });
    assert.ok(token.metadata.uid);
  });
});

describe('bad input', () => {
  before(async () => {
    ok(await admin.post(usersPath, userObject('kim')), 201);
  });
  const cases: { name: string; spec: Record<string, unknown>; field: string; message: string }[] = [
    { name: 'groups set', spec: { user: 'kim', groups: ['system:masters'] }, field: 'spec.groups', message: 'Forbidden' },
    { name: 'a past expiry', spec: { user: 'kim', expirationTimestamp: '2020-01-01T00:00:00Z' }, field: 'spec.expirationTimestamp', message: 'must be in the future' },
    { name: 'an expiry over a year away', spec: { user: 'kim', expirationTimestamp: secondsFromNow(366 * 24 * 3600) }, field: 'spec.expirationTimestamp', message: 'at most 31536000 seconds' },
    { name: 'an expiry that is no date-time', spec: { user: 'kim', expirationTimestamp: 'tomorrow' }, field: 'spec.expirationTimestamp', message: 'RFC 3339' },
    { name: 'a missing user', spec: { user: 'nobody' }, field: 'spec.user', message: 'Not found: "nobody"' },
    { name: 'no user', spec: { description: 'x' }, field: 'spec.user', message: 'Required value' },
    { name: 'a user name that no User may have', spec: { user: 'system:admin' }, field: 'spec.user', message: 'reserved' },
  ];
  for (const c of cases) {
    test(`${c.name} is 422 naming ${c.field}, and nothing is written`, async () => {
      const status = await assertRefused(w, admin, () => admin.post(tokensPath, tokenObject(uniqueName('bad'), c.spec)), {
        code: 422, reason: 'Invalid', message: [c.field, c.message],
      });
      assert.ok(status.details.causes.some((x: { field: string }) => x.field === c.field));
    });
  }

  test('a bad token name is 422 naming metadata.name', async () => {
    await assertRefused(w, admin, () => admin.post(tokensPath, tokenObject('Not_A_Name', { user: 'kim' })), {
      code: 422, reason: 'Invalid', message: ['metadata.name'],
    });
  });

  test('an unknown field is refused under fieldValidation=Strict, naming it', async () => {
    const r = await w.http.post(`${tokensPath}?fieldValidation=Strict`).set('Authorization', w.auth)
      .send(tokenObject('strict', { user: 'kim', expirationSeconds: 600 }));
    assert.equal(r.status, 400);
    assert.match(r.body.message, /unknown field "spec\.expirationSeconds"/);
    assert.equal((await admin.get(`${tokensPath}/strict`)).status, 404);
  });

  test('a token name already taken is 409 AlreadyExists', async () => {
    await issue(admin, 'kim-once', { user: 'kim' });
    await assertRefused(w, admin, () => admin.post(tokensPath, tokenObject('kim-once', { user: 'kim' })), { code: 409, reason: 'AlreadyExists' });
  });
});
