/**
 * Who may issue a token for whom: `create tokens` for one's own user; for
 * another user also `impersonate` on that user, and on each of its groups
 * the caller is not in (the token will carry them). Refusals are 403 in
 * kube's forbidden wording and write nothing; a refused caller cannot learn
 * whether the user exists.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { clusterRole, clusterRoleBinding, rbacBase, roleRef, user as userSubject } from '../api/builders.ts';
import { api, assertRefused, ok, type Api } from '../api/client.ts';
import { grant, tokenObject, tokensPath, uniqueName, userObject, usersPath, userWithToken } from './support.ts';

let w: TestWarden;
let admin: Api;
let alice: Api;

/** Lets `subject` impersonate exactly the named users or groups. */
async function allowImpersonating(subject: string, resource: 'users' | 'groups', names: string[]): Promise<void> {
  const name = uniqueName('impersonate');
  ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole(name, [{ apiGroups: [''], resources: [resource], verbs: ['impersonate'], resourceNames: names }])), 201);
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding(name, roleRef('ClusterRole', name), [userSubject(subject)])), 201);
}

const issueAs = (as: Api, user: string) => as.post(tokensPath, tokenObject(uniqueName('t'), { user }));

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  alice = api(w, await userWithToken(admin, 'alice'));
  await grant(admin, { kind: 'User', name: 'alice' }, ['create'], ['tokens'], ['iam.warden.dev']);
  ok(await admin.post(usersPath, userObject('bob', ['devs'])), 201);
  ok(await admin.post(usersPath, userObject('carol')), 201);
});
after(async () => { await w?.close(); });

test('create tokens suffices to issue a token for oneself', async () => {
  const body = ok(await issueAs(alice, 'alice'), 201);
  assert.match(body.status.token, /^wdn_/);
});

test('without create tokens, not even for oneself: 403 from the request\'s own authorization', async () => {
  const dan = api(w, await userWithToken(admin, 'dan'));
  await assertRefused(w, admin, () => issueAs(dan, 'dan'), {
    code: 403, reason: 'Forbidden',
    message: ['tokens.iam.warden.dev is forbidden: User "dan" cannot create resource "tokens" in API group "iam.warden.dev" at the cluster scope'],
  });
});

test('a token for another user without impersonate on that user is 403, whether or not the user exists', async () => {
  for (const target of ['carol', 'nobody']) {
    await assertRefused(w, admin, () => issueAs(alice, target), {
      code: 403, reason: 'Forbidden',
      message: [`users "${target}" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope`],
    });
  }
});

test('impersonate on the user allows a token for a user whose groups the caller needs not hold', async () => {
  await allowImpersonating('alice', 'users', ['carol', 'bob']);
  const body = ok(await issueAs(alice, 'carol'), 201);
  assert.equal(body.spec.user, 'carol');
});

test('a user\'s group the caller is not in needs impersonate on that group too', async () => {
  await assertRefused(w, admin, () => issueAs(alice, 'bob'), {
    code: 403, reason: 'Forbidden',
    message: ['groups "devs" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope'],
  });
  await allowImpersonating('alice', 'groups', ['devs']);
  ok(await issueAs(alice, 'bob'), 201);
});

test('impersonating a user by header does not lend that user\'s stored groups to a token it issues', async () => {
  // eve may act as bob (Impersonate-User) and create tokens, but may not act in group devs.
  const eve = await userWithToken(admin, 'eve');
  await allowImpersonating('eve', 'users', ['bob']);
  await grant(admin, { kind: 'User', name: 'bob' }, ['create'], ['tokens'], ['iam.warden.dev']);
  const asBob = api(w, eve, { 'Impersonate-User': 'bob' });
  await assertRefused(w, admin, () => issueAs(asBob, 'bob'), {
    code: 403, reason: 'Forbidden', message: ['groups "devs" is forbidden: User "bob" cannot impersonate resource "groups"'],
  });
});
