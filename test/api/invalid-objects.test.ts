/**
 * Objects Warden reads but refuses: the wrong type for the endpoint, invalid
 * names, missing or malformed fields, an object that disagrees with its URL,
 * server-owned fields set by the client, and changes to what may not change
 * (roleRef, the tenant label). Each is a 4xx Status naming the problem and
 * the field; nothing is written; the server keeps serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import {
  clusterRole, clusterRoleBinding, group, namespace, rbacBase, role, roleBinding, roleRef, rule, serviceAccount,
  serviceAccountSubject, tenant, tenantLabel, tenantsPath, user, type Obj,
} from './builders.ts';
import { api, assertRefused, mergePatch, ok, type Api, type ExpectedStatus } from './client.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', namespace('app')), 201);
  ok(await a.post(`${rbacBase}/namespaces/app/rolebindings`, roleBinding('bound', roleRef('Role', 'reader'))), 201);
});
after(async () => { await w?.close(); });

const refused = (send: () => ReturnType<Api['get']>, expected: ExpectedStatus) => assertRefused(w, a, send, expected);
const badRequest = (...message: string[]): ExpectedStatus => ({ code: 400, reason: 'BadRequest', message });
const fieldsOf = (status: Obj) => (status.details.causes as Obj[]).map((c) => c.field);

/** 422 Invalid: `Kind "name" is invalid: <field>: <detail>`, with one cause per field. */
async function invalid(send: () => ReturnType<Api['get']>, kind: string, name: string, fields: string[], ...message: string[]) {
  const status = await refused(send, { code: 422, reason: 'Invalid', message: [`${kind} "${name}" is invalid: `, ...message] });
  assert.deepEqual(fieldsOf(status), fields);
  assert.equal(status.details.name ?? '', name, 'details name the object (omitted when it has no name)');
  return status;
}

const roles = `${rbacBase}/namespaces/app/roles`;
const clusterRoles = `${rbacBase}/clusterroles`;
const roleBindings = `${rbacBase}/namespaces/app/rolebindings`;
const clusterRoleBindings = `${rbacBase}/clusterrolebindings`;

describe('type metadata', () => {
  test('a body of another kind or apiVersion than the endpoint serves is 400 naming both', async () => {
    await refused(() => a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }),
      badRequest('the kind in the data (Pod) does not match the expected kind (Namespace)'));
    await refused(() => a.post(roles, clusterRole('misplaced')), badRequest('the kind in the data (ClusterRole) does not match the expected kind (Role)'));
    await refused(() => a.post('/api/v1/namespaces', { apiVersion: 'v2', kind: 'Namespace', metadata: { name: 'n' } }),
      badRequest('the API version in the data (v2) does not match the expected API version (v1)'));
    await refused(() => a.post(roles, { ...role('old'), apiVersion: 'rbac.authorization.k8s.io/v1beta1' }),
      badRequest('the API version in the data (rbac.authorization.k8s.io/v1beta1) does not match the expected API version (rbac.authorization.k8s.io/v1)'));
  });

  test('a body without apiVersion or kind takes them from the URL, as kube-apiserver decodes it', async () => {
    const created = ok(await a.post('/api/v1/namespaces', { metadata: { name: 'no-type-meta' } }), 201);
    assert.deepEqual([created.apiVersion, created.kind], ['v1', 'Namespace']);
    ok(await a.post(roles, { metadata: { name: 'no-kind' }, apiVersion: 'rbac.authorization.k8s.io/v1', rules: [] }), 201);
    const current = ok(await a.get('/api/v1/namespaces/app'));
    const replaced = ok(await a.put('/api/v1/namespaces/app', { ...current, kind: undefined, apiVersion: undefined }));
    assert.deepEqual([replaced.apiVersion, replaced.kind], ['v1', 'Namespace']);
  });
});

describe('names', () => {
  test('namespace names are DNS labels: lowercase, at most 63 characters, present', async () => {
    await invalid(() => a.post('/api/v1/namespaces', namespace('Upper')), 'Namespace', 'Upper', ['metadata.name'],
      'metadata.name: Invalid value: "Upper": a lowercase RFC 1123 label must consist of lower case alphanumeric characters');
    const long = 'n'.repeat(64);
    const status = await refused(() => a.post('/api/v1/namespaces', namespace(long)), { code: 422, reason: 'Invalid', message: ['must be no more than 63 characters'] });
    assert.ok(fieldsOf(status).includes('metadata.name'));
    await invalid(() => a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: {} }), 'Namespace', '', ['metadata.name'],
      'metadata.name: Required value: name or generateName is required');
  });

  test('service account names are DNS subdomains: lowercase, dots allowed, at most 253 characters', async () => {
    const sa = '/api/v1/namespaces/app/serviceaccounts';
    await invalid(() => a.post(sa, serviceAccount('Bad_Name')), 'ServiceAccount', 'Bad_Name', ['metadata.name'], 'a lowercase RFC 1123 subdomain must consist of');
    await invalid(() => a.post(sa, serviceAccount('s'.repeat(254))), 'ServiceAccount', 's'.repeat(254), ['metadata.name'], 'must be no more than 253 characters');
    ok(await a.post(sa, serviceAccount('dotted.name')), 201);
  });

  test('RBAC names are path segments: not "." or "..", no "/" or "%", anything else goes', async () => {
    for (const [name, detail] of [['..', "may not be '..'"], ['.', "may not be '.'"], ['a/b', "may not contain '/'"], ['a%b', "may not contain '%'"]]) {
      await invalid(() => a.post(clusterRoles, clusterRole(name)), 'ClusterRole.rbac.authorization.k8s.io', name, ['metadata.name'], `metadata.name: Invalid value: "${name}": ${detail}`);
    }
    await invalid(() => a.post(roles, role('..')), 'Role.rbac.authorization.k8s.io', '..', ['metadata.name'], "may not be '..'");
    ok(await a.post(clusterRoles, clusterRole('system:Mixed_Case')), 201);
  });
});

