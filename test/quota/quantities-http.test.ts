/**
 * Quantities wherever the API reads them (ResourceQuota `spec.hard`, a
 * Tenant's `spec.resourceQuota.hard`, objects under quota admission) are
 * decoded as kube-apiserver decodes a resource.Quantity from JSON
 * (Quantity.UnmarshalJSON): leading and trailing white space as Go's
 * strings.TrimSpace sees it is removed, then ParseQuantity decides, and the
 * canonical form is written back. ParseQuantity alone refuses padded input
 * (quota/quantities.json checks that on the engine); JSON decoding does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertRefused, ok, type Api } from '../api/client.ts';
import { admit, create, pod, quota, targets, usedOf } from './builders.ts';

const ns = 'quantities';
const quotaPath = `/api/v1/namespaces/${ns}/resourcequotas`;
const regexpError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  ok(await a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), 201);
});
after(async () => { await w?.close(); });

const hardQuota = (value: unknown, name = 'requests.cpu') =>
  ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { [name]: value } } });

describe('spec.hard is decoded as kube decodes a Quantity and written back canonical', () => {
  const accepted: [unknown, string][] = [
    ['1 ', '1'],
    [' 1', '1'],
    [' 2Gi\t', '2Gi'],
    ['\n500m\r', '500m'],
    ['1\u0085', '1'],
    ['\u00a0\u30003', '3'],
    ['1e400', '10e399'],
    ['1e308', '100e306'],
    ['9Ei', '9223372036854775807'],
    ['8Ei', '9223372036854775807'],
    ['1.5', '1500m'],
    ['1024Mi', '1Gi'],
    ['0.0000000001', '1n'],
    ['+1', '+1'],
    ['1.', '1.'],
    ['.', '0'],
    ['12345678901234567890', '12345678901234567890'],
    [1024, '1024'],
  ];
  for (const [input, canonical] of accepted) {
    test(`${JSON.stringify(input)} is enforced as ${canonical}`, async () => {
      const r = ok(await a.post(`${quotaPath}?dryRun=All`, hardQuota(input)), 201);
      assert.equal(r.status.hard['requests.cpu'], canonical);
    });
  }

  // kube-apiserver re-encodes the typed object, so spec.hard too reads back canonical.
  test('spec.hard is written back in canonical form', async () => {
    for (const [input, canonical] of accepted) {
      const r = ok(await a.post(`${quotaPath}?dryRun=All`, hardQuota(input)), 201);
      assert.equal(r.spec.hard['requests.cpu'], canonical, JSON.stringify(input));
    }
  });

  const refused: [string, string][] = [
    ['1\ufeff', regexpError],
    ['1 Ki', regexpError],
    [' ', regexpError],
    ['1 1', regexpError],
    ['1\u200b', regexpError],
    ['1K', "unable to parse quantity's suffix"],
  ];
  for (const [input, error] of refused) {
    test(`${JSON.stringify(input)} is 422 naming spec.hard[requests.cpu], and nothing is written`, async () => {
      const status = await assertRefused(w, a, () => a.post(quotaPath, hardQuota(input)), {
        code: 422, reason: 'Invalid', message: [`spec.hard[requests.cpu]: Invalid value: `, error],
      });
      assert.deepEqual(status.details.causes.map((c: { field: string }) => c.field), ['spec.hard[requests.cpu]']);
    });
  }

  test('a whole-unit resource refuses a fraction after trimming, naming the canonical value', async () => {
    await assertRefused(w, a, () => a.post(quotaPath, hardQuota(' 1.5 ', 'pods')), {
      code: 422, reason: 'Invalid', message: ['spec.hard[pods]: Invalid value: "1500m": must be an integer'],
    });
  });
});

describe('admission reads quantities the same way', () => {
  before(async () => { await quota(a, 'admitted', 'cpu', { 'requests.cpu': '2', pods: '5' }, { 'requests.cpu': '0', pods: '0' }); });

  test('a padded request is charged as its value', async () => {
    const r = await admit(a, create(targets.pod, pod('admitted', 'padded', { cpu: ' 500m\t' })));
    assert.equal(r.allowed, true, JSON.stringify(r.status));
    assert.deepEqual(await usedOf(a, 'admitted', 'cpu'), { 'requests.cpu': '500m', pods: '1' });
  });

  test('a request kube cannot decode is 422 naming it, and charges nothing', async () => {
    const r = await admit(a, create(targets.pod, pod('admitted', 'bom', { cpu: '1\ufeff' })));
    assert.equal(r.allowed, false);
    assert.equal(r.status.code, 422);
    assert.equal(r.status.reason, 'Invalid');
    assert.deepEqual(r.status.details.causes.map((c: { field: string }) => c.field), ['spec.containers[0].resources.requests[cpu]']);
    assert.deepEqual(await usedOf(a, 'admitted', 'cpu'), { 'requests.cpu': '500m', pods: '1' });
  });
});

describe('a Tenant quota reads quantities the same way', () => {
  const tenant = (hard: Record<string, unknown>) => ({
    apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 'acme' },
    spec: { owners: [{ kind: 'User', name: 'alice' }], resourceQuota: { hard } },
  });

  test('a padded hard value is accepted', async () => {
    ok(await a.post('/apis/tenancy.warden.dev/v1/tenants?dryRun=All', tenant({ pods: ' 4 ' })), 201);
  });

  test('one kube cannot decode is 422 naming it', async () => {
    const status = await assertRefused(w, a, () => a.post('/apis/tenancy.warden.dev/v1/tenants', tenant({ pods: '4\ufeff' })), {
      code: 422, reason: 'Invalid', message: ['spec.resourceQuota.hard[pods]: Invalid value: ', regexpError],
    });
    assert.ok(status.details.causes.some((c: { field: string }) => c.field === 'spec.resourceQuota.hard[pods]'));
  });
});
