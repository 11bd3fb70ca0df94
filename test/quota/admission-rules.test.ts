/**
 * ResourceQuota admission through `/webhooks/admission`: what an admitted
 * request is charged, what a denial says and leaves alone, dry runs,
 * releases on DELETE, updates, warnings, and how stored usage and the
 * policy revision move.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, revision, type Api } from '../api/client.ts';
import { admit, claim, configMap, create, pod, quota, remove, review, targets, usedOf, webhookPath } from './builders.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

describe('charging', () => {
  test('an admitted CREATE is charged to its quotas, and the answer carries the revision of that write', async () => {
    const q = await quota(a, 'charge', 'compute', { 'requests.cpu': '1', pods: '5' });
    const before_ = await revision(a);
    const res = await a.post(webhookPath, create(targets.pod, pod('charge', 'web', { cpu: '250m' })));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { uid: res.body.response.uid, allowed: true });
    assert.deepEqual(await usedOf(a, 'charge', 'compute'), { pods: '1', 'requests.cpu': '250m' });
    assert.equal(await revision(a), before_ + 1, 'one write, one revision');
    const stored = ok(await a.get('/api/v1/namespaces/charge/resourcequotas/compute'));
    assert.equal(res.headers['x-warden-revision'], stored.metadata.resourceVersion);
    assert.notEqual(stored.metadata.resourceVersion, q.metadata.resourceVersion);
  });

  test('a request that does not fit is denied in Kubernetes\' words and charges nothing', async () => {
    await quota(a, 'deny', 'compute', { 'requests.cpu': '1' }, { 'requests.cpu': '800m' });
    const before_ = await revision(a);
    const response = await admit(a, create(targets.pod, pod('deny', 'web', { cpu: '500m' })));
    assert.deepEqual(response.status, {
      code: 403, reason: 'Forbidden', metadata: {},
      message: 'pods "web" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1',
    });
    assert.equal(response.allowed, false);
    assert.deepEqual(await usedOf(a, 'deny', 'compute'), { 'requests.cpu': '800m' });
    assert.equal(await revision(a), before_);
  });

  test('reaching the hard limit exactly is allowed; past 90% of it the answer warns', async () => {
    await quota(a, 'warn', 'compute', { 'requests.cpu': '1', 'requests.memory': '10Gi' });
    const quiet = await admit(a, create(targets.pod, pod('warn', 'a', { cpu: '900m', memory: '1Gi' })));
    assert.deepEqual(quiet, { uid: quiet.uid, allowed: true }, 'exactly 90% is not past it');
    const full = await admit(a, create(targets.pod, pod('warn', 'b', { cpu: '100m', memory: '1Gi' })));
    assert.equal(full.allowed, true);
    assert.deepEqual(full.warnings, ['resourcequota "compute" is at 100% of its requests.cpu limit: used 1 of 1']);
    assert.deepEqual(await usedOf(a, 'warn', 'compute'), { 'requests.cpu': '1', 'requests.memory': '2Gi' });
  });

  test('a dry run is decided like the real request and charges nothing', async () => {
    await quota(a, 'dry', 'compute', { 'requests.cpu': '1' }, { 'requests.cpu': '600m' });
    const before_ = await revision(a);
    const fits = await admit(a, create(targets.pod, pod('dry', 'a', { cpu: '300m' }), { dryRun: true }));
    assert.equal(fits.allowed, true);
    const overflows = await admit(a, create(targets.pod, pod('dry', 'b', { cpu: '500m' }), { dryRun: true }));
    assert.equal(overflows.allowed, false);
    assert.match(overflows.status.message, /^pods "b" is forbidden: exceeded quota: compute, requested: requests\.cpu=500m, used: requests\.cpu=600m/);
    assert.deepEqual(await usedOf(a, 'dry', 'compute'), { 'requests.cpu': '600m' });
    assert.equal(await revision(a), before_);
  });

  test('quotas of another namespace never apply', async () => {
    await quota(a, 'elsewhere', 'tight', { pods: '0' });
    await quota(a, 'here', 'roomy', { pods: '3' });
    const response = await admit(a, create(targets.pod, pod('here', 'p', { cpu: '1' })));
    assert.equal(response.allowed, true);
    assert.deepEqual(await usedOf(a, 'elsewhere', 'tight'), { pods: '0' });
    assert.deepEqual(await usedOf(a, 'here', 'roomy'), { pods: '1' });
  });

  test('a namespace without quotas admits and writes nothing', async () => {
    ok(await a.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'free' } }), 201);
    const before_ = await revision(a);
    assert.equal((await admit(a, create(targets.pod, pod('free', 'p', { cpu: '64' })))).allowed, true);
    assert.equal(await revision(a), before_);
  });

  test('usage set through /status replaces what admission counted, and the next request is checked against it', async () => {
    await quota(a, 'resync', 'count', { 'count/configmaps': '2' });
    assert.equal((await admit(a, create(targets.configMap, configMap('resync', 'one')))).allowed, true);
    const current = ok(await a.get('/api/v1/namespaces/resync/resourcequotas/count'));
    ok(await a.put('/api/v1/namespaces/resync/resourcequotas/count/status', { ...current, status: { used: { 'count/configmaps': '2' } } }));
    const denied = await admit(a, create(targets.configMap, configMap('resync', 'three')));
    assert.equal(denied.status.message,
      'configmaps "three" is forbidden: exceeded quota: count, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2');
  });
});

describe('releases and updates', () => {
  test('a DELETE gives back the charge of its old object; Warden has no quota controller to recount', async () => {
    await quota(a, 'release', 'compute', { 'requests.cpu': '2', pods: '4' });
    const web = pod('release', 'web', { cpu: '750m' });
    assert.equal((await admit(a, create(targets.pod, web))).allowed, true);
    assert.equal((await admit(a, create(targets.pod, pod('release', 'db', { cpu: '1' })))).allowed, true);
    assert.deepEqual(await usedOf(a, 'release', 'compute'), { pods: '2', 'requests.cpu': '1750m' });
    assert.equal((await admit(a, remove(targets.pod, web))).allowed, true);
    assert.deepEqual(await usedOf(a, 'release', 'compute'), { pods: '1', 'requests.cpu': '1' });
  });

  test('a dry-run DELETE, or one without its old object, releases nothing', async () => {
    await quota(a, 'keep', 'compute', { 'requests.cpu': '2', pods: '4' }, { 'requests.cpu': '1', pods: '1' });
    const before_ = await revision(a);
    const web = pod('keep', 'web', { cpu: '1' });
    assert.equal((await admit(a, remove(targets.pod, web, { dryRun: true }))).allowed, true);
    assert.equal((await admit(a, review('DELETE', targets.pod, { object: null, oldObject: null }))).allowed, true);
    assert.deepEqual(await usedOf(a, 'keep', 'compute'), { 'requests.cpu': '1', pods: '1' });
    assert.equal(await revision(a), before_);
  });

  test('a DELETE whose old object cannot be read is allowed, releases nothing, and says so', async () => {
    await quota(a, 'unread', 'compute', { 'requests.cpu': '2' }, { 'requests.cpu': '1' });
    const odd = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'odd', namespace: 'unread' }, spec: { containers: 'app' } };
    const response = await admit(a, remove(targets.pod, odd));
    assert.equal(response.allowed, true);
    assert.equal(response.warnings.length, 1);
    assert.match(response.warnings[0], /^the quota charge of this object was not released: spec\.containers/);
    assert.deepEqual(await usedOf(a, 'unread', 'compute'), { 'requests.cpu': '1' });
  });

  test('a release never takes usage below zero', async () => {
    await quota(a, 'floor', 'compute', { 'requests.cpu': '2' }, { 'requests.cpu': '100m' });
    assert.equal((await admit(a, remove(targets.pod, pod('floor', 'big', { cpu: '1' })))).allowed, true);
    assert.deepEqual(await usedOf(a, 'floor', 'compute'), { 'requests.cpu': '0' });
  });

  test('growing a claim is charged the increase only; shrinking one is charged nothing', async () => {
    await quota(a, 'claims', 'storage', { 'requests.storage': '10Gi' });
    assert.equal((await admit(a, create(targets.pvc, claim('claims', 'data', '3Gi')))).allowed, true);
    const grow = review('UPDATE', targets.pvc, { object: claim('claims', 'data', '5Gi', '11'), oldObject: claim('claims', 'data', '3Gi', '11') });
    assert.equal((await admit(a, grow)).allowed, true);
    assert.deepEqual(await usedOf(a, 'claims', 'storage'), { 'requests.storage': '5Gi' });
    const before_ = await revision(a);
    const shrink = review('UPDATE', targets.pvc, { object: claim('claims', 'data', '2Gi', '12'), oldObject: claim('claims', 'data', '5Gi', '12') });
    assert.equal((await admit(a, shrink)).allowed, true);
    assert.deepEqual(await usedOf(a, 'claims', 'storage'), { 'requests.storage': '5Gi' });
    assert.equal(await revision(a), before_);
    const tooMuch = review('UPDATE', targets.pvc, { object: claim('claims', 'data', '11Gi', '13'), oldObject: claim('claims', 'data', '5Gi', '13') });
    assert.equal((await admit(a, tooMuch)).status.message,
      'persistentvolumeclaims "data" is forbidden: exceeded quota: storage, requested: requests.storage=6Gi, used: requests.storage=5Gi, limited: requests.storage=10Gi');
  });
});
