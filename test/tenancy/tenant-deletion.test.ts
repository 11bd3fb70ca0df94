/**
 * Deleting a tenant: refused (409) while it has namespaces, unless the
 * delete asks for propagationPolicy Foreground (kubectl delete
 * --cascade=foreground), which deletes the tenant, its namespaces and
 * everything in them in one write, and nothing of any other tenant.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, ok, type Api } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { applyAll, platform, seedPlatform, stateOf, tenant, tenantNamespace, tenantsPath } from './support.ts';
import { user } from '../api/builders.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await seedPlatform(admin);
});
after(async () => { await w?.close(); });

const foreground = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' };
const refusal = (n: number) => ({ code: 409, reason: 'Conflict', message: [`the tenant still has ${n} namespaces`, 'propagationPolicy Foreground'] });

describe('a tenant with namespaces', () => {
  const cases: { name: string; send(): ReturnType<Api['delete']> }[] = [
    { name: 'a plain delete', send: () => admin.delete(`${tenantsPath}/bolt`) },
    { name: 'propagationPolicy Background', send: () => admin.delete(`${tenantsPath}/bolt`, { ...foreground, propagationPolicy: 'Background' }) },
    { name: 'propagationPolicy Orphan', send: () => admin.delete(`${tenantsPath}/bolt?propagationPolicy=Orphan`) },
    { name: 'a collection delete selecting it', send: () => admin.delete(`${tenantsPath}?fieldSelector=metadata.name%3Dbolt`) },
  ];
  for (const c of cases) {
    test(`${c.name} is refused with 409 naming the namespaces, and writes nothing`, async () => {
      const status = await assertRefused(w, admin, c.send, refusal(2));
      assert.match(status.message, /\(bolt-ledger, bolt-payments\)/);
    });
  }

  test('a dry run with Foreground deletes nothing', async () => {
    const before = await stateOf(admin, 'bolt');
    ok(await admin.delete(`${tenantsPath}/bolt?dryRun=All`, foreground));
    assert.deepEqual(await stateOf(admin, 'bolt'), before);
  });

  test('Foreground deletes the tenant, its namespaces and all in them at one revision; the other tenant keeps everything', async () => {
    const acmeBefore = await stateOf(admin, 'acme');
    const res = ok(await admin.delete(`${tenantsPath}/bolt`, foreground));
    assert.equal(res.status, 'Success');
    assert.equal((await admin.get(`${tenantsPath}/bolt`)).status, 404);
    for (const ns of platform.bolt.namespaces) {
      assert.equal((await admin.get(`/api/v1/namespaces/${ns}`)).status, 404);
      for (const path of [`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, `/api/v1/namespaces/${ns}/resourcequotas`, `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, `/api/v1/namespaces/${ns}/serviceaccounts`]) {
        assert.deepEqual(ok(await admin.get(path)).items, [], path);
      }
    }
    const history = await w.warden.deps.db.prisma.change.findMany({ where: { OR: [{ kind: 'Tenant', name: 'bolt' }, { namespace: { in: platform.bolt.namespaces } }], operation: 'delete' } });
    assert.equal(new Set(history.map((c) => c.revision)).size, 1, 'one revision');
    assert.ok(history.length >= 1 + platform.bolt.namespaces.length * 6, `${history.length} deletes`);
    assert.deepEqual(await stateOf(admin, 'acme'), acmeBefore);
  });

  test('the query parameter form of Foreground cascades too', async () => {
    await applyAll(admin, [tenant('crowd', { owners: [user('carol')] })]);
    await applyAll(admin, [tenantNamespace('crowd-1', 'crowd')]);
    ok(await admin.delete(`${tenantsPath}/crowd?propagationPolicy=Foreground`));
    assert.equal((await admin.get('/api/v1/namespaces/crowd-1')).status, 404);
  });
});

describe('a tenant without namespaces', () => {
  test('is deleted by a plain delete', async () => {
    await applyAll(admin, [tenant('empty', { owners: [user('erin')] })]);
    ok(await admin.delete(`${tenantsPath}/empty`));
    assert.equal((await admin.get(`${tenantsPath}/empty`)).status, 404);
  });

  test('once its namespaces are deleted one by one, a plain delete succeeds', async () => {
    await applyAll(admin, [tenant('fading', { owners: [user('fay')] })]);
    await applyAll(admin, [tenantNamespace('fading-1', 'fading')]);
    await assertRefused(w, admin, () => admin.delete(`${tenantsPath}/fading`), refusal(1));
    ok(await admin.delete('/api/v1/namespaces/fading-1'));
    const status = ok(await admin.delete(`${tenantsPath}/fading`)) as Obj;
    assert.equal(status.details.name, 'fading');
  });
});
