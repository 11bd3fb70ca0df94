/**
 * The access-review endpoints around the decision: what a deny says,
 * LocalSubjectAccessReview's namespace rules, SelfSubjectAccessReview for
 * the caller (own token or impersonated), the batch form, and the
 * authorization webhook's answers for kube-apiserver (v1 and v1beta1).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, as, assertStatus, clusterRole, clusterRoleBinding, group, issueToken, ok, paths, res, revision, reviewOf, role, roleBinding,
  roleRef, rule, sar, url, user, type Api, type Obj,
} from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    role('reader', [rule(['get', 'list'], ['pods'])], { namespace: 'ar' }),
    roleBinding('to-ghost', roleRef('Role', 'ghost'), [user('deny-user')], { namespace: 'ar' }),
    roleBinding('to-reader', roleRef('Role', 'reader'), [user('deny-user'), user('ssar-user'), group('readers')], { namespace: 'ar' }),
    ...['one', 'two', 'three', 'four'].map((n) => roleBinding(`many-${n}`, roleRef('Role', 'reader'), [user('many-user')], { namespace: 'ar' })),
    clusterRole('ar-urls', [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]),
    clusterRoleBinding('ar-urls', roleRef('ClusterRole', 'ar-urls'), [group('scrapers')]),
    roleBinding('ar-admin', roleRef('ClusterRole', 'admin'), [user('ns-admin')], { namespace: 'ar' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ar-other' } },
    clusterRole('warden-authz-webhook', [{ verbs: ['post'], nonResourceURLs: ['/webhooks/authorization'] }]),
    clusterRoleBinding('kube-apiserver-webhook', roleRef('ClusterRole', 'warden-authz-webhook'), [user('kube-apiserver')]),
  ]);
});
after(async () => { await w?.close(); });

describe('deny reasons', () => {
  test('a subject no binding applies to is told so, for resources and for URLs', async () => {
    assert.equal((await sar(admin, { user: 'nobody', ...res('get', 'pods', { namespace: 'ar' }) })).reason,
      'RBAC: denied "get" on resource "pods" in API group "" in namespace "ar" for User "nobody": ' +
      'no ClusterRoleBinding or RoleBinding in namespace "ar" applies to the user or its groups');
    assert.equal((await sar(admin, { user: 'nobody', groups: ['g1'], ...url('get', '/healthz') })).reason,
      'RBAC: denied "get" on non-resource URL "/healthz" for User "nobody" (groups "g1"): ' +
      'no ClusterRoleBinding applies to the user or its groups (only ClusterRoleBindings grant non-resource URLs)');
  });

  test('a deny names the bindings that applied, those to a missing role first, and what no rule matched', async () => {
    const status = await sar(admin, { user: 'deny-user', ...res('delete', 'pods', { namespace: 'ar', name: 'web' }) });
    assert.equal(status.allowed, false);
    assert.equal(status.reason,
      'RBAC: denied "delete" on resource "pods" named "web" in API group "" in namespace "ar" for User "deny-user": ' +
      '2 bindings apply, 1 of them to a missing role, and no rule of their roles matches the verb, API group, resource and name ' +
      '(RoleBinding "to-ghost/ar" of Role "ghost" (not found); RoleBinding "to-reader/ar" of Role "reader")');
  });

  test('a deny names at most three bindings and counts the rest', async () => {
    const status = await sar(admin, { user: 'many-user', ...res('delete', 'pods', { namespace: 'ar' }) });
    assert.match(status.reason ?? '', /: 4 bindings apply, and no rule of their roles matches the verb, API group, resource and name \(RoleBinding "many-[a-z]+\/ar" of Role "reader"(; RoleBinding "many-[a-z]+\/ar" of Role "reader"){2}; and 1 more\)$/);
  });
});

describe('LocalSubjectAccessReview', () => {
  const local = (spec: Obj, metadata?: Obj) => ({ ...reviewOf('LocalSubjectAccessReview', spec), ...(metadata ? { metadata } : {}) });

  test('decides in the namespace of its path and answers with that namespace in metadata', async () => {
    const body = ok(await admin.post(paths.lsar('ar'), local({ user: 'ssar-user', ...res('get', 'pods', { namespace: 'ar' }) })), 201);
    assert.equal(body.kind, 'LocalSubjectAccessReview');
    assert.equal(body.metadata.namespace, 'ar');
    assert.deepEqual(body.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "to-reader/ar" of Role "reader" to User "ssar-user"' });
  });

  test('a spec namespace other than the path\'s, or none, is 422 on spec.resourceAttributes.namespace', async () => {
    for (const namespace of ['ar-other', undefined]) {
      const status = assertStatus(await admin.post(paths.lsar('ar'), local({ user: 'u', resourceAttributes: { verb: 'get', resource: 'pods', ...(namespace ? { namespace } : {}) } })),
        { code: 422, reason: 'Invalid', message: ['spec.resourceAttributes.namespace', 'must match metadata.namespace'] });
      assert.deepEqual(status.details.causes.map((c: Obj) => c.field), ['spec.resourceAttributes.namespace']);
    }
  });

  test('a metadata namespace other than the path\'s is 400, as kube-apiserver answers any such object', async () => {
    assertStatus(await admin.post(paths.lsar('ar'), local({ user: 'u', ...res('get', 'pods', { namespace: 'ar' }) }, { namespace: 'ar-other' })),
      { code: 400, reason: 'BadRequest', message: ['the namespace of the provided object does not match the namespace sent on the request'] });
  });

  test('non-resource attributes are 422: a local review is about one namespace', async () => {
    assertStatus(await admin.post(paths.lsar('ar'), local({ user: 'u', ...url('get', '/healthz') })),
      { code: 422, reason: 'Invalid', message: ['spec.nonResourceAttributes', 'disallowed on this kind of request'] });
  });

  test('metadata other than the namespace is 422', async () => {
    assertStatus(await admin.post(paths.lsar('ar'), local({ user: 'u', ...res('get', 'pods', { namespace: 'ar' }) }, { namespace: 'ar', name: 'x' })),
      { code: 422, reason: 'Invalid', message: ['metadata: Invalid value', 'must be empty except for namespace'] });
  });

  test('a namespace admin may ask in its namespace and nowhere else', async () => {
    const nsAdmin = as(w, 'ns-admin');
    ok(await nsAdmin.post(paths.lsar('ar'), local({ user: 'u', ...res('get', 'pods', { namespace: 'ar' }) })), 201);
    assertStatus(await nsAdmin.post(paths.lsar('ar-other'), local({ user: 'u', ...res('get', 'pods', { namespace: 'ar-other' }) })),
      { code: 403, reason: 'Forbidden', message: ['User "ns-admin" cannot create resource "localsubjectaccessreviews" in API group "authorization.k8s.io" in the namespace "ar-other"'] });
    assertStatus(await nsAdmin.post(paths.sar, reviewOf('SubjectAccessReview', { user: 'u', ...res('get', 'pods', { namespace: 'ar' }) })),
      { code: 403, reason: 'Forbidden', message: ['cannot create resource "subjectaccessreviews"'] });
  });
});

describe('SelfSubjectAccessReview', () => {
  const self = (spec: Obj) => reviewOf('SelfSubjectAccessReview', spec);

  test('answers for the caller of its own token, whatever user the spec names', async () => {
    const token = await issueToken(w, 'ssar-user');
    const caller = api(w, token);
    const mine = ok(await caller.post(paths.ssar, self(res('list', 'pods', { namespace: 'ar' }))), 201);
    assert.deepEqual(mine.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "to-reader/ar" of Role "reader" to User "ssar-user"' });
    // A self review has no user or groups of its own: they are the caller's.
    const claimed = ok(await caller.post(paths.ssar, self({ user: 'warden:admin', groups: ['system:masters'], ...res('delete', 'nodes') })), 201);
    assert.equal(claimed.status.allowed, false);
    assert.match(claimed.status.reason, /for User "ssar-user" \(groups "system:authenticated"\)/);
  });

  test('answers for the impersonated identity, groups included', async () => {
    const body = ok(await as(w, 'imp-user', ['readers']).post(paths.ssar, self(res('get', 'pods', { namespace: 'ar' }))), 201);
    assert.deepEqual(body.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "to-reader/ar" of Role "reader" to Group "readers"' });
    const denied = ok(await as(w, 'imp-user').post(paths.ssar, self(res('get', 'pods', { namespace: 'ar' }))), 201);
    assert.equal(denied.status.allowed, false);
  });

  test('needs exactly one attribute block, and empty metadata', async () => {
    const caller = as(w, 'imp-user');
    assertStatus(await caller.post(paths.ssar, self({})), { code: 422, reason: 'Invalid', message: ['spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'] });
    assertStatus(await caller.post(paths.ssar, self({ ...res('get', 'pods'), ...url('get', '/') })), { code: 422, reason: 'Invalid', message: ['spec.nonResourceAttributes', 'cannot be specified in combination with resourceAttributes'] });
    assertStatus(await caller.post(paths.ssar, { ...self(res('get', 'pods')), metadata: { name: 'mine' } }), { code: 422, reason: 'Invalid', message: ['metadata: Invalid value', 'must be empty'] });
  });
});

describe('SubjectAccessReviewBatch', () => {
  const batch = (reviews: unknown) => reviewOf('SubjectAccessReviewBatch', { reviews });

  test('answers every review in order, at one revision', async () => {
    const specs = [
      { user: 'ssar-user', ...res('get', 'pods', { namespace: 'ar' }) },
      { user: 'ssar-user', ...res('delete', 'pods', { namespace: 'ar' }) },
      { user: 'x', groups: ['scrapers'], ...url('get', '/metrics') },
      { user: 'x', groups: ['system:masters'], ...res('delete', 'nodes') },
    ];
    const r = await admin.post(paths.batch, batch(specs));
    const body = ok(r, 201);
    assert.deepEqual(body.status.results.map((s: Obj) => s.allowed), [true, false, true, true]);
    assert.equal(body.status.results[2].reason, 'RBAC: allowed by ClusterRoleBinding "ar-urls" of ClusterRole "ar-urls" to Group "scrapers"');
    assert.equal(Number(r.headers['x-warden-revision']), await revision(admin));
    // Each answer is the one a SubjectAccessReview gives.
    for (const [i, spec] of specs.entries()) assert.deepEqual(await sar(admin, spec), body.status.results[i]);
  });

  test('an invalid review refuses the batch, naming spec.reviews[i]', async () => {
    const status = assertStatus(await admin.post(paths.batch, batch([{ user: 'a', ...res('get', 'pods') }, res('get', 'pods'), { user: 'b' }])),
      { code: 422, reason: 'Invalid', message: ['spec.reviews[1].user', 'spec.reviews[2].resourceAttributes'] });
    assert.deepEqual(status.details.causes.map((c: Obj) => c.field), ['spec.reviews[1].user', 'spec.reviews[2].resourceAttributes']);
  });

  test('an empty batch and one over 1000 reviews are 422 on spec.reviews', async () => {
    assertStatus(await admin.post(paths.batch, batch([])), { code: 422, reason: 'Invalid', message: ['spec.reviews', 'at least one'] });
    const many = Array.from({ length: 1001 }, (_, i) => ({ user: `u${i}`, ...res('get', 'pods') }));
    assertStatus(await admin.post(paths.batch, batch(many)), { code: 422, reason: 'Invalid', message: ['spec.reviews', 'at most 1000 reviews'] });
    ok(await admin.post(paths.batch, batch(many.slice(0, 1000))), 201);
  });
});

describe('authorization webhook', () => {
  const webhook = (apiVersion: string, spec: Obj) => ({ apiVersion, kind: 'SubjectAccessReview', spec });
  const caller = () => as(w, 'kube-apiserver');

  test('v1: allowed when a binding grants it, with the reason; otherwise no opinion, never denied', async () => {
    const yes = ok(await caller().post(paths.webhook, webhook('authorization.k8s.io/v1', { user: 'ssar-user', ...res('get', 'pods', { namespace: 'ar' }) })));
    assert.equal(yes.apiVersion, 'authorization.k8s.io/v1');
    assert.deepEqual(yes.status, { allowed: true, denied: false, reason: 'RBAC: allowed by RoleBinding "to-reader/ar" of Role "reader" to User "ssar-user"' });
    const none = ok(await caller().post(paths.webhook, webhook('authorization.k8s.io/v1', { user: 'ssar-user', ...res('delete', 'pods', { namespace: 'ar' }) })));
    assert.equal(none.status.allowed, false);
    assert.equal(none.status.denied, false);
    assert.match(none.status.reason, /^RBAC: denied /);
  });

  test('v1beta1: the review comes back in v1beta1, and its "group" field carries the groups', async () => {
    const body = ok(await caller().post(paths.webhook, webhook('authorization.k8s.io/v1beta1', { user: 'someone', group: ['scrapers'], ...url('get', '/metrics') })));
    assert.equal(body.apiVersion, 'authorization.k8s.io/v1beta1');
    assert.deepEqual(body.spec.group, ['scrapers']);
    assert.deepEqual(body.status, { allowed: true, denied: false, reason: 'RBAC: allowed by ClusterRoleBinding "ar-urls" of ClusterRole "ar-urls" to Group "scrapers"' });
    const groupsOnly = ok(await caller().post(paths.webhook, webhook('authorization.k8s.io/v1beta1', { group: ['system:masters'], ...res('delete', 'nodes') })));
    assert.equal(groupsOnly.status.allowed, true);
    assertStatus(await caller().post(paths.webhook, webhook('authorization.k8s.io/v1beta1', { user: 'a', group: 'scrapers', ...url('get', '/metrics') })),
      { code: 400, reason: 'BadRequest', message: ['spec.group'] });
  });

  test('bad reviews are 4xx naming the problem', async () => {
    assertStatus(await caller().post(paths.webhook, webhook('authorization.k8s.io/v1', res('get', 'pods'))), { code: 422, reason: 'Invalid', message: ['spec.user', 'at least one of user or group must be specified'] });
    assertStatus(await caller().post(paths.webhook, webhook('authorization.k8s.io/v2', { user: 'a', ...res('get', 'pods') })), { code: 400, reason: 'BadRequest', message: ['authorization.k8s.io/v2'] });
    assertStatus(await caller().post(paths.webhook, { ...webhook('authorization.k8s.io/v1', { user: 'a', ...res('get', 'pods') }), kind: 'LocalSubjectAccessReview' }),
      { code: 400, reason: 'BadRequest', message: ['LocalSubjectAccessReview'] });
  });

  test('the caller needs "post" on the non-resource URL /webhooks/authorization', async () => {
    assertStatus(await as(w, 'stranger').post(paths.webhook, webhook('authorization.k8s.io/v1', { user: 'a', ...res('get', 'pods') })),
      { code: 403, reason: 'Forbidden', message: ['forbidden: User "stranger" cannot post path "/webhooks/authorization"'] });
  });
});
