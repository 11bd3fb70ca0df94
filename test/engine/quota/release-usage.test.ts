import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuotaRequest, computeQuotaUsage, releaseCharges } from '../../../engine/quota/index.ts';
import { container, create, object, pod, pvc, quota, service, sidecar } from './builders.ts';

const pods = { group: '', resource: 'pods' };

test('deleting a pod gives back exactly what admitting it charged', () => {
  const q = quota('q', { 'requests.cpu': '4', pods: '10', 'count/pods': '10' }, { 'requests.cpu': '1', pods: '1', 'count/pods': '1' });
  const p = pod('p', [container('a', { cpu: '750m' })]);
  const admitted = checkQuotaRequest(create(p), [q]);
  assert.equal(admitted.allowed, true);
  const after = { ...q, status: { ...q.status, used: admitted.charges[0].used } };
  const released = releaseCharges(p, pods, [after]);
  assert.deepEqual(released.errors, []);
  assert.deepEqual(released.charges, [{ quota: 'q', scope: 'namespace', used: { 'count/pods': '1', pods: '1', 'requests.cpu': '1' } }]);
});

test('release never goes below zero and keeps untouched names as they were', () => {
  const q = quota('q', { 'requests.cpu': '4', 'requests.memory': '4Gi' }, { 'requests.cpu': '200m', 'requests.memory': '+1Gi' });
  const r = releaseCharges(pod('p', [container('a', { cpu: '1' })]), pods, [q]);
  assert.deepEqual(r.charges, [{ quota: 'q', scope: 'namespace', used: { 'requests.cpu': '0', 'requests.memory': '+1Gi' } }]);
});

test('a pod that has finished still releases its compute', () => {
  const q = quota('q', { 'requests.cpu': '4' }, { 'requests.cpu': '2' });
  const r = releaseCharges(pod('p', [container('a', { cpu: '1' })], { status: { phase: 'Succeeded' } }), pods, [q]);
  assert.deepEqual(r.charges[0].used, { 'requests.cpu': '1' });
});

test('release honours scopes, namespaces and extra limits', () => {
  const scoped = quota('t', { pods: '5' }, { pods: '2' }, { scopes: ['Terminating'] });
  const other = quota('o', { pods: '5' }, { pods: '2' }, { namespace: 'team-b' });
  const plain = pod('p', [container('a')]);
  assert.deepEqual(releaseCharges(plain, pods, [scoped, other]).charges, []);
  const tenant = { name: 'acme', scope: 'tenant' as const, hard: { pods: '50' }, used: { pods: '20' } };
  assert.deepEqual(releaseCharges(plain, pods, [], { extraLimits: [tenant] }).charges, [{ quota: 'acme', scope: 'tenant', used: { pods: '19' } }]);
});

test('release of other kinds: services, claims, counted objects', () => {
  const q = quota('q', {
    services: '5', 'services.loadbalancers': '2', 'requests.storage': '10Gi', configmaps: '5', 'count/deployments.apps': '3',
  }, { services: '2', 'services.loadbalancers': '1', 'requests.storage': '3Gi', configmaps: '2', 'count/deployments.apps': '1' });
  const used = (obj: unknown, resource: { group: string; resource: string }) => releaseCharges(obj, resource, [q]).charges[0]?.used;
  assert.deepEqual(used(service('s', 'LoadBalancer', [{ port: 80 }]), { group: '', resource: 'services' }),
    { ...q.status.used, services: '1', 'services.loadbalancers': '0' });
  assert.deepEqual(used(pvc('c', '1Gi'), { group: '', resource: 'persistentvolumeclaims' }), { ...q.status.used, 'requests.storage': '2Gi' });
  assert.deepEqual(used(object('v1', 'ConfigMap', 'cm'), { group: '', resource: 'configmaps' }), { ...q.status.used, configmaps: '1' });
  assert.deepEqual(used(object('apps/v1', 'Deployment', 'd'), { group: 'apps', resource: 'deployments' }), { ...q.status.used, 'count/deployments.apps': '0' });
});

test('release of a malformed object reports errors and changes nothing', () => {
  const r = releaseCharges({ kind: 'Pod', spec: { containers: 3 } }, pods, [quota('q', { pods: '1' }, { pods: '1' })]);
  assert.deepEqual(r.charges, []);
  assert.equal(r.errors[0].field, 'spec.containers');
});

test('usage from existing objects, as the quota controller computes it', () => {
  const q = quota('q', {
    pods: '10', 'count/pods': '10', 'requests.cpu': '10', 'limits.cpu': '10', 'requests.memory': '10Gi', services: '5',
    'services.nodeports': '5', 'count/deployments.apps': '5', 'gold.storageclass.storage.k8s.io/requests.storage': '1Ti',
    storage: '1',
  }, { storage: '7' });
  const objects = [
    pod('a', [container('x', { cpu: '500m', memory: '1Gi' }, { cpu: '1' })]),
    pod('b', [container('x', { cpu: '250m' })], { init: [sidecar('s', { cpu: '250m' })], spec: { overhead: { cpu: '100m' } } }),
    pod('done', [container('x', { cpu: '4' })], { status: { phase: 'Failed' } }),
    pod('elsewhere', [container('x', { cpu: '4' })], { meta: { namespace: 'team-b' } }),
    service('np', 'NodePort', [{ port: 80 }, { port: 81 }]),
    object('apps/v1', 'Deployment', 'web'),
    object('apps/v1', 'Deployment', 'api'),
    pvc('g1', '100Gi', { className: 'gold' }),
    pvc('s1', '100Gi', { className: 'silver' }),
  ];
  const { used, errors } = computeQuotaUsage(q, objects, { previousUsed: q.status.used });
  assert.deepEqual(errors, []);
  assert.deepEqual(used, {
    'count/deployments.apps': '2',
    'count/pods': '3',
    'gold.storageclass.storage.k8s.io/requests.storage': '100Gi',
    'limits.cpu': '1',
    pods: '2',
    'requests.cpu': '1100m',
    'requests.memory': '1Gi',
    services: '1',
    'services.nodeports': '2',
    storage: '7',
  });
});

test('usage honours scopes and leaves out what cannot be read', () => {
  const q = quota('be', { pods: '10' }, {}, { scopes: ['BestEffort'] });
  const { used, errors } = computeQuotaUsage(q, [
    pod('a', [container('x')]),
    pod('b', [container('x', { cpu: '1' })]),
    pod('c', [container('x', { memory: 'lots' })]),
    { kind: 'Pod' },
  ]);
  assert.deepEqual(used, { pods: '1' });
  assert.deepEqual(errors.map((e) => e.field), ['objects[3]', 'objects[2].spec.containers[0].resources.requests[memory]']);
});

test('usage counts limits with overhead only where a limit is set', () => {
  const q = quota('q', { 'limits.cpu': '10', 'limits.memory': '10Gi' }, {});
  const { used } = computeQuotaUsage(q, [pod('a', [container('x', {}, { memory: '1Gi' })], { spec: { overhead: { cpu: '1', memory: '128Mi' } } })]);
  assert.deepEqual(used, { 'limits.cpu': '0', 'limits.memory': '1152Mi' });
});
