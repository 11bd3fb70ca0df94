/**
 * The identity reviews through HTTP: SelfSubjectReview answers the caller as
 * authenticated (after impersonation), TokenReview and the authentication
 * webhook answer what every kind of token Warden issues authenticates as,
 * with kube's audience rules, refusing unknown, expired and revoked tokens
 * without saying which; each endpoint is authorized as kube authorizes it;
 * bad input is a 4xx Status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { clusterRole, clusterRoleBinding, namespace, rbacBase, roleRef, serviceAccount, user, type Obj } from '../api/builders.ts';
import { api, assertRefused, assertStatus, mergePatch, ok, type Api } from '../api/client.ts';
import { issue, secondsFromNow, tokenRequest, tokenRequestPath, tokensPath, uniqueName, userObject, usersPath, userWithToken } from './support.ts';

const selfPath = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const reviewPath = '/apis/authentication.k8s.io/v1/tokenreviews';
const webhookPath = '/webhooks/authentication';
const v1 = 'authentication.k8s.io/v1';
const v1beta1 = 'authentication.k8s.io/v1beta1';
const clusterAudience = 'https://kubernetes.default.svc.cluster.local';

let w: TestWarden;
let admin: Api;
/** Holds system:auth-delegator: may create TokenReviews. */
let checker: Api;
/** May post to /webhooks/authentication, as an API server's webhook identity does. */
let apiserver: Api;
/** Holds only what every authenticated user holds. */
let nobody: Api;
let ivyToken: string;
let saUid: string;
const sa = { ns: 'idr', name: 'builder' };

const tokenReview = (spec: Obj, apiVersion = v1): Obj => ({ apiVersion, kind: 'TokenReview', spec });

async function requestToken(spec: Obj = {}): Promise<string> {
  return ok(await admin.post(tokenRequestPath(sa.ns, sa.name), tokenRequest(spec)), 201).status.token;
}

/** The status a TokenReview of `token` gets through the API (asked by the delegator). */
async function review(token: string, audiences?: string[]): Promise<Obj> {
  const body = ok(await checker.post(reviewPath, tokenReview(audiences ? { token, audiences } : { token })), 201);
  assert.equal(body.apiVersion, v1);
  assert.equal(body.kind, 'TokenReview');
  return body.status;
}

async function bind(name: string, rules: Obj[], subject: string): Promise<void> {
  ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole(name, rules)), 201);
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding(name, roleRef('ClusterRole', name), [user(subject)])), 201);
}

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  checker = api(w, await userWithToken(admin, 'token-checker'));
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('token-checker', roleRef('ClusterRole', 'system:auth-delegator'), [user('token-checker')])), 201);
  apiserver = api(w, await userWithToken(admin, 'kube-apiserver-authn'));
  await bind('warden-authentication-webhook', [{ nonResourceURLs: [webhookPath], verbs: ['post'] }], 'kube-apiserver-authn');
  nobody = api(w, await userWithToken(admin, 'nobody'));
  ivyToken = await userWithToken(admin, 'ivy', ['team-a']);
  ok(await admin.post('/api/v1/namespaces', namespace(sa.ns)), 201);
  saUid = ok(await admin.post(`/api/v1/namespaces/${sa.ns}/serviceaccounts`, serviceAccount(sa.name)), 201).metadata.uid;
});
after(async () => { await w?.close(); });

