/**
 * A Tenant's default network policies apply in every namespace of the
 * tenant as if stored there, and traffic reviews say when one of them
 * decided; namespaces of other tenants, or of none, are untouched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { ok } from '../api/client.ts';
import { ALLOW, DENY_IN, matchLabels, namespace, netpol, networkApi, pod, tcp, type NetworkApi } from './support.ts';

let w: TestWarden;
let n: NetworkApi;

const tenantNamespace = (name: string, tenant: string) => namespace(name, { 'tenancy.warden.dev/tenant': tenant });

before(async () => {
  w = await startTestWarden();
  n = networkApi(w);
  ok(await n.post('/apis/tenancy.warden.dev/v1/tenants', {
    apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 'shop' },
    spec: {
      owners: [{ kind: 'User', name: 'alice' }],
      defaultNetworkPolicies: [{ name: 'default-deny-ingress', spec: { podSelector: {}, policyTypes: ['Ingress'] } }],
    },
  }), 201);
  await n.replaceState([
    tenantNamespace('shop-web', 'shop'),
    tenantNamespace('shop-db', 'shop'),
    namespace('plain'),
    netpol('shop-db', 'allow-web', { podSelector: matchLabels({ app: 'db' }), ingress: [{ from: [{ namespaceSelector: matchLabels({ 'kubernetes.io/metadata.name': 'shop-web' }) }] }] }),
  ]);
});
after(async () => { await w.close(); });

const web = pod('shop-web', 'web', { app: 'web' }, { ports: [tcp(80)] });
const db = pod('shop-db', 'db', { app: 'db' }, { ports: [tcp(5432)] });
const other = pod('plain', 'other', { app: 'other' }, { ports: [tcp(80)] });

test('a tenant default policy isolates every namespace of the tenant, and the verdict names it as a tenant default', async () => {
  assert.deepEqual(await n.decide(other, web, 80), DENY_IN);
  const res = await n.review({ source: other, destination: web, port: 80 });
  const ingress = res.body.status.ingress;
  assert.equal(ingress.isolated, true);
  assert.deepEqual(ingress.policies.map((p: { name: string; tenantDefault: boolean }) => [p.name, p.tenantDefault]), [['default-deny-ingress', true]]);
  assert.match(res.body.status.reason, /tenant default NetworkPolicy shop-web\/default-deny-ingress/);
});

test('a policy stored in the namespace adds to the tenant defaults, as policies add to each other', async () => {
  assert.deepEqual(await n.decide(web, db, 5432), ALLOW);
  const res = await n.review({ source: web, destination: db, port: 5432 });
  const names = res.body.status.ingress.policies.map((p: { name: string; tenantDefault: boolean }) => `${p.name}:${p.tenantDefault}`).sort();
  assert.deepEqual(names, ['allow-web:false', 'default-deny-ingress:true']);
});

test('namespaces outside the tenant are not touched by its defaults', async () => {
  assert.deepEqual(await n.decide(web, other, 80), ALLOW);
  const res = await n.review({ source: web, destination: other, port: 80 });
  assert.equal(res.body.status.ingress.isolated, false);
});

test('changing the tenant\'s defaults changes the next decision', async () => {
  ok(await n.patch('/apis/tenancy.warden.dev/v1/tenants/shop', { spec: { defaultNetworkPolicies: [] } }, 'application/merge-patch+json'));
  assert.deepEqual(await n.decide(other, web, 80), ALLOW);
});
