/**
 * Bad Tenants and bad tenant namespaces: each is a 4xx Status naming the
 * field (422 Invalid for what the schema lets through, 400 for what it
 * does not), and writes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, mergePatch, ok, type Api } from '../api/client.ts';
import { group, user, type Obj } from '../api/builders.ts';
import { applyAll, ownersBinding, tenant, tenantLabel, tenantNamespace, tenantsPath } from './support.ts';

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  await applyAll(admin, [tenant('acme', { owners: [user('alice')], namespaceLimit: 4 })]);
  await applyAll(admin, [tenantNamespace('acme-1', 'acme'), tenantNamespace('acme-2', 'acme'), tenantNamespace('acme-3', 'acme')]);
});
after(async () => { await w?.close(); });

const owners = [user('alice')];
const binding = (extra: Obj = {}): Obj => ({ name: 'viewers', roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [group('auditors')], ...extra });

interface BadTenant { name: string; object: Obj; code?: 400 | 422; field: string; message: string }

const badTenants: BadTenant[] = [
  { name: 'an owner of unknown kind', object: tenant('t', { owners: [{ kind: 'Robot', name: 'r2' }] }), field: 'spec.owners[0].kind', message: 'Unsupported value: "Robot"' },
  { name: 'a ServiceAccount owner without its namespace', object: tenant('t', { owners: [{ kind: 'ServiceAccount', name: 'ci' }] }), field: 'spec.owners[0].namespace', message: 'Required value' },
  { name: 'a User owner in another API group', object: tenant('t', { owners: [{ kind: 'User', apiGroup: 'example.com', name: 'u' }] }), field: 'spec.owners[0].apiGroup', message: 'Unsupported value' },
  { name: 'an owner without a name', object: tenant('t', { owners: [{ kind: 'User' }] }), field: 'spec.owners[0].name', message: 'Required value' },
  { name: 'no owners', object: tenant('t', { owners: [] }), field: 'spec.owners', message: 'a tenant needs at least one owner' },
  { name: 'no spec', object: { apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 't' } }, field: 'spec.owners', message: 'a tenant needs at least one owner' },
  { name: 'an upper-case name', object: tenant('Acme', { owners }), field: 'metadata.name', message: 'a lowercase RFC 1123 label' },
  { name: 'a name with a dot (tenant names are DNS labels, as they become label values)', object: tenant('acme.corp', { owners }), field: 'metadata.name', message: 'must not contain dots' },
  { name: 'a 64-character name', object: tenant('t'.repeat(64), { owners }), field: 'metadata.name', message: 'must be no more than 63 characters' },
  { name: 'a negative namespace limit', object: tenant('t', { owners, namespaceLimit: -1 }), code: 400, field: 'spec.namespaceLimit', message: 'must be >= 0' },
  { name: 'a fractional namespace limit', object: tenant('t', { owners, namespaceLimit: 2.5 }), code: 400, field: 'spec.namespaceLimit', message: 'must be integer' },
  { name: 'a namespace limit given as a string', object: tenant('t', { owners, namespaceLimit: '3' }), code: 400, field: 'spec.namespaceLimit', message: 'must be integer' },
  { name: 'a role binding naming a Role', object: tenant('t', { owners, roleBindings: [binding({ roleRef: { kind: 'Role', name: 'reader' } })] }), field: 'spec.roleBindings[0].roleRef.kind', message: 'Unsupported value: "Role"' },
  {
    name: 'a role binding named as the owners\' binding', object: tenant('t', { owners, roleBindings: [binding({ name: ownersBinding })] }),
    field: 'spec.roleBindings[0].name', message: `Forbidden: ${ownersBinding} is an owners' binding Warden keeps`,
  },
  { name: 'two role bindings of one name', object: tenant('t', { owners, roleBindings: [binding(), binding()] }), field: 'spec.roleBindings[1].name', message: 'Duplicate value: "viewers"' },
  { name: 'a role binding without subjects', object: tenant('t', { owners, roleBindings: [binding({ subjects: [] })] }), field: 'spec.roleBindings[0].subjects', message: 'Required value' },
  { name: 'a role binding with a bad name', object: tenant('t', { owners, roleBindings: [binding({ name: 'a/b' })] }), field: 'spec.roleBindings[0].name', message: 'Invalid value: "a/b"' },
  { name: 'a quota with an unparsable quantity', object: tenant('t', { owners, resourceQuota: { hard: { pods: 'lots' } } }), field: 'spec.resourceQuota.hard[pods]', message: 'Invalid value' },
  {
    name: 'a default network policy with an invalid spec',
    object: tenant('t', { owners, defaultNetworkPolicies: [{ name: 'deny', spec: { podSelector: {}, policyTypes: ['Sideways'] } }] }),
    field: 'spec.defaultNetworkPolicies[0].spec.policyTypes[0]', message: 'Unsupported value: "Sideways"',
  },
];

describe('a Tenant that is refused', () => {
  for (const c of badTenants) {
    test(`${c.name}: ${c.code ?? 422} naming ${c.field}`, async () => {
      const code = c.code ?? 422;
      const status = await assertRefused(w, admin, () => admin.post(tenantsPath, c.object), {
        code, reason: code === 422 ? 'Invalid' : 'BadRequest', message: [c.field, c.message],
      });
      assert.ok(status.details.causes.some((x: Obj) => x.field === c.field), JSON.stringify(status.details.causes));
    });
  }
});

describe('a Tenant update that is refused', () => {
  test('a namespace limit below the namespaces the tenant has, by merge patch and by PUT', async () => {
    const expected = { code: 422, reason: 'Invalid', message: ['spec.namespaceLimit: Invalid value: 2: must not be below the tenant\'s 3 current namespaces'] };
    await assertRefused(w, admin, () => admin.patch(`${tenantsPath}/acme`, { spec: { namespaceLimit: 2 } }, mergePatch), expected);
    const current = ok(await admin.get(`${tenantsPath}/acme`));
    await assertRefused(w, admin, () => admin.put(`${tenantsPath}/acme`, { ...current, spec: { ...current.spec, namespaceLimit: 2 } }), expected);
  });

  test('a limit equal to the namespaces it has, or no limit at all, is accepted', async () => {
    assert.equal(ok(await admin.patch(`${tenantsPath}/acme`, { spec: { namespaceLimit: 3 } }, mergePatch)).spec.namespaceLimit, 3);
    assert.equal(ok(await admin.patch(`${tenantsPath}/acme`, { spec: { namespaceLimit: null } }, mergePatch)).spec.namespaceLimit, undefined);
  });

  test('removing every owner', async () => {
    await assertRefused(w, admin, () => admin.patch(`${tenantsPath}/acme`, { spec: { owners: [] } }, mergePatch), { code: 422, reason: 'Invalid', message: ['spec.owners: Required value'] });
  });
});

describe('a tenant namespace that is refused', () => {
  const cases: { name: string; object: Obj; message: string }[] = [
    { name: 'a tenant label that is not a valid label value', object: tenantNamespace('bad-1', 'Not Valid!'), message: 'Invalid value: "Not Valid!"' },
    { name: 'a tenant label naming no tenant', object: tenantNamespace('bad-2', 'ghost'), message: `metadata.labels[${tenantLabel}]: Not found: "ghost"` },
    { name: 'an empty tenant label', object: tenantNamespace('bad-3', ''), message: `metadata.labels[${tenantLabel}]` },
  ];
  for (const c of cases) {
    test(`${c.name}: 422, nothing written`, async () => {
      await assertRefused(w, admin, () => admin.post('/api/v1/namespaces', c.object), { code: 422, reason: 'Invalid', message: [c.message] });
    });
  }
});