describe('SelfSubjectReview', () => {
  test('answers the caller as its token authenticates it: name and groups, and a service account\'s uid', async () => {
    const body = ok(await api(w, ivyToken).post(selfPath, { apiVersion: v1, kind: 'SelfSubjectReview' }), 201);
    assert.equal(body.apiVersion, v1);
    assert.equal(body.kind, 'SelfSubjectReview');
    assert.match(body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(body.status, { userInfo: { username: 'ivy', groups: ['team-a', 'system:authenticated'] } });

    const asAdmin = ok(await admin.post(selfPath, {}), 201);
    assert.deepEqual(asAdmin.status.userInfo, { username: 'warden:admin', groups: ['system:masters', 'system:authenticated'] });

    const asAccount = ok(await api(w, await requestToken()).post(selfPath, {}), 201);
    assert.deepEqual(asAccount.status.userInfo, {
      username: 'system:serviceaccount:idr:builder', uid: saUid, groups: ['system:serviceaccounts', 'system:serviceaccounts:idr', 'system:authenticated'],
    });
  });

  test('answers the impersonated identity, as kube-apiserver does', async () => {
    const as = api(w, w.adminToken, { 'Impersonate-User': 'alice', 'Impersonate-Uid': 'a-1' });
    const r = await w.http.post(selfPath).set('Authorization', w.auth).set('Impersonate-User', 'alice').set('Impersonate-Uid', 'a-1')
      .set('Impersonate-Group', 'devs').set('Content-Type', 'application/json').send('{}');
    assert.deepEqual(ok(r, 201).status.userInfo, { username: 'alice', uid: 'a-1', groups: ['devs', 'system:authenticated'] });
    assert.deepEqual(ok(await as.post(selfPath, {}), 201).status.userInfo, { username: 'alice', uid: 'a-1', groups: ['system:authenticated'] });
    const account = api(w, w.adminToken, { 'Impersonate-User': 'system:serviceaccount:idr:builder' });
    assert.deepEqual(ok(await account.post(selfPath, {}), 201).status.userInfo, {
      username: 'system:serviceaccount:idr:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:idr', 'system:authenticated'],
    });
  });

  test('impersonating without the right is 403, and a subject outside system:authenticated may not ask', async () => {
    assertStatus(await api(w, ivyToken, { 'Impersonate-User': 'alice' }).post(selfPath, {}), {
      code: 403, reason: 'Forbidden', message: ['User "ivy" cannot impersonate resource "users"'],
    });
    // system:basic-user (create selfsubjectreviews) is bound to system:authenticated, which an impersonated anonymous user lacks.
    assertStatus(await api(w, w.adminToken, { 'Impersonate-User': 'system:anonymous' }).post(selfPath, {}), {
      code: 403, reason: 'Forbidden',
      message: ['selfsubjectreviews.authentication.k8s.io is forbidden: User "system:anonymous" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope'],
    });
    assertStatus(await w.http.post(selfPath).set('Content-Type', 'application/json').send('{}'), { code: 401, reason: 'Unauthorized' });
  });

  test('a body without apiVersion and kind takes them from the URL; another version or kind is 400', async () => {
    const body = ok(await nobody.post(selfPath, { metadata: {} }), 201);
    assert.deepEqual([body.apiVersion, body.kind], [v1, 'SelfSubjectReview']);
    assertStatus(await nobody.post(selfPath, { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview' }), {
      code: 400, reason: 'BadRequest', message: ['the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version (authentication.k8s.io/v1)'],
    });
    assertStatus(await nobody.post(selfPath, { apiVersion: v1, kind: 'TokenReview' }), {
      code: 400, reason: 'BadRequest', message: ['the kind in the data (TokenReview) does not match the expected kind (SelfSubjectReview)'],
    });
    assertStatus(await nobody.post(selfPath, '{"apiVersion":'), { code: 400, reason: 'BadRequest' });
  });
});

describe('TokenReview: every kind of token', () => {
  test('the configured admin token: warden:admin in system:masters, for Warden\'s audience', async () => {
    assert.deepEqual(await review(w.adminToken), {
      authenticated: true, user: { username: 'warden:admin', groups: ['system:masters', 'system:authenticated'] }, audiences: ['warden'],
    });
  });

  test('a User\'s token: the user with its stored groups as they are now', async () => {
    assert.deepEqual(await review(ivyToken), {
      authenticated: true, user: { username: 'ivy', groups: ['team-a', 'system:authenticated'] }, audiences: ['warden'],
    });
    ok(await admin.patch(`${usersPath}/ivy`, { spec: { groups: ['team-a', 'team-b'] } }, mergePatch));
    assert.deepEqual((await review(ivyToken)).user.groups, ['team-a', 'team-b', 'system:authenticated']);
  });

  test('a service account\'s token from TokenRequest: the account with its uid and groups', async () => {
    const token = await requestToken();
    const body = ok(await checker.post(reviewPath, tokenReview({ token })), 201);
    assert.deepEqual(body, {
      apiVersion: v1, kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: { token },
      status: {
        authenticated: true, audiences: ['warden'],
        user: { username: 'system:serviceaccount:idr:builder', uid: saUid, groups: ['system:serviceaccounts', 'system:serviceaccounts:idr', 'system:authenticated'] },
      },
    });
  });

  test('an unknown token is not authenticated, with kube\'s error and nothing more', async () => {
    const body = ok(await checker.post(reviewPath, tokenReview({ token: 'wdn_not-a-token' })), 201);
    assert.deepEqual(body.status, { user: {}, error: 'invalid bearer token' });
  });

  test('an expired token is refused from the second it expires, saying no more than for an unknown one', async () => {
    ok(await admin.post(usersPath, userObject('brief')), 201);
    const expiresAt = secondsFromNow(1);
    const token = (await issue(admin, uniqueName('brief'), { user: 'brief', expirationTimestamp: expiresAt })).status.token;
    assert.equal((await review(token)).authenticated, true);
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 50));
    assert.deepEqual(await review(token), { user: {}, error: 'invalid bearer token' });
  });

  test('a revoked token is refused: the token deleted, its user deleted, its service account deleted', async () => {
    ok(await admin.post(usersPath, userObject('leaver')), 201);
    const revoked = await issue(admin, uniqueName('leaver'), { user: 'leaver' });
    const kept = (await issue(admin, uniqueName('leaver'), { user: 'leaver' })).status.token;
    assert.equal((await review(revoked.status.token)).authenticated, true);
    ok(await admin.delete(`${tokensPath}/${revoked.metadata.name}`));
    assert.deepEqual(await review(revoked.status.token), { user: {}, error: 'invalid bearer token' });
    assert.equal((await review(kept)).authenticated, true);
    ok(await admin.delete(`${usersPath}/leaver`));
    assert.deepEqual(await review(kept), { user: {}, error: 'invalid bearer token' });

    ok(await admin.post(`/api/v1/namespaces/${sa.ns}/serviceaccounts`, serviceAccount('temp')), 201);
    const saToken = ok(await admin.post(tokenRequestPath(sa.ns, 'temp'), tokenRequest()), 201).status.token;
    assert.equal((await review(saToken)).authenticated, true);
    ok(await admin.delete(`/api/v1/namespaces/${sa.ns}/serviceaccounts/temp`));
    assert.deepEqual(await review(saToken), { user: {}, error: 'invalid bearer token' });
  });

  test('the reviewed token is checked, not the caller\'s: reviewing one\'s own token works like any other', async () => {
    const own = api(w, ivyToken);
    assertStatus(await own.post(reviewPath, tokenReview({ token: ivyToken })), { code: 403, reason: 'Forbidden' });
    const status = await review(ivyToken);
    assert.equal(status.user.username, 'ivy');
  });
});

