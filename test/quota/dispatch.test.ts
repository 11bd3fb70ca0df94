/**
 * What the webhook asks of each kind besides quota: NetworkPolicies are
 * validated as kube-apiserver validates them; RBAC objects go to the
 * escalation step; every check that changes nothing comes before
 * the charge, so a request refused by one is never charged.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import type { AdmissionStep } from '../../api/webhooks/admission.ts';
import { admitRbacWrite } from '../../api/resources/escalation-check.ts';
import { api, revision, type Api } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { admit, create, quota, review, targets, usedOf } from './builders.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

const policy = (name: string, spec: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'net' }, spec });

describe('NetworkPolicy', () => {
  test('a valid NetworkPolicy is allowed and counted where a quota counts them', async () => {
    await quota(a, 'net', 'objects', { 'count/networkpolicies.networking.k8s.io': '2' });
    const ok = policy('web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 8080 }] }] });
    assert.deepEqual(await admit(a, create(targets.networkPolicy, ok, { uid: 'np-1' })), { uid: 'np-1', allowed: true });
    assert.deepEqual(await usedOf(a, 'net', 'objects'), { 'count/networkpolicies.networking.k8s.io': '1' });
  });

  test('an invalid NetworkPolicy is denied with kube-apiserver\'s Invalid message, before any charge', async () => {
    const before_ = await revision(a);
    const bad = policy('broken', { podSelector: {}, policyTypes: ['Sideways'], ingress: [{ ports: [{ port: 70000 }] }] });
    const response = await admit(a, create(targets.networkPolicy, bad));
    assert.deepEqual(response.status, {
      code: 422, reason: 'Invalid', metadata: {},
      message: 'NetworkPolicy.networking.k8s.io "broken" is invalid: [spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive, ' +
        'spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"]',
    });
    assert.equal(await revision(a), before_);
  });

  test('an UPDATE tolerates an invalid CIDR the stored policy already had, as kube-apiserver does, and no new one', async () => {
    const peer = (cidr: string) => ({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr } }] }] });
    const update = (next: string, prev: string) =>
      review('UPDATE', targets.networkPolicy, { object: policy('legacy', peer(next)), oldObject: policy('legacy', peer(prev)), dryRun: true });
    assert.equal((await admit(a, update('10.0.0.0/33', '10.0.0.0/33'))).allowed, true);
    const fresh = await admit(a, update('10.1.0.0/33', '10.0.0.0/33'));
    assert.equal(fresh.allowed, false);
    assert.equal(fresh.status.message, 'NetworkPolicy.networking.k8s.io "legacy" is invalid: ' +
      'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.1.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');
  });

  test('a DELETE of a NetworkPolicy is not validated', async () => {
    assert.equal((await admit(a, review('DELETE', targets.networkPolicy, { oldObject: policy('broken', { policyTypes: ['Sideways'] }) }))).allowed, true);
  });
});

describe('RBAC objects', () => {
  // Each test puts its own RBAC step where the composed one stands, and puts the composed list back.
  let composed: AdmissionStep[];
  beforeEach(() => { composed = w.warden.deps.admission; });
  afterEach(() => { w.warden.deps.admission = composed; });
  const withRbacStep = (step: AdmissionStep) => { w.warden.deps.admission = composed.map((s) => (s === admitRbacWrite ? step : s)); };
  const role = (name: string): Obj => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'rbac' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  });

  test('the escalation check is one of the composed steps', () => {
    assert.ok(composed.includes(admitRbacWrite));
  });

  test('a step with no opinion lets the request on to quota', async () => {
    withRbacStep(() => undefined);
    assert.equal((await admit(a, create(targets.role, role('reader')))).allowed, true);
  });

  test('the RBAC step\'s denial answers, and the request is not charged', async () => {
    await quota(a, 'rbac', 'objects', { 'count/roles.rbac.authorization.k8s.io': '5' });
    const seen: Obj[] = [];
    withRbacStep((_deps, _ctx, request) => {
      if (request.kind.kind !== 'Role') return undefined;
      seen.push(request);
      if (request.name !== 'escalator') return undefined;
      return { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'roles.rbac.authorization.k8s.io "escalator" is forbidden: attempting to grant RBAC permissions not currently held' } };
    });
    const denied = await admit(a, create(targets.role, role('escalator')));
    assert.deepEqual(denied.status, { code: 403, reason: 'Forbidden', metadata: {}, message: 'roles.rbac.authorization.k8s.io "escalator" is forbidden: attempting to grant RBAC permissions not currently held' });
    assert.deepEqual(await usedOf(a, 'rbac', 'objects'), { 'count/roles.rbac.authorization.k8s.io': '0' });
    assert.equal((await admit(a, create(targets.role, role('reader')))).allowed, true);
    assert.deepEqual(await usedOf(a, 'rbac', 'objects'), { 'count/roles.rbac.authorization.k8s.io': '1' });
    assert.deepEqual(seen.map((r) => [r.operation, r.kind.kind, r.name, r.userInfo.username]), [['CREATE', 'Role', 'escalator', 'alice'], ['CREATE', 'Role', 'reader', 'alice']]);
  });

  test('warnings of a step that allows are passed on', async () => {
    withRbacStep(() => ({ allowed: true, warnings: ['binds a role that does not exist yet'] }));
    const response = await admit(a, create(targets.role, role('later')));
    assert.deepEqual(response, { uid: response.uid, allowed: true, warnings: ['binds a role that does not exist yet'] });
  });

  test('the escalation step has no opinion on other kinds', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'rbac' } };
    assert.equal(await admitRbacWrite(w.warden.deps, {} as never, (create(targets.configMap, cm) as { request: never }).request), undefined);
    assert.equal((await admit(a, create(targets.configMap, cm))).allowed, true);
  });
});
