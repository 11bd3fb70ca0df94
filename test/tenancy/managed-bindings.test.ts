/**
 * The RBAC objects Warden keeps for tenants: the owners' bindings and the
 * tenant's own role bindings exist from the namespace's first revision, are
 * refused to anyone writing them by hand (system:masters too), are put back
 * within a few reconcile intervals after drift from outside the API, follow
 * the Tenant when its owners or bindings change, and are left alone (no
 * writes at all) while they are as the tenant says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../engine/meta.ts';
import { currentRevision } from '../../prisma/store/read.ts';
import { writeBatch } from '../../prisma/store/write.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, mergePatch, ok, type Api } from '../api/client.ts';
import { group, roleRef, user, type Obj } from '../api/builders.ts';
import { applyAll, as, bindingsPath, eventually, managedLabel, ownersBinding, roleBinding, tenant, tenantLabel, tenantNamespace, tenantsPath } from './support.ts';

const intervalMs = 50;
let w: TestWarden;
let admin: Api;

const viewers = { name: 'acme-viewers', roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [group('auditors')] };

before(async () => {
  w = await startTestWarden({ env: { WARDEN_RECONCILE_INTERVAL_MS: String(intervalMs) } });
  admin = api(w);
  await applyAll(admin, [tenant('acme', { owners: [user('alice')], roleBindings: [viewers] })]);
  await applyAll(admin, [tenantNamespace('acme-web', 'acme'), tenantNamespace('acme-jobs', 'acme')]);
});
after(async () => { await w?.close(); });

const bindingPath = (ns: string, name: string) => `${bindingsPath(ns)}/${name}`;
const getBinding = async (ns: string, name: string): Promise<Obj | undefined> => {
  const res = await admin.get(bindingPath(ns, name));
  return res.status === 200 ? res.body : undefined;
};
/**
 * How long a repair may take: a few intervals on a quiet machine; the
 * deadline is wide so that a loaded CI runner does not fail the suite.
 */
const repairWindowMs = 10_000;

/** Whether `who` may do `verb` on roles in `ns`, by its own SelfSubjectAccessReview. */
async function may(who: Api, ns: string, verb = 'create'): Promise<boolean> {
  const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: ns, verb, resource: 'roles', group: 'rbac.authorization.k8s.io' } } };
  return ok(await who.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body), 201).status.allowed;
}

describe('what a tenant namespace starts with', () => {
  test('the owners\' admin binding and the tenant\'s bindings, labelled as managed, at the namespace\'s own revision', async () => {
    const ns = ok(await admin.get('/api/v1/namespaces/acme-web'));
    const owners = (await getBinding('acme-web', ownersBinding))!;
    const extra = (await getBinding('acme-web', 'acme-viewers'))!;
    for (const b of [owners, extra]) {
      assert.equal(b.metadata.resourceVersion, ns.metadata.resourceVersion);
      assert.deepEqual({ managed: b.metadata.labels[managedLabel], tenant: b.metadata.labels[tenantLabel] }, { managed: 'true', tenant: 'acme' });
    }
    assert.deepEqual([owners.roleRef.name, owners.subjects], ['admin', [user('alice')]]);
    assert.deepEqual([extra.roleRef, extra.subjects], [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, [group('auditors')]]);
    assert.equal(await may(as(w, 'alice'), 'acme-web'), true);
  });
});

/** Changes a stored object outside the API (as a restore from a backup, or a failed write, might), then lets this replica see it. */
async function drift(ops: Parameters<typeof writeBatch>[1]): Promise<void> {
  await writeBatch(w.warden.deps.db.prisma, ops, 'test');
  await w.warden.deps.snapshots.refresh();
}

