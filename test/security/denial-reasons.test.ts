/**
 * A refusal explains itself only with what the reader may see: Warden's own
 * 403s and a SelfSubjectAccessReview name and count the bindings the caller
 * may read, never another tenant's bindings that happen to apply to it; a
 * reviewer who may read them (here system:masters) still gets them all.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { group, roleRef, user } from '../api/builders.ts';
import { applyAll, as, roleBinding, tenant, tenantNamespace } from '../tenancy/support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [tenant('acme', { owners: [user('alice')] }), tenant('bolt', { owners: [user('bob')] })]);
  await applyAll(admin, [tenantNamespace('acme-web', 'acme'), tenantNamespace('bolt-secret-project', 'bolt')]);
  // Bindings in bolt's namespace that apply to every authenticated user, alice included.
  await applyAll(admin, [
    roleBinding('bolt-secret-project', 'bolt-hidden-readers', roleRef('ClusterRole', 'view'), [group('system:authenticated')]),
    roleBinding('bolt-secret-project', 'bolt-hidden-auditors', roleRef('ClusterRole', 'view'), [group('system:authenticated')]),
  ]);
});
after(async () => { await w?.close(); });

test('a 403 to a tenant owner in another tenant\'s namespace neither names nor counts that tenant\'s bindings', async () => {
  const r = await as(w, 'alice', ['system:authenticated']).delete('/apis/rbac.authorization.k8s.io/v1/namespaces/bolt-secret-project/roles/x');
  assert.equal(r.status, 403);
  assert.doesNotMatch(r.body.message, /bolt-hidden|more\)|bindings apply/, r.body.message);
  assert.match(r.body.message, /no binding the reader may see grants it|bindings the reader may see/);
});

test('a SelfSubjectAccessReview tells the caller as much, and a reviewer who may read the bindings gets them all', async () => {
  const spec = { resourceAttributes: { verb: 'delete', resource: 'roles', group: 'rbac.authorization.k8s.io', namespace: 'bolt-secret-project' } };
  const self = ok(await as(w, 'alice', ['system:authenticated']).post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec }), 201);
  assert.equal(self.status.allowed, false);
  assert.doesNotMatch(self.status.reason, /bolt-hidden|more\)/);
  const full = ok(await admin.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { ...spec, user: 'alice', groups: ['system:authenticated'] } }), 201);
  assert.match(full.status.reason, /6 bindings apply/, "the admin is told of every binding that applied, the two in bolt's namespace included");
});

test('in its own namespace the owner reads its bindings, so they are named', async () => {
  const r = await as(w, 'alice', ['system:authenticated']).post('/apis/rbac.authorization.k8s.io/v1/namespaces/acme-web/roles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'wide' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  });
  assert.equal(r.status, 403, 'escalation');
  const denied = await as(w, 'alice', ['system:authenticated']).post('/api/v1/namespaces/acme-web/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '1' } } });
  assert.equal(denied.status, 403);
  assert.match(denied.body.message, /RoleBinding "warden-tenant-owners\/acme-web"/);
});
