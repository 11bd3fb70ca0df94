/**
 * The bindings Warden keeps in tenant namespaces: the owners' `admin`
 * binding and the tenant's own role bindings exist from the namespace's
 * first revision, are put back within a few reconcile intervals after a
 * delete or an edit, follow the Tenant when its owners or bindings change,
 * and are left alone (no writes at all) while they are as the tenant says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../engine/meta.ts';
import { currentRevision } from '../../prisma/store/read.ts';
import { writeBatch } from '../../prisma/store/write.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, mergePatch, ok, type Api } from '../api/client.ts';
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

describe('repairs', () => {
  test('an owner deleting its own admin binding gets it back', async () => {
    ok(await as(w, 'alice').delete(bindingPath('acme-web', ownersBinding)));
    await eventually('the owners\' binding is back', async () => (await getBinding('acme-web', ownersBinding))?.subjects?.[0]?.name === 'alice', repairWindowMs);
    assert.equal(await may(as(w, 'alice'), 'acme-web'), true);
  });

  test('a deleted tenant binding is put back', async () => {
    ok(await admin.delete(bindingPath('acme-jobs', 'acme-viewers')));
    await eventually('acme-viewers is back', async () => (await getBinding('acme-jobs', 'acme-viewers')) !== undefined, repairWindowMs);
  });

  test('an edit adding a subject to the owners\' binding is undone', async () => {
    ok(await admin.patch(bindingPath('acme-web', ownersBinding), { subjects: [user('alice'), user('mallory')] }, mergePatch));
    await eventually('mallory is gone from the binding', async () => (await getBinding('acme-web', ownersBinding))?.subjects?.length === 1, repairWindowMs);
    assert.deepEqual((await getBinding('acme-web', ownersBinding))!.subjects, [user('alice')]);
    assert.equal(await may(as(w, 'mallory'), 'acme-web'), false);
    const history = await w.warden.deps.db.prisma.change.findMany({ where: { kind: 'RoleBinding', namespace: 'acme-web', name: ownersBinding }, orderBy: { id: 'asc' } });
    assert.deepEqual(history.slice(-3).map((c) => `${c.operation} by ${c.actor}`), ['update by warden:admin', 'delete by system:warden:tenancy', 'create by system:warden:tenancy']);
  });

  test('a managed binding replaced with another role is restored to its role', async () => {
    // roleRef cannot change through the API: swap the binding in one store write, as a restore from a backup might.
    const current = (await getBinding('acme-jobs', ownersBinding))!;
    const swapped: Obj = { ...current, metadata: { ...current.metadata, uid: randomUUID(), resourceVersion: undefined, managedFields: undefined }, roleRef: roleRef('ClusterRole', 'view') };
    await writeBatch(w.warden.deps.db.prisma, [{ op: 'delete', before: current as KubeObject }, { op: 'create', object: swapped as KubeObject }], 'test');
    await w.warden.deps.snapshots.refresh();
    await eventually('the owners\' binding names admin again', async () => (await getBinding('acme-jobs', ownersBinding))?.roleRef?.name === 'admin', repairWindowMs);
  });

  test('a managed label removed from the binding is put back', async () => {
    ok(await admin.patch(bindingPath('acme-web', 'acme-viewers'), { metadata: { labels: { [managedLabel]: null } } }, mergePatch));
    await eventually('the label is back', async () => (await getBinding('acme-web', 'acme-viewers'))?.metadata?.labels?.[managedLabel] === 'true', repairWindowMs);
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