describe('fields', () => {
  test('a rule needs verbs, and a resource rule needs apiGroups and resources', async () => {
    await invalid(() => a.post(roles, role('no-verbs', [{ apiGroups: [''], resources: ['pods'] }])), 'Role.rbac.authorization.k8s.io', 'no-verbs',
      ['rules[0].verbs'], 'rules[0].verbs: Required value: verbs must contain at least one value');
    await invalid(() => a.post(clusterRoles, clusterRole('no-groups', [{ verbs: ['get'], resources: ['pods'] }])), 'ClusterRole.rbac.authorization.k8s.io', 'no-groups',
      ['rules[0].apiGroups'], 'resource rules must supply at least one api group');
    await invalid(() => a.post(clusterRoles, clusterRole('bare', [rule(['get']), { verbs: ['get'] }])), 'ClusterRole.rbac.authorization.k8s.io', 'bare',
      ['rules[1].apiGroups', 'rules[1].resources'], 'resource rules must supply at least one resource');
  });

  test('a Role has no nonResourceURLs, and no rule mixes resources with them', async () => {
    await invalid(() => a.post(roles, role('urls', [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }])), 'Role.rbac.authorization.k8s.io', 'urls',
      ['rules[0].nonResourceURLs'], 'namespaced rules cannot apply to non-resource URLs');
    await invalid(() => a.post(clusterRoles, clusterRole('mixed', [{ ...rule(['get']), nonResourceURLs: ['/healthz'] }])), 'ClusterRole.rbac.authorization.k8s.io', 'mixed',
      ['rules[0].nonResourceURLs'], 'rules cannot apply to both regular resources and non-resource URLs');
  });

  test('a binding needs a roleRef of a supported kind and group', async () => {
    const noRef = { ...roleBinding('no-ref'), roleRef: undefined };
    await invalid(() => a.post(roleBindings, noRef), 'RoleBinding.rbac.authorization.k8s.io', 'no-ref', ['roleRef.kind', 'roleRef.name'],
      'roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"', 'roleRef.name: Required value');
    await invalid(() => a.post(clusterRoleBindings, clusterRoleBinding('to-role', roleRef('Role', 'r'))), 'ClusterRoleBinding.rbac.authorization.k8s.io', 'to-role',
      ['roleRef.kind'], 'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"');
    await invalid(() => a.post(clusterRoleBindings, clusterRoleBinding('other-group', { apiGroup: 'example.com', kind: 'ClusterRole', name: 'r' })),
      'ClusterRoleBinding.rbac.authorization.k8s.io', 'other-group', ['roleRef.apiGroup'], 'roleRef.apiGroup: Unsupported value: "example.com"');
  });

  test('a subject needs a name and a kind; a ServiceAccount subject of a ClusterRoleBinding needs a namespace', async () => {
    await invalid(() => a.post(roleBindings, roleBinding('nameless', roleRef('Role', 'r'), [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io' }])),
      'RoleBinding.rbac.authorization.k8s.io', 'nameless', ['subjects[0].name'], 'subjects[0].name: Required value');
    await invalid(() => a.post(roleBindings, roleBinding('kindless', roleRef('Role', 'r'), [user('ok'), { name: 'who' }])),
      'RoleBinding.rbac.authorization.k8s.io', 'kindless', ['subjects[1].kind'], 'subjects[1].kind: Unsupported value: "": supported values: "ServiceAccount", "User", "Group"');
    await invalid(() => a.post(clusterRoleBindings, clusterRoleBinding('sa-no-ns', roleRef('ClusterRole', 'r'), [group('g'), serviceAccountSubject('robot')])),
      'ClusterRoleBinding.rbac.authorization.k8s.io', 'sa-no-ns', ['subjects[1].namespace'], 'subjects[1].namespace: Required value');
    const inNs = ok(await a.post(roleBindings, roleBinding('sa-defaults-ns', roleRef('Role', 'r'), [serviceAccountSubject('robot')])), 201);
    assert.deepEqual(inNs.subjects, [{ kind: 'ServiceAccount', name: 'robot' }], 'in a RoleBinding the namespace may be left out');
  });

  test('a field of the wrong type is refused before validation, naming the field', async () => {
    const status = await refused(() => a.post('/api/v1/namespaces/app/serviceaccounts', serviceAccount('typed', undefined, { automountServiceAccountToken: 'yes' })),
      badRequest('automountServiceAccountToken: must be boolean'));
    assert.deepEqual(fieldsOf(status), ['automountServiceAccountToken']);
  });

  test('a patch that leaves the object invalid is 422 and changes nothing', async () => {
    ok(await a.post(clusterRoles, clusterRole('patched-invalid')), 201);
    await invalid(() => a.patch(`${clusterRoles}/patched-invalid`, { rules: [{ apiGroups: [''], resources: ['pods'], verbs: null }] }, mergePatch),
      'ClusterRole.rbac.authorization.k8s.io', 'patched-invalid', ['rules[0].verbs'], 'verbs must contain at least one value');
  });
});

describe('agreement with the URL and server-owned fields', () => {
  test('a namespace in the body that differs from the URL is 400, on create and update', async () => {
    const mismatch = badRequest('the namespace of the provided object does not match the namespace sent on the request');
    await refused(() => a.post(roles, role('elsewhere', undefined, { namespace: 'other' })), mismatch);
    const bound = ok(await a.get(`${roleBindings}/bound`));
    await refused(() => a.put(`${roleBindings}/bound`, { ...bound, metadata: { ...bound.metadata, namespace: 'other' } }), mismatch);
  });

  test('a name in the body that differs from the URL is 400, on update and patch', async () => {
    const bound = ok(await a.get(`${roleBindings}/bound`));
    await refused(() => a.put(`${roleBindings}/bound`, { ...bound, metadata: { ...bound.metadata, name: 'renamed' } }),
      badRequest('the name of the object (renamed) does not match the name on the URL (bound)'));
    await refused(() => a.patch(`${roleBindings}/bound`, { metadata: { name: 'renamed' } }, mergePatch), badRequest('a patch may not change metadata.name'));
  });

  test('resourceVersion set on create is 400', async () => {
    const versioned = clusterRole('versioned');
    versioned.metadata.resourceVersion = '7';
    await refused(() => a.post(clusterRoles, versioned), badRequest('resourceVersion should not be set on objects to be created'));
  });
});

describe('immutable fields', () => {
  test('changing a binding\'s roleRef is 422 "cannot change roleRef", by update and by patch', async () => {
    const bound = ok(await a.get(`${roleBindings}/bound`));
    await invalid(() => a.put(`${roleBindings}/bound`, { ...bound, roleRef: roleRef('ClusterRole', 'reader') }), 'RoleBinding.rbac.authorization.k8s.io', 'bound',
      ['roleRef'], 'cannot change roleRef');
    await invalid(() => a.patch(`${roleBindings}/bound`, { roleRef: { name: 'writer' } }, mergePatch), 'RoleBinding.rbac.authorization.k8s.io', 'bound',
      ['roleRef'], 'cannot change roleRef');
    assert.deepEqual(ok(await a.get(`${roleBindings}/bound`)).roleRef, roleRef('Role', 'reader'));
  });

  test('a namespace\'s tenant label is set at creation and cannot change, be removed or be added later', async () => {
    ok(await a.post(tenantsPath, tenant('acme')), 201);
    ok(await a.post('/api/v1/namespaces', namespace('tenanted', { labels: { [tenantLabel]: 'acme' } })), 201);
    await w.warden.reconciler.runOnce(); // lets the tenancy reconciler settle the tenant's bindings before revisions are counted
    const forbidden = `metadata.labels[${tenantLabel}]: Forbidden: a namespace's tenant is set at creation and cannot change`;
    await invalid(() => a.patch('/api/v1/namespaces/tenanted', { metadata: { labels: { [tenantLabel]: 'other' } } }, mergePatch), 'Namespace', 'tenanted',
      [`metadata.labels[${tenantLabel}]`], forbidden);
    await invalid(() => a.patch('/api/v1/namespaces/tenanted', { metadata: { labels: { [tenantLabel]: null } } }, mergePatch), 'Namespace', 'tenanted',
      [`metadata.labels[${tenantLabel}]`], forbidden);
    const plain = ok(await a.get('/api/v1/namespaces/app'));
    await invalid(() => a.put('/api/v1/namespaces/app', { ...plain, metadata: { ...plain.metadata, labels: { ...plain.metadata.labels, [tenantLabel]: 'acme' } } }),
      'Namespace', 'app', [`metadata.labels[${tenantLabel}]`], forbidden);
    assert.equal(ok(await a.get('/api/v1/namespaces/tenanted')).metadata.labels[tenantLabel], 'acme');
    const relabelled = ok(await a.patch('/api/v1/namespaces/tenanted', { metadata: { labels: { team: 'blue' } } }, mergePatch));
    assert.deepEqual([relabelled.metadata.labels.team, relabelled.metadata.labels[tenantLabel]], ['blue', 'acme'], 'other labels still change');
  });
});