describe('TokenReview: audiences', () => {
  test('an audience-agnostic token is good for Warden\'s audience only: asked for another, it is not authenticated', async () => {
    assert.deepEqual((await review(ivyToken, ['warden'])).audiences, ['warden']);
    assert.deepEqual((await review(ivyToken, ['vault', 'warden'])).audiences, ['warden']);
    assert.deepEqual(await review(ivyToken, ['vault']), { user: {}, error: 'invalid bearer token' });
  });

  test('a token issued for audiences is good for those asked for, and Warden\'s own only if it was issued for it', async () => {
    const vault = await requestToken({ audiences: ['vault', 'ci'] });
    const asked = await review(vault, ['ci', 'other', 'vault']);
    assert.equal(asked.authenticated, true);
    assert.deepEqual(asked.audiences, ['vault', 'ci'], 'the intersection, in the token\'s order');
    assert.equal(asked.user.username, 'system:serviceaccount:idr:builder');
    assert.deepEqual(await review(vault), {
      user: {}, error: 'token audiences ["vault" "ci"] is invalid for the target audiences ["warden"]',
    });
    assert.deepEqual(await review(vault, ['other']), {
      user: {}, error: 'token audiences ["vault" "ci"] is invalid for the target audiences ["other"]',
    });
  });

  test('a token issued for other audiences alone does not authenticate requests to Warden', async () => {
    const vault = await requestToken({ audiences: ['vault'] });
    assertStatus(await api(w, vault).get('/api/v1/namespaces'), { code: 401, reason: 'Unauthorized' });
    const both = await requestToken({ audiences: ['vault', 'warden'] });
    assert.equal((await api(w, both).post(selfPath, {})).status, 201);
  });

  test('a User\'s token may name audiences when issued; they are immutable and must not be empty', async () => {
    ok(await admin.post(usersPath, userObject('aud-user')), 201);
    const issued = await issue(admin, 'aud-user-vault', { user: 'aud-user', audiences: ['vault'] });
    assert.deepEqual(issued.spec.audiences, ['vault']);
    assert.deepEqual((await review(issued.status.token, ['vault'])).audiences, ['vault']);
    assertStatus(await api(w, issued.status.token).get('/api/v1/namespaces'), { code: 401, reason: 'Unauthorized' });
    assertStatus(await admin.patch(`${tokensPath}/aud-user-vault`, { spec: { audiences: ['warden'] } }, mergePatch), {
      code: 422, reason: 'Invalid', message: ['spec.audiences: Invalid value', 'field is immutable'],
    });
    assertStatus(await admin.patch(`${tokensPath}/aud-user-vault`, { spec: { audiences: null } }, mergePatch), {
      code: 422, reason: 'Invalid', message: ['spec.audiences'],
    });
    await assertRefused(w, admin, () => admin.post(tokensPath, { apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name: 'aud-empty' }, spec: { user: 'aud-user', audiences: [''] } }), {
      code: 422, reason: 'Invalid', message: ['spec.audiences[0]: Invalid value: "": must be a non-empty string'],
    });
  });
});

