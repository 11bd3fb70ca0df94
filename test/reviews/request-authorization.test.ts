/**
 * Every API request is authorized by RBAC with kube-apiserver's request
 * attributes (verb from method and path, group, resource, namespace,
 * name), and impersonation needs the `impersonate` verb on users, groups
 * and service accounts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, assertStatus, clusterRole, clusterRoleBinding, issueToken, ok, paths, rbacBase, reviewOf, res, roleBinding, roleRef, rule, serviceAccount,
  user, type Api,
} from './support.ts';

let w: TestWarden;
let admin: Api;
let viewer: Api;
let nsAdmin: Api;
let impersonator: string;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    roleBinding('viewer', roleRef('ClusterRole', 'view'), [user('viewer')], { namespace: 'ra-a' }),
    roleBinding('ns-admin', roleRef('ClusterRole', 'admin'), [user('ns-admin')], { namespace: 'ra-a' }),
    serviceAccount('robot', { namespace: 'ra-a' }),
    serviceAccount('robot', { namespace: 'ra-b' }),
    clusterRole('ra-impersonate-alice', [{ ...rule(['impersonate'], ['users']), resourceNames: ['alice'] }]),
    clusterRole('ra-impersonate-devs', [{ ...rule(['impersonate'], ['groups']), resourceNames: ['devs'] }]),
    clusterRoleBinding('ra-impersonate-alice', roleRef('ClusterRole', 'ra-impersonate-alice'), [user('impersonator')]),
    roleBinding('ra-edit', roleRef('ClusterRole', 'edit'), [user('impersonator')], { namespace: 'ra-a' }),
  ]);
  viewer = api(w, await issueToken(w, 'viewer'));
  nsAdmin = api(w, await issueToken(w, 'ns-admin'));
  impersonator = await issueToken(w, 'impersonator');
});
after(async () => { await w?.close(); });

const forbidden = (message: string) => ({ code: 403, reason: 'Forbidden', message: [message] });

describe('requests are authorized with their kube attributes', () => {
  test('a user bound to view in namespace A reads there and nowhere else, and cannot write', async () => {
    ok(await viewer.get('/api/v1/namespaces/ra-a/serviceaccounts/robot'));
    ok(await viewer.get('/api/v1/namespaces/ra-a/serviceaccounts'));
    ok(await viewer.get('/apis/networking.k8s.io/v1/namespaces/ra-a/networkpolicies'));
    assertStatus(await viewer.get('/api/v1/namespaces/ra-b/serviceaccounts/robot'),
      forbidden('serviceaccounts "robot" is forbidden: User "viewer" cannot get resource "serviceaccounts" in API group "" in the namespace "ra-b"'));
    ok(await viewer.get('/api/v1/namespaces/ra-a'));
    assertStatus(await viewer.get('/api/v1/namespaces/ra-b'),
      forbidden('namespaces "ra-b" is forbidden: User "viewer" cannot get resource "namespaces" in API group "" in the namespace "ra-b"'));
    assertStatus(await viewer.post('/api/v1/namespaces/ra-a/serviceaccounts', serviceAccount('mine', { namespace: 'ra-a' })),
      forbidden('serviceaccounts is forbidden: User "viewer" cannot create resource "serviceaccounts" in API group "" in the namespace "ra-a"'));
    assertStatus(await viewer.delete('/api/v1/namespaces/ra-a/serviceaccounts/robot'),
      forbidden('serviceaccounts "robot" is forbidden: User "viewer" cannot delete resource "serviceaccounts" in API group "" in the namespace "ra-a"'));
  });

  test('view does not read RBAC objects, as in Kubernetes; admin does, in its namespace only', async () => {
    assertStatus(await viewer.get(`${rbacBase}/namespaces/ra-a/roles`),
      forbidden('roles.rbac.authorization.k8s.io is forbidden: User "viewer" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "ra-a"'));
    ok(await nsAdmin.get(`${rbacBase}/namespaces/ra-a/roles`));
    ok(await nsAdmin.get(`${rbacBase}/namespaces/ra-a/rolebindings/viewer`));
    assertStatus(await nsAdmin.get(`${rbacBase}/namespaces/ra-b/roles`),
      forbidden('User "ns-admin" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "ra-b"'));
  });

  test('a watch, a field-selected list and a collection delete are authorized as kube names them', async () => {
    assertStatus(await viewer.delete('/api/v1/namespaces/ra-a/serviceaccounts'),
      forbidden('User "viewer" cannot deletecollection resource "serviceaccounts" in API group "" in the namespace "ra-a"'));
    assertStatus(await viewer.get('/api/v1/namespaces/ra-b/serviceaccounts?watch=true'),
      forbidden('User "viewer" cannot watch resource "serviceaccounts" in API group "" in the namespace "ra-b"'));
  });

  test('reviews are requests too: the caller needs create on the review resource', async () => {
    assertStatus(await viewer.post(paths.sar, reviewOf('SubjectAccessReview', { user: 'x', ...res('get', 'pods') })),
      forbidden('User "viewer" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope'));
    assertStatus(await viewer.post(paths.whoCan, reviewOf('ResourceAccessReview', res('get', 'pods'))),
      forbidden('User "viewer" cannot create resource "resourceaccessreviews" in API group "authorization.warden.dev" at the cluster scope'));
    // Every authenticated user may review its own access.
    ok(await viewer.post(paths.ssar, reviewOf('SelfSubjectAccessReview', res('get', 'pods', { namespace: 'ra-a' }))), 201);
  });
});

describe('impersonation needs the impersonate verb', () => {
  const asImpersonator = (headers: Record<string, string>) => api(w, impersonator, headers);
  const whoAmI = async (a: Api) => ok(await a.post(paths.ssar, reviewOf('SelfSubjectAccessReview', res('get', 'pods', { namespace: 'ra-a' }))), 201).status.reason as string;

  test('users: only the names the grant lists', async () => {
    assert.match(await whoAmI(asImpersonator({ 'Impersonate-User': 'alice' })), /for User "alice"/);
    assertStatus(await asImpersonator({ 'Impersonate-User': 'bob' }).get('/api/v1/namespaces/ra-a/serviceaccounts'),
      forbidden('users "bob" is forbidden: User "impersonator" cannot impersonate resource "users" in API group "" at the cluster scope'));
  });

  test('groups are checked one by one', async () => {
    assertStatus(await asImpersonator({ 'Impersonate-User': 'alice', 'Impersonate-Group': 'devs' }).get('/api/v1/namespaces/ra-a/serviceaccounts'),
      forbidden('groups "devs" is forbidden: User "impersonator" cannot impersonate resource "groups" in API group "" at the cluster scope'));
    ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('ra-impersonate-devs', roleRef('ClusterRole', 'ra-impersonate-devs'), [user('impersonator')])), 201);
    assert.match(await whoAmI(asImpersonator({ 'Impersonate-User': 'alice', 'Impersonate-Group': 'devs' })), /for User "alice" \(groups "devs", "system:authenticated"\)/);
    assertStatus(await asImpersonator({ 'Impersonate-User': 'alice', 'Impersonate-Group': 'system:masters' }).get('/api/v1/namespaces'),
      forbidden('groups "system:masters" is forbidden: User "impersonator" cannot impersonate resource "groups"'));
  });

  test('service accounts: by namespace and name, here through edit in namespace A', async () => {
    assert.match(await whoAmI(asImpersonator({ 'Impersonate-User': 'system:serviceaccount:ra-a:robot' })),
      /for User "system:serviceaccount:ra-a:robot" \(groups "system:serviceaccounts", "system:serviceaccounts:ra-a", "system:authenticated"\)/);
    assertStatus(await asImpersonator({ 'Impersonate-User': 'system:serviceaccount:ra-b:robot' }).get('/api/v1/namespaces/ra-a/serviceaccounts'),
      forbidden('serviceaccounts "robot" is forbidden: User "impersonator" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ra-b"'));
  });

  test('a name that is not exactly system:serviceaccount:<namespace>:<name> is a plain user, whose impersonation needs users', async () => {
    for (const name of ['system:serviceaccount:ra-a:robot:anything', 'system:serviceaccount:ra-a', 'system:serviceaccount:ra-a:Robot', 'system:serviceaccount::robot']) {
      assertStatus(await asImpersonator({ 'Impersonate-User': name }).get('/api/v1/namespaces/ra-a/serviceaccounts'),
        forbidden(`users "${name}" is forbidden: User "impersonator" cannot impersonate resource "users" in API group "" at the cluster scope`));
    }
  });

  test('a service account impersonated with groups gets those groups, not the service-account ones, as in kube-apiserver', async () => {
    ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('ra-impersonate-ops', [{ apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['ops'] }])), 201);
    ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('ra-impersonate-ops', roleRef('ClusterRole', 'ra-impersonate-ops'), [user('impersonator')])), 201);
    assert.match(await whoAmI(asImpersonator({ 'Impersonate-User': 'system:serviceaccount:ra-a:robot', 'Impersonate-Group': 'ops' })),
      /for User "system:serviceaccount:ra-a:robot" \(groups "ops", "system:authenticated"\)/);
  });

  test('an impersonated request is authorized as the impersonated identity', async () => {
    assertStatus(await asImpersonator({ 'Impersonate-User': 'alice' }).get('/api/v1/namespaces/ra-a/serviceaccounts'),
      forbidden('User "alice" cannot list resource "serviceaccounts" in API group "" in the namespace "ra-a"'));
    ok(await api(w, impersonator).get('/api/v1/namespaces/ra-a/serviceaccounts'));
  });
});
