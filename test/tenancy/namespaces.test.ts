/**
 * Tenant namespaces: an owner creates them only in its own tenant and up to
 * the tenant's limit (also when many creates race), another tenant and a
 * missing one get the same refusal, and the tenant label is set at creation
 * and never changes, whatever the kind of write.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, applyPatch, assertRefused, jsonPatch, mergePatch, ok, strategicPatch, type Api } from '../api/client.ts';
import { user } from '../api/builders.ts';
import { applyAll, applyPath, as, normalized, ownersBinding, tenant, tenantLabel, tenantNamespace, tenantsPath } from './support.ts';

let w: TestWarden;
let admin: Api;
let alice: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  alice = as(w, 'alice');
  await applyAll(admin, [
    tenant('acme', { owners: [user('alice')], namespaceLimit: 3 }),
    tenant('bolt', { owners: [user('bob')] }),
    tenant('crowd', { owners: [user('carol')], namespaceLimit: 5 }),
  ]);
  await applyAll(admin, [tenantNamespace('bolt-main', 'bolt'), tenantNamespace('crowd-1', 'crowd'), tenantNamespace('crowd-2', 'crowd')]);
});
after(async () => { await w?.close(); });

const count = async (tenantName: string) => ok(await admin.get(`${tenantsPath}/${tenantName}`)).status.namespaceCount as number;

describe('where an owner may create namespaces', () => {
  test('in its own tenant, with the owners\' admin binding made in the same write', async () => {
    const ns = ok(await alice.post('/api/v1/namespaces', tenantNamespace('acme-web', 'acme')), 201);
    const binding = ok(await admin.get(`/apis/rbac.authorization.k8s.io/v1/namespaces/acme-web/rolebindings/${ownersBinding}`));
    assert.equal(binding.metadata.resourceVersion, ns.metadata.resourceVersion);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' });
    assert.deepEqual(binding.subjects, [user('alice')]);
    ok(await alice.get('/api/v1/namespaces/acme-web'));
  });

  test('another tenant and a missing tenant get the same 403, so an owner cannot probe which tenants exist', async () => {
    const answers = [];
    for (const name of ['bolt', 'ghost']) {
      const status = await assertRefused(w, admin, () => alice.post('/api/v1/namespaces', tenantNamespace('acme-sneaky', name)), {
        code: 403, reason: 'Forbidden', message: [`User "alice" cannot create namespaces in tenant "${name}": not one of its owners`],
      });
      answers.push(normalized({ status: 403, body: status }, { tenant: name }));
    }
    assert.deepEqual(answers[1], answers[0]);
  });

  test('without a tenant label, an owner of one tenant gets the namespace in that tenant, with its bindings, and may delete it', async () => {
    const carol = as(w, 'carol');
    const ns = ok(await carol.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crowd-unlabelled' } }), 201);
    assert.equal(ns.metadata.labels[tenantLabel], 'crowd');
    const binding = ok(await admin.get(`/apis/rbac.authorization.k8s.io/v1/namespaces/crowd-unlabelled/rolebindings/${ownersBinding}`));
    assert.equal(binding.metadata.resourceVersion, ns.metadata.resourceVersion);
    ok(await carol.delete('/api/v1/namespaces/crowd-unlabelled'));
    assert.equal(await count('crowd'), 2);
  });

  test('without a tenant label, an owner of several tenants is told which it may name', async () => {
    await applyAll(admin, [tenant('crowd-extra', { owners: [user('carol')] })]);
    try {
      const status = await assertRefused(w, admin, () => as(w, 'carol').post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crowd-unlabelled' } }), {
        code: 422, reason: 'Invalid', message: [`metadata.labels[${tenantLabel}]: Required value`, '"crowd", "crowd-extra"'],
      });
      assert.equal(status.details.causes[0].field, `metadata.labels[${tenantLabel}]`);
    } finally {
      ok(await admin.delete(`${tenantsPath}/crowd-extra`));
    }
  });

  test('a caller who may create any namespace is told a named tenant does not exist', async () => {
    const status = await assertRefused(w, admin, () => admin.post('/api/v1/namespaces', tenantNamespace('nowhere-1', 'ghost')), {
      code: 422, reason: 'Invalid', message: [`metadata.labels[${tenantLabel}]: Not found: "ghost"`],
    });
    assert.equal(status.details.causes[0].field, `metadata.labels[${tenantLabel}]`);
  });

  test('a user who owns no tenant may not create namespaces at all', async () => {
    await assertRefused(w, admin, () => as(w, 'mallory').post('/api/v1/namespaces', tenantNamespace('m-1', 'acme')), {
      code: 403, reason: 'Forbidden', message: ['User "mallory" cannot create resource "namespaces"'],
    });
  });
});

describe('the namespace limit', () => {
  test('the owner fills its tenant to the limit and no further; the admin is held to it too', async () => {
    ok(await alice.post('/api/v1/namespaces', tenantNamespace('acme-jobs', 'acme')), 201);
    ok(await alice.post('/api/v1/namespaces', tenantNamespace('acme-data', 'acme')), 201);
    assert.equal(await count('acme'), 3);
    const expected = { code: 403, reason: 'Forbidden', message: ['tenant "acme" has 3 namespaces, its limit (spec.namespaceLimit is 3)'] };
    await assertRefused(w, admin, () => alice.post('/api/v1/namespaces', tenantNamespace('acme-more', 'acme')), expected);
    await assertRefused(w, admin, () => admin.post('/api/v1/namespaces', tenantNamespace('acme-more', 'acme')), expected);
    await assertRefused(w, admin, () => admin.post(`${applyPath}?fieldManager=t`, { apiVersion: 'v1', kind: 'List', items: [tenantNamespace('acme-more', 'acme')] }), expected);
  });

  test('deleting a namespace frees its place', async () => {
    ok(await alice.delete('/api/v1/namespaces/acme-data'));
    ok(await alice.post('/api/v1/namespaces', tenantNamespace('acme-data2', 'acme')), 201);
    assert.equal(await count('acme'), 3);
  });

  test('ten creates racing for three free places: exactly three succeed, the others are 403, the tenant ends at its limit', async () => {
    const carol = as(w, 'carol');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => carol.post('/api/v1/namespaces', tenantNamespace(`crowd-race-${i}`, 'crowd'))));
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 201, 403, 403, 403, 403, 403, 403, 403], JSON.stringify(results.map((r) => r.body.message ?? r.body.metadata.name)));
    for (const r of results.filter((x) => x.status === 403)) assert.match(r.body.message, /tenant "crowd" has \d namespaces, its limit \(spec\.namespaceLimit is 5\)/);
    assert.equal(await count('crowd'), 5);
    const listed = ok(await admin.get(`/api/v1/namespaces?labelSelector=${encodeURIComponent(`${tenantLabel}=crowd`)}`)).items;
    assert.equal(listed.length, 5);
  });

  test('one bulk apply may not carry a tenant past its limit: all or nothing', async () => {
    ok(await admin.patch(`${tenantsPath}/bolt`, { spec: { namespaceLimit: 2 } }, mergePatch));
    await assertRefused(w, admin, () => admin.post(`${applyPath}?fieldManager=t`, { apiVersion: 'v1', kind: 'List', items: [tenantNamespace('bolt-a', 'bolt'), tenantNamespace('bolt-b', 'bolt')] }), {
      code: 403, reason: 'Forbidden', message: ['tenant "bolt" has 1 namespaces, its limit (spec.namespaceLimit is 2)'],
    });
    assert.equal(await count('bolt'), 1);
  });
});

describe('the tenant label is immutable', () => {
  const path = '/api/v1/namespaces/acme-web';
  const moved = { metadata: { labels: { [tenantLabel]: 'bolt' } } };
  const cases: { name: string; send(who: Api): Promise<import('supertest').Response> }[] = [
    { name: 'a merge patch moving it to another tenant', send: (who) => who.patch(path, moved, mergePatch) },
    { name: 'a merge patch removing it', send: (who) => who.patch(path, { metadata: { labels: { [tenantLabel]: null } } }, mergePatch) },
    { name: 'a JSON patch replacing it', send: (who) => who.patch(path, [{ op: 'replace', path: '/metadata/labels/tenancy.warden.dev~1tenant', value: 'bolt' }], jsonPatch) },
    { name: 'a strategic merge patch', send: (who) => who.patch(path, moved, strategicPatch) },
    { name: 'a strategic merge patch deleting the labels map', send: (who) => who.patch(path, { metadata: { labels: { $patch: 'delete' } } }, strategicPatch) },
    { name: 'a strategic merge patch replacing the labels map', send: (who) => who.patch(path, { metadata: { labels: { $patch: 'replace', team: 'web' } } }, strategicPatch) },
    { name: 'a strategic merge patch retaining other keys only', send: (who) => who.patch(path, { metadata: { $retainKeys: ['name', 'uid', 'resourceVersion'] } }, strategicPatch) },
    { name: 'a PUT without it', send: async (who) => who.put(path, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme-web', labels: { team: 'web' } } }) },
    {
      name: 'a server-side apply taking it over',
      send: (who) => who.patch(`${path}?fieldManager=mover&force=true`, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme-web', labels: { [tenantLabel]: 'bolt' } } }), applyPatch),
    },
    { name: 'a bulk apply', send: (who) => who.post(`${applyPath}?fieldManager=mover&force=true`, { apiVersion: 'v1', kind: 'List', items: [tenantNamespace('acme-web', 'bolt')] }) },
  ];
  for (const c of cases) {
    for (const [who, client] of [['the admin', () => admin], ['the owner', () => alice]] as const) {
      test(`${c.name}, by ${who}, is 422 naming the label, and writes nothing`, async () => {
        const status = await assertRefused(w, admin, () => c.send(client()), {
          code: 422, reason: 'Invalid', message: [`metadata.labels[${tenantLabel}]: Forbidden: a namespace's tenant is set at creation and cannot change`],
        });
        assert.ok(status.details.causes.some((x: { field: string }) => x.field.endsWith(`metadata.labels[${tenantLabel}]`)), JSON.stringify(status.details));
      });
    }
  }

  test('a namespace created without a tenant cannot join one later', async () => {
    ok(await admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } }), 201);
    await assertRefused(w, admin, () => admin.patch('/api/v1/namespaces/shared', moved, mergePatch), { code: 422, reason: 'Invalid', message: ['cannot change'] });
  });

  test('other labels of a tenant namespace may change, by its owner', async () => {
    const ns = ok(await alice.patch(path, { metadata: { labels: { team: 'web' } } }, mergePatch));
    assert.equal(ns.metadata.labels[tenantLabel], 'acme');
    assert.equal(ns.metadata.labels.team, 'web');
  });
});