describe('the authentication webhook', () => {
  test('a v1 TokenReview comes back as v1 with its status; an audience-agnostic token names no audiences, so the API server takes it for its own', async () => {
    const r = await apiserver.post(webhookPath, tokenReview({ token: ivyToken, audiences: [clusterAudience] }));
    assert.deepEqual(ok(r, 200), {
      apiVersion: v1, kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: { token: ivyToken, audiences: [clusterAudience] },
      status: { authenticated: true, user: { username: 'ivy', groups: ['team-a', 'team-b', 'system:authenticated'] } },
    });
  });

  test('a v1beta1 TokenReview, as --authentication-token-webhook-version=v1beta1 sends it, comes back as v1beta1', async () => {
    const body = ok(await apiserver.post(webhookPath, tokenReview({ token: w.adminToken }, v1beta1)), 200);
    assert.equal(body.apiVersion, v1beta1);
    assert.equal(body.kind, 'TokenReview');
    assert.deepEqual(body.status, { authenticated: true, user: { username: 'warden:admin', groups: ['system:masters', 'system:authenticated'] } });
    const unknown = ok(await apiserver.post(webhookPath, tokenReview({ token: 'nope' }, v1beta1)), 200);
    assert.deepEqual(unknown.status, { user: {}, error: 'invalid bearer token' });
  });

  test('a service account token is good for the API server only when issued for its audience', async () => {
    const own = await requestToken();
    const refused = ok(await apiserver.post(webhookPath, tokenReview({ token: own, audiences: [clusterAudience] })), 200);
    assert.deepEqual(refused.status, { user: {}, error: `token audiences ["warden"] is invalid for the target audiences ["${clusterAudience}"]` });
    const forCluster = await requestToken({ audiences: [clusterAudience] });
    const accepted = ok(await apiserver.post(webhookPath, tokenReview({ token: forCluster, audiences: [clusterAudience] })), 200);
    assert.deepEqual(accepted.status.audiences, [clusterAudience]);
    assert.equal(accepted.status.user.uid, saUid);
  });

  test('an expired or revoked token is not authenticated', async () => {
    ok(await admin.post(usersPath, userObject('hook-leaver')), 201);
    const t = await issue(admin, uniqueName('hook'), { user: 'hook-leaver' });
    ok(await admin.delete(`${tokensPath}/${t.metadata.name}`));
    const body = ok(await apiserver.post(webhookPath, tokenReview({ token: t.status.token })), 200);
    assert.deepEqual(body.status, { user: {}, error: 'invalid bearer token' });
  });
});