describe('managed objects are not written by hand', () => {
  const refusedAs = (name: string, kind = 'rolebindings') => ({
    code: 403, reason: 'Forbidden', message: [`${kind}.rbac.authorization.k8s.io "${name}" is forbidden: it is managed by Warden`, 'change the Tenant instead'],
  });

  test('an owner may not delete or edit its own admin binding, nor may system:masters: 403, nothing written', async () => {
    await assertRefused(w, admin, () => as(w, 'alice').delete(bindingPath('acme-web', ownersBinding)), refusedAs(ownersBinding));
    await assertRefused(w, admin, () => admin.delete(bindingPath('acme-jobs', 'acme-viewers')), refusedAs('acme-viewers'));
    await assertRefused(w, admin, () => admin.patch(bindingPath('acme-web', ownersBinding), { subjects: [user('alice'), user('mallory')] }, mergePatch), refusedAs(ownersBinding));
    await assertRefused(w, admin, () => admin.patch(bindingPath('acme-web', 'acme-viewers'), { metadata: { labels: { [managedLabel]: null } } }, mergePatch), refusedAs('acme-viewers'));
    await assertRefused(w, admin, () => admin.patch('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/warden:tenant:acme:owners', { subjects: [user('mallory')] }, mergePatch), refusedAs('warden:tenant:acme:owners', 'clusterrolebindings'));
    await assertRefused(w, admin, () => admin.delete('/apis/rbac.authorization.k8s.io/v1/clusterroles/warden:tenant-namespace-owner'), refusedAs('warden:tenant-namespace-owner', 'clusterroles'));
    assert.equal(await may(as(w, 'mallory'), 'acme-web'), false);
  });

  test('their names are reserved, and a look-alike labelled as managed is refused', async () => {
    await assertRefused(w, admin, () => admin.post('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'warden:tenant:zeta:owner' }, rules: [] }), refusedAs('warden:tenant:zeta:owner', 'clusterroles'));
    const lookAlike = roleBinding('acme-web', 'sneaky', roleRef('ClusterRole', 'admin'), [user('mallory')]);
    await assertRefused(w, admin, () => admin.post(bindingsPath('acme-web'), { ...lookAlike, metadata: { ...lookAlike.metadata, labels: { [managedLabel]: 'true', [tenantLabel]: 'acme' } } }), refusedAs('sneaky'));
  });
});

describe('repairs of drift from outside the API', () => {
  test('a deleted owners\' binding is put back', async () => {
    const current = (await getBinding('acme-web', ownersBinding))!;
    await drift([{ op: 'delete', before: current as KubeObject }]);
    await eventually('the owners\' binding is back', async () => (await getBinding('acme-web', ownersBinding))?.subjects?.[0]?.name === 'alice', repairWindowMs);
    assert.equal(await may(as(w, 'alice'), 'acme-web'), true);
  });

  test('a deleted tenant binding is put back', async () => {
    await drift([{ op: 'delete', before: (await getBinding('acme-jobs', 'acme-viewers'))! as KubeObject }]);
    await eventually('acme-viewers is back', async () => (await getBinding('acme-jobs', 'acme-viewers')) !== undefined, repairWindowMs);
  });

  test('a subject added to the owners\' binding is taken out again', async () => {
    const current = (await getBinding('acme-web', ownersBinding))!;
    await drift([{ op: 'update', before: current as KubeObject, object: { ...current, subjects: [user('alice'), user('mallory')] } as unknown as KubeObject }]);
    await eventually('mallory is gone from the binding', async () => (await getBinding('acme-web', ownersBinding))?.subjects?.length === 1, repairWindowMs);
    assert.deepEqual((await getBinding('acme-web', ownersBinding))!.subjects, [user('alice')]);
    assert.equal(await may(as(w, 'mallory'), 'acme-web'), false);
    const history = await w.warden.deps.db.prisma.change.findMany({ where: { kind: 'RoleBinding', namespace: 'acme-web', name: ownersBinding }, orderBy: { id: 'asc' } });
    assert.deepEqual(history.slice(-3).map((c) => `${c.operation} by ${c.actor}`), ['update by test', 'delete by system:warden:tenancy', 'create by system:warden:tenancy']);
  });

  test('a managed binding replaced with another role is restored to its role', async () => {
    const current = (await getBinding('acme-jobs', ownersBinding))!;
    const swapped: Obj = { ...current, metadata: { ...current.metadata, uid: randomUUID(), resourceVersion: undefined, managedFields: undefined }, roleRef: roleRef('ClusterRole', 'view') };
    await drift([{ op: 'delete', before: current as KubeObject }, { op: 'create', object: swapped as KubeObject }]);
    await eventually('the owners\' binding names admin again', async () => (await getBinding('acme-jobs', ownersBinding))?.roleRef?.name === 'admin', repairWindowMs);
  });

  test('a widened owners\' ClusterRole is narrowed again', async () => {
    const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles/warden:tenant:acme:owner';
    const current = ok(await admin.get(path));
    await drift([{ op: 'update', before: current as KubeObject, object: { ...current, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } as unknown as KubeObject }]);
    await eventually('the rules are the tenant\'s again', async () => ok(await admin.get(path)).rules.length === 3, repairWindowMs);
  });

  test('bindings as the tenant says are never rewritten: no write at all over many intervals', async () => {
    await eventually('repairs settle', async () => {
      const before = await currentRevision(w.warden.deps.db.prisma);
      await new Promise((r) => setTimeout(r, 6 * intervalMs));
      return (await currentRevision(w.warden.deps.db.prisma)) === before;
    }, repairWindowMs);
    const before = await currentRevision(w.warden.deps.db.prisma);
    const rvBefore = (await getBinding('acme-web', ownersBinding))!.metadata.resourceVersion;
    // A write elsewhere wakes the reconciler; it must find nothing to do.
    ok(await admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } }), 201);
    await new Promise((r) => setTimeout(r, 20 * intervalMs));
    assert.equal(await currentRevision(w.warden.deps.db.prisma), before + 1, 'only the namespace write moved the revision');
    assert.equal((await getBinding('acme-web', ownersBinding))!.metadata.resourceVersion, rvBefore);
  });

  test('a binding someone else made in a tenant namespace is left alone', async () => {
    ok(await as(w, 'alice').post(bindingsPath('acme-web'), roleBinding('acme-web', 'team-edit', roleRef('ClusterRole', 'edit'), [group('acme-devs')])), 201);
    await new Promise((r) => setTimeout(r, 10 * intervalMs));
    assert.ok(await getBinding('acme-web', 'team-edit'));
  });
});

