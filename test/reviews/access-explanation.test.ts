/**
 * SubjectAccessExplanation: the decision of a SubjectAccessReview with its
 * reasons as data, and only what the caller may read.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  api, applyAll, as, assertStatus, clusterRole, clusterRoleBinding, ok, res, reviewOf, role, roleBinding, roleRef, rule, user, wardenAuthzV1, type Api,
} from './support.ts';

const path = `/apis/${wardenAuthzV1}/subjectaccessexplanations`;
let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [
    role('pod-reader', [rule(['get', 'list'])], { namespace: 'shop' }),
    roleBinding('readers', roleRef('Role', 'pod-reader'), [user('alice')], { namespace: 'shop' }),
    roleBinding('dangling', roleRef('Role', 'gone'), [user('alice')], { namespace: 'shop' }),
    clusterRole('explainer', [rule(['create'], ['subjectaccessexplanations'], ['authorization.warden.dev'])]),
    clusterRoleBinding('auditor-explains', roleRef('ClusterRole', 'explainer'), [user('auditor')]),
    // The auditor may read the binding named readers, but not the dangling one nor the role.
    role('binding-reader', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], resourceNames: ['readers'], verbs: ['get'] }], { namespace: 'shop' }),
    roleBinding('auditor-reads', roleRef('Role', 'binding-reader'), [user('auditor')], { namespace: 'shop' }),
  ]);
});
after(async () => { await w?.close(); });

const explain = async (caller: Api, spec: object) => ok(await caller.post(path, reviewOf('SubjectAccessExplanation', spec)), 201);

test('an allow names the binding, role and rule that grant it', async () => {
  const r = await explain(admin, { user: 'alice', ...res('list', 'pods', { namespace: 'shop' }) });
  assert.equal(r.kind, 'SubjectAccessExplanation');
  assert.equal(r.status.allowed, true);
  assert.deepEqual(r.status.grantedBy, {
    binding: { kind: 'RoleBinding', namespace: 'shop', name: 'readers' }, role: { kind: 'Role', name: 'pod-reader', namespace: 'shop' },
    rule: rule(['get', 'list']), ruleIndex: 0, subject: user('alice'),
  });
  assert.equal(r.status.hidden, 0);
  const masters = await explain(admin, { user: 'root', groups: ['system:masters'], ...res('delete', 'namespaces') });
  assert.deepEqual(masters.status.grantedBy, { group: 'system:masters' });
});

test('a denial lists the bindings that applied, their roles\' rules, and what was missing', async () => {
  const r = await explain(admin, { user: 'alice', ...res('delete', 'pods', { namespace: 'shop' }) });
  assert.equal(r.status.allowed, false);
  assert.match(r.status.reason, /RBAC: denied "delete" on resource "pods"/);
  const byName = Object.fromEntries((r.status.considered as { binding: { name: string }; roleFound: boolean }[]).map((c) => [c.binding.name, c]));
  assert.deepEqual(Object.keys(byName).sort(), ['dangling', 'readers']);
  assert.deepEqual(byName.readers, { binding: { kind: 'RoleBinding', namespace: 'shop', name: 'readers' }, role: { kind: 'Role', name: 'pod-reader', namespace: 'shop' }, roleFound: true, rules: [rule(['get', 'list'])] });
  assert.equal(byName.dangling.roleFound, false);
  assert.equal(r.status.missing, 'a rule allowing "delete" on resource "pods" in API group "" in namespace "shop"');
  const none = await explain(admin, { user: 'nobody', ...res('get', 'pods', { namespace: 'shop' }) });
  assert.deepEqual(none.status.considered, []);
});

test('a caller sees only the bindings and roles it may read; the rest is counted', async () => {
  const r = await explain(as(w, 'auditor'), { user: 'alice', ...res('delete', 'pods', { namespace: 'shop' }) });
  assert.equal(r.status.allowed, false);
  assert.deepEqual(r.status.considered, [{ binding: { kind: 'RoleBinding', namespace: 'shop', name: 'readers' }, role: { kind: 'Role', name: 'pod-reader', namespace: 'shop' }, roleFound: true }]);
  assert.equal(r.status.hidden, 1);
  assert.doesNotMatch(JSON.stringify(r.status), /dangling|"gone"/);
  const allowed = await explain(as(w, 'auditor'), { user: 'bob', groups: ['system:masters'], ...res('get', 'pods') });
  assert.deepEqual(allowed.status.grantedBy, { group: 'system:masters' });
});

test('asking needs create on subjectaccessexplanations; bad input is refused naming the field', async () => {
  const refused = await as(w, 'alice').post(path, reviewOf('SubjectAccessExplanation', { user: 'alice', ...res('get', 'pods') }));
  assertStatus(refused, { code: 403, reason: 'Forbidden', message: ['cannot create resource "subjectaccessexplanations"'] });
  const noUser = await admin.post(path, reviewOf('SubjectAccessExplanation', res('get', 'pods')));
  assert.equal(noUser.status, 422);
  assert.match(JSON.stringify(noUser.body.details?.causes ?? []), /spec/);
  const wrongType = await admin.post(path, reviewOf('SubjectAccessExplanation', { user: 7, ...res('get', 'pods') }));
  assert.equal(wrongType.status, 400);
  const notJson = await admin.post(path, '{', 'application/json');
  assert.equal(notJson.status, 400);
  ok(await admin.get('/api/v1/namespaces'));
});