describe('authorization', () => {
  test('TokenReviews need create on tokenreviews (system:auth-delegator): 403 in kube\'s words without it', async () => {
    assertStatus(await nobody.post(reviewPath, tokenReview({ token: ivyToken })), {
      code: 403, reason: 'Forbidden',
      message: ['tokenreviews.authentication.k8s.io is forbidden: User "nobody" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope'],
    });
    assertStatus(await apiserver.post(reviewPath, tokenReview({ token: ivyToken })), { code: 403, reason: 'Forbidden' });
    assertStatus(await w.http.post(reviewPath).set('Content-Type', 'application/json').send(JSON.stringify(tokenReview({ token: ivyToken }))), { code: 401, reason: 'Unauthorized' });
  });

  test('the webhook needs post on /webhooks/authentication, which create tokenreviews does not give', async () => {
    assertStatus(await nobody.post(webhookPath, tokenReview({ token: ivyToken })), {
      code: 403, reason: 'Forbidden', message: ['User "nobody" cannot post path "/webhooks/authentication"'],
    });
    assertStatus(await checker.post(webhookPath, tokenReview({ token: ivyToken })), { code: 403, reason: 'Forbidden' });
  });

  test('a refusal of the caller never reveals anything about the reviewed token', async () => {
    const good = await nobody.post(reviewPath, tokenReview({ token: ivyToken }));
    const bad = await nobody.post(reviewPath, tokenReview({ token: 'wdn_unknown' }));
    assert.equal(good.status, 403);
    assert.equal(good.text, bad.text);
  });
});

describe('bad input', () => {
  for (const [name, path, code] of [['the API', reviewPath, 201], ['the webhook', webhookPath, 200]] as const) {
    test(`${name}: no token is 400 in kube's words; a wrongly typed field is 400 naming it; nothing is 5xx`, async () => {
      const as = path === reviewPath ? checker : apiserver;
      for (const spec of [{}, { token: '' }, { audiences: ['warden'] }]) {
        assertStatus(await as.post(path, tokenReview(spec)), { code: 400, reason: 'BadRequest', message: ['token is required for TokenReview in authentication'] });
      }
      assertStatus(await as.post(path, { apiVersion: v1, kind: 'TokenReview' }), { code: 400, reason: 'BadRequest', message: ['token is required for TokenReview in authentication'] });
      const typed = assertStatus(await as.post(path, tokenReview({ token: 7 })), { code: 400, reason: 'BadRequest' });
      assert.equal(typed.details.causes[0].field, 'spec.token');
      const auds = assertStatus(await as.post(path, tokenReview({ token: ivyToken, audiences: 'warden' })), { code: 400, reason: 'BadRequest' });
      assert.equal(auds.details.causes[0].field, 'spec.audiences');
      assertStatus(await as.post(path, { apiVersion: v1, kind: 'SubjectAccessReview', spec: { token: ivyToken } }), {
        code: 400, reason: 'BadRequest', message: ['the kind in the data (SubjectAccessReview) does not match the expected kind (TokenReview)'],
      });
      assertStatus(await as.post(path, tokenReview({ token: ivyToken }, 'authentication.k8s.io/v1alpha1')), {
        code: 400, reason: 'BadRequest', message: ['the API version in the data (authentication.k8s.io/v1alpha1) does not match the expected API version (authentication.k8s.io/v1)'],
      });
      assertStatus(await as.post(path, '{"spec":{"token":'), { code: 400, reason: 'BadRequest' });
      assertStatus(await as.post(path, '[1,2]'), { code: 400, reason: 'BadRequest' });
      // A body without apiVersion and kind takes them from the URL.
      const bare = ok(await as.post(path, { spec: { token: ivyToken } }), code);
      assert.deepEqual([bare.apiVersion, bare.kind, bare.status.authenticated], [v1, 'TokenReview', true]);
    });
  }

  test('the API takes v1 only: a v1beta1 body there is 400', async () => {
    assertStatus(await checker.post(reviewPath, tokenReview({ token: ivyToken }, v1beta1)), {
      code: 400, reason: 'BadRequest', message: ['the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version (authentication.k8s.io/v1)'],
    });
  });
});

describe('discovery', () => {
  test('authentication.k8s.io/v1 lists selfsubjectreviews and tokenreviews, create only', async () => {
    const list = ok(await nobody.get('/apis/authentication.k8s.io/v1'));
    const byName = Object.fromEntries((list.resources as Obj[]).map((r) => [r.name, r]));
    for (const [name, kind] of [['selfsubjectreviews', 'SelfSubjectReview'], ['tokenreviews', 'TokenReview']]) {
      assert.equal(byName[name]?.kind, kind, name);
      assert.equal(byName[name].namespaced, false);
      assert.deepEqual(byName[name].verbs, ['create']);
    }
  });
});
