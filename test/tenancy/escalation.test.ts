/**
 * Escalation prevention holds for tenant owners: in its own namespaces an
 * owner grants at most what `admin` gives it there. It cannot write a Role
 * with more, bind a role holding more (cluster-admin above all), widen a
 * Role it already has, or slip any of that into a bulk apply; cluster-scoped
 * RBAC needs cluster authority. Writing a Tenant grants its owners `admin`
 * everywhere in it, so the writer must be able to grant that cluster-wide.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, mergePatch, ok, type Api } from '../api/client.ts';
import { clusterRole, clusterRoleBinding, rbacBase, roleRef, rule, user, type Obj } from '../api/builders.ts';
import { applyAll, applyPath, as, role, roleBinding, rolesPath, bindingsPath, tenant, tenantNamespace, tenantsPath } from './support.ts';

let w: TestWarden;
let admin: Api;
let alice: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  alice = as(w, 'alice');
  await applyAll(admin, [tenant('acme', { owners: [user('alice')] })]);
  await applyAll(admin, [tenantNamespace('acme-web', 'acme')]);
  // A Role in alice's namespace the platform made, holding more than admin.
  ok(await admin.post(rolesPath('acme-web'), role('acme-web', 'quota-keeper', [rule(['create', 'update'], ['resourcequotas'])])), 201);
});
after(async () => { await w?.close(); });

const escalation = { code: 403, reason: 'Forbidden', message: ['is attempting to grant RBAC permissions not currently held'] };

describe('Roles an owner writes in its namespace', () => {
  test('a Role within admin\'s rules is created', async () => {
    ok(await alice.post(rolesPath('acme-web'), role('acme-web', 'pod-reader', [rule(['get', 'list', 'watch'], ['pods'])])), 201);
  });

  const beyond: [string, Obj[]][] = [
    ['every verb on every resource', [rule(['*'], ['*'], ['*'])]],
    ['writing ResourceQuotas (admin reads them only)', [rule(['create'], ['resourcequotas'])]],
    ['writing the ResourceQuota status', [rule(['update'], ['resourcequotas/status'])]],
    ['Nodes, a cluster-scoped resource', [rule(['get'], ['nodes'])]],
    ['the escalate verb on Roles', [rule(['escalate'], ['roles'], ['rbac.authorization.k8s.io'])]],
    ['impersonating users', [rule(['impersonate'], ['users'])]],
    ['Tenants', [rule(['update'], ['tenants'], ['tenancy.warden.dev'])]],
  ];
  for (const [name, rules] of beyond) {
    test(`a Role granting ${name} is 403 and not written`, async () => {
      await assertRefused(w, admin, () => alice.post(rolesPath('acme-web'), role('acme-web', 'too-much', rules)), escalation);
    });
  }

  test('widening a Role it made, by PUT or by patch, is 403 and leaves the Role as it was', async () => {
    const before = ok(await admin.get(`${rolesPath('acme-web')}/pod-reader`));
    const wider = [rule(['get', 'list', 'watch'], ['pods']), rule(['create'], ['resourcequotas'])];
    await assertRefused(w, admin, () => alice.put(`${rolesPath('acme-web')}/pod-reader`, { ...role('acme-web', 'pod-reader', wider), metadata: before.metadata }), escalation);
    await assertRefused(w, admin, () => alice.patch(`${rolesPath('acme-web')}/pod-reader`, { rules: wider }, mergePatch), escalation);
    assert.deepEqual(ok(await admin.get(`${rolesPath('acme-web')}/pod-reader`)), before);
  });
});

describe('bindings an owner writes in its namespace', () => {
  for (const name of ['admin', 'edit', 'view']) {
    test(`binding ClusterRole ${name} to a teammate is allowed`, async () => {
      ok(await alice.post(bindingsPath('acme-web'), roleBinding('acme-web', `team-${name}`, roleRef('ClusterRole', name), [user('tom')])), 201);
    });
  }

  test('binding cluster-admin in its own namespace, even to itself, is 403', async () => {
    for (const subject of [user('tom'), user('alice')]) {
      await assertRefused(w, admin, () => alice.post(bindingsPath('acme-web'), roleBinding('acme-web', 'root', roleRef('ClusterRole', 'cluster-admin'), [subject])), escalation);
    }
  });

  test('binding a Role of its namespace that holds more than admin is 403', async () => {
    await assertRefused(w, admin, () => alice.post(bindingsPath('acme-web'), roleBinding('acme-web', 'keepers', roleRef('Role', 'quota-keeper'), [user('alice')])), escalation);
  });

  test('re-pointing its admin binding at cluster-admin is 422: a binding\'s roleRef never changes', async () => {
    await assertRefused(w, admin, () => alice.patch(`${bindingsPath('acme-web')}/team-admin`, { roleRef: roleRef('ClusterRole', 'cluster-admin') }, mergePatch), {
      code: 422, reason: 'Invalid', message: ['roleRef'],
    });
    assert.equal(ok(await admin.get(`${bindingsPath('acme-web')}/team-admin`)).roleRef.name, 'admin');
  });
});

describe('other ways in', () => {
  test('a bulk apply carrying one escalating Role is refused whole: its harmless items are not written either', async () => {
    const items = [role('acme-web', 'harmless', [rule(['get'], ['pods'])]), role('acme-web', 'sneaky', [rule(['*'], ['*'], ['*'])])];
    const status = await assertRefused(w, admin, () => alice.post(`${applyPath}?fieldManager=alice`, { apiVersion: 'v1', kind: 'List', items }), escalation);
    assert.match(status.message, /^items\[1\]: /);
    assert.equal((await admin.get(`${rolesPath('acme-web')}/harmless`)).status, 404);
  });

  test('ClusterRoles and ClusterRoleBindings need cluster authority: 403 for an owner', async () => {
    await assertRefused(w, admin, () => alice.post(`${rbacBase}/clusterroles`, clusterRole('mine')), { code: 403, reason: 'Forbidden', message: ['cannot create resource "clusterroles"'] });
    await assertRefused(w, admin, () => alice.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('mine', roleRef('ClusterRole', 'admin'), [user('alice')])), {
      code: 403, reason: 'Forbidden', message: ['cannot create resource "clusterrolebindings"'],
    });
  });

  test('a user allowed to write Tenants but not to grant admin cluster-wide cannot create one', async () => {
    ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('tenant-writer', [rule(['create', 'update', 'patch', 'get'], ['tenants'], ['tenancy.warden.dev'])])), 201);
    ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('tenant-writers', roleRef('ClusterRole', 'tenant-writer'), [user('olga')])), 201);
    const olga = as(w, 'olga');
    await assertRefused(w, admin, () => olga.post(tenantsPath, tenant('olgas', { owners: [user('olga')] })), {
      code: 403, reason: 'Forbidden', message: ['tenants.tenancy.warden.dev "olgas" is forbidden: it grants ClusterRole "admin" in every namespace of the tenant'],
    });
    await assertRefused(w, admin, () => olga.patch(`${tenantsPath}/acme`, { spec: { owners: [user('olga')] } }, mergePatch), {
      code: 403, reason: 'Forbidden', message: ['it grants ClusterRole "admin"'],
    });
  });
});