describe('the Tenant decides', () => {
  test('new owners get admin in every namespace and removed owners lose it', async () => {
    ok(await admin.patch(`${tenantsPath}/acme`, { spec: { owners: [user('dave')] } }, mergePatch));
    for (const ns of ['acme-web', 'acme-jobs']) {
      await eventually(`dave owns ${ns}`, async () => (await getBinding(ns, ownersBinding))?.subjects?.map((x: Obj) => x.name).join() === 'dave', repairWindowMs);
      assert.deepEqual((await getBinding(ns, ownersBinding))!.subjects, [user('dave')]);
    }
    assert.equal(await may(as(w, 'dave'), 'acme-jobs'), true);
    assert.equal(await may(as(w, 'alice'), 'acme-jobs'), false);
    assert.equal((await as(w, 'alice').get('/api/v1/namespaces/acme-web')).status, 403);
  });

  test('a binding added to the tenant appears in every namespace; one dropped from it disappears', async () => {
    const deployers = { name: 'acme-deployers', roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'acme-web' }] };
    ok(await admin.patch(`${tenantsPath}/acme`, { spec: { roleBindings: [deployers] } }, mergePatch));
    for (const ns of ['acme-web', 'acme-jobs']) {
      await eventually(`acme-deployers in ${ns}`, async () => (await getBinding(ns, 'acme-deployers'))?.subjects?.[0]?.name === 'ci', repairWindowMs);
      await eventually(`acme-viewers gone from ${ns}`, async () => (await getBinding(ns, 'acme-viewers')) === undefined, repairWindowMs);
    }
    assert.ok(await getBinding('acme-web', 'team-edit'), 'unmanaged bindings stay');
  });
});

describe('collection deletes', () => {
  test('a deletecollection leaves the managed bindings, deletes the rest, and warns', async () => {
    ok(await admin.post(bindingsPath('acme-jobs'), roleBinding('acme-jobs', 'scratch', roleRef('ClusterRole', 'view'), [user('someone')])), 201);
    const r = await admin.delete(bindingsPath('acme-jobs'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((b: Obj) => b.metadata.name), ['scratch']);
    assert.match(String(r.headers.warning), /managed by Warden for tenants were left/);
    assert.ok(await getBinding('acme-jobs', ownersBinding), 'the owners\' binding stays');
    assert.equal(await getBinding('acme-jobs', 'scratch'), undefined);
  });
});
