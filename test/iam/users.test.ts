/**
 * iam.warden.dev Users through HTTP: the generic CRUD, the name and groups
 * rules (422 naming the field, nothing written), that adding a group to a
 * user takes `impersonate` on that group, and that only a member of
 * system:masters may put a user in system:masters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, mergePatch, applyPatch, ok, type Api } from '../api/client.ts';
import { grant, userObject, usersPath, userWithToken } from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
});
after(async () => { await w?.close(); });

describe('User CRUD', () => {
  test('a user is created, read, listed, replaced, patched, applied and deleted as any kube object', async () => {
    const created = ok(await admin.post(usersPath, userObject('ada@example.com', ['devs'])), 201);
    assert.deepEqual(created.spec, { groups: ['devs'] });
    assert.equal(created.apiVersion, 'iam.warden.dev/v1');
    assert.ok(created.metadata.uid);

    assert.deepEqual(ok(await admin.get(`${usersPath}/ada@example.com`)).spec, { groups: ['devs'] });
    const list = ok(await admin.get(usersPath));
    assert.equal(list.kind, 'UserList');
    assert.ok(list.items.some((u: { metadata: { name: string } }) => u.metadata.name === 'ada@example.com'));

    const replaced = ok(await admin.put(`${usersPath}/ada@example.com`, { ...created, spec: { groups: ['devs', 'ops'] } }));
    assert.deepEqual(replaced.spec.groups, ['devs', 'ops']);
    const patched = ok(await admin.patch(`${usersPath}/ada@example.com`, { spec: { groups: ['ops'] } }, mergePatch));
    assert.deepEqual(patched.spec.groups, ['ops']);
    const applied = ok(await w.http.patch(`${usersPath}/grace?fieldManager=test`).set('Authorization', w.auth).set('Content-Type', applyPatch)
      .send(JSON.stringify(userObject('grace', ['qa']))), 201);
    assert.deepEqual(applied.spec.groups, ['qa']);

    ok(await admin.delete(`${usersPath}/ada@example.com`));
    assert.equal((await admin.get(`${usersPath}/ada@example.com`)).status, 404);
  });

  test('a user without groups is stored with an empty list', async () => {
    assert.deepEqual(ok(await admin.post(usersPath, userObject('plain')), 201).spec, { groups: [] });
  });
});

describe('User validation', () => {
  const cases: { name: string; body: Record<string, unknown>; field: string; message: string }[] = [
    { name: 'a name in the system: namespace', body: userObject('system:kube-proxy'), field: 'metadata.name', message: 'reserved' },
    { name: 'a name with a slash', body: userObject('a/b'), field: 'metadata.name', message: 'a user name must consist of' },
    { name: 'a name with a space', body: userObject('ada lovelace'), field: 'metadata.name', message: 'a user name must consist of' },
    { name: 'a name ending in a dot', body: userObject('ada.'), field: 'metadata.name', message: 'must start and end with an alphanumeric' },
    { name: 'an empty group', body: userObject('eve', ['devs', '']), field: 'spec.groups[1]', message: 'Required value' },
    { name: 'a duplicate group', body: userObject('eve', ['devs', 'devs']), field: 'spec.groups[1]', message: 'Duplicate value: "devs"' },
    { name: 'a group with blanks around it', body: userObject('eve', [' devs']), field: 'spec.groups[0]', message: 'whitespace' },
  ];
  for (const c of cases) {
    test(`${c.name} is 422 naming ${c.field}, and nothing is written`, async () => {
      const status = await assertRefused(w, admin, () => admin.post(usersPath, c.body), { code: 422, reason: 'Invalid', message: [c.field, c.message] });
      assert.ok(status.details.causes.some((x: { field: string }) => x.field === c.field), JSON.stringify(status.details));
    });
  }

  test('a group that is not a string is refused by the contract, naming the field', async () => {
    const r = await admin.post(usersPath, { ...userObject('eve'), spec: { groups: [7] } });
    assert.equal(r.status, 400);
    assert.equal(r.body.details.causes[0].field, 'spec.groups[0]');
  });

  test('an unknown field is refused under fieldValidation=Strict, naming it', async () => {
    const r = await w.http.post(`${usersPath}?fieldValidation=Strict`).set('Authorization', w.auth)
      .send({ ...userObject('eve'), spec: { groups: [], roles: ['admin'] } });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /unknown field "spec\.roles"/);
  });
});

describe('system:masters', () => {
  let manager: Api;
  before(async () => {
    // A user manager: may write users, is not in system:masters.
    const secret = await userWithToken(admin, 'user-manager');
    await grant(admin, { kind: 'User', name: 'user-manager' }, ['create', 'update', 'patch', 'get'], ['users'], ['iam.warden.dev']);
    await grant(admin, { kind: 'User', name: 'user-manager' }, ['impersonate'], ['groups']);
    manager = api(w, secret);
  });

  test('a user manager outside system:masters who may act as any group may write ordinary groups', async () => {
    ok(await manager.post(usersPath, userObject('dev-1', ['devs'])), 201);
  });

  test('a user manager outside system:masters may not create a user in system:masters: 403, nothing written', async () => {
    await assertRefused(w, admin, () => manager.post(usersPath, userObject('root-1', ['system:masters'])), {
      code: 403, reason: 'Forbidden',
      message: ['users.iam.warden.dev "root-1" is forbidden', 'user "user-manager" is not in group "system:masters"'],
    });
  });

  test('nor add system:masters to an existing user by patch', async () => {
    ok(await manager.post(usersPath, userObject('dev-2', ['devs'])), 201);
    await assertRefused(w, admin, () => manager.patch(`${usersPath}/dev-2`, { spec: { groups: ['devs', 'system:masters'] } }, mergePatch), {
      code: 403, reason: 'Forbidden', message: ['users.iam.warden.dev "dev-2" is forbidden'],
    });
    assert.deepEqual(ok(await admin.get(`${usersPath}/dev-2`)).spec.groups, ['devs']);
  });

  test('a member of system:masters may', async () => {
    ok(await admin.post(usersPath, userObject('root-2', ['system:masters'])), 201);
  });
});

describe('adding a group to a user takes the right to act as that group', () => {
  let self: Api;
  before(async () => {
    // A user who may patch its own User object, and nothing about groups.
    const secret = await userWithToken(admin, 'mallory', ['shop-devs']);
    ok(await admin.post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'edit-self' },
      rules: [{ apiGroups: ['iam.warden.dev'], resources: ['users'], resourceNames: ['mallory'], verbs: ['get', 'update', 'patch'] }],
    }), 201);
    ok(await admin.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'edit-self' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'mallory' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit-self' },
    }), 201);
    self = api(w, secret);
  });

  test('a user who may patch its own User cannot give itself a group: 403 naming the group, nothing written', async () => {
    for (const send of [
      () => self.patch(`${usersPath}/mallory`, { spec: { groups: ['shop-devs', 'shop-admins'] } }, mergePatch),
      () => self.patch(`${usersPath}/mallory`, [{ op: 'add', path: '/spec/groups/-', value: 'shop-admins' }], 'application/json-patch+json'),
      async () => self.put(`${usersPath}/mallory`, { ...ok(await self.get(`${usersPath}/mallory`)), spec: { groups: ['shop-admins'] } }),
    ]) {
      await assertRefused(w, admin, send, {
        code: 403, reason: 'Forbidden',
        message: ['users.iam.warden.dev "mallory" is forbidden', 'adding group "shop-admins" to a user lets it act as that group', 'cannot impersonate resource "groups"'],
      });
    }
    assert.deepEqual(ok(await admin.get(`${usersPath}/mallory`)).spec.groups, ['shop-devs']);
  });

  test('it may keep or drop the groups it has, and add one once it may act as it', async () => {
    ok(await self.patch(`${usersPath}/mallory`, { spec: { groups: [] } }, mergePatch));
    await grant(admin, { kind: 'User', name: 'mallory' }, ['impersonate'], ['groups']);
    assert.deepEqual(ok(await self.patch(`${usersPath}/mallory`, { spec: { groups: ['shop-admins'] } }, mergePatch)).spec.groups, ['shop-admins']);
  });
});
