/**
 * Objects inside a well-formed AdmissionReview that kube-apiserver would
 * never have stored: nulls where kube's decoding leaves a required field
 * empty, and fields of the wrong type. Each is denied 422 Invalid naming
 * the field (in the message and in `details.causes`), and nothing is
 * charged or written. Nulls that kube decodes to a value it accepts (an
 * unset field, a zero quantity) are admitted and charged as that value.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, assertServing, revision, type Api } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { admit, create, quota, review, targets, usedOf } from './builders.ts';

const ns = 'malformed';
const service = { group: '', version: 'v1', kind: 'Service', resource: 'services' };
const hard = {
  pods: '10', 'requests.cpu': '4', services: '5', 'services.nodeports': '5',
  persistentvolumeclaims: '5', 'requests.storage': '10Gi',
};
const zero = { pods: '0', 'requests.cpu': '0', services: '0', 'services.nodeports': '0', persistentvolumeclaims: '0', 'requests.storage': '0' };

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
  await quota(a, ns, 'all', hard, zero);
});
after(async () => { await w?.close(); });

const app = { name: 'app', image: 'example.com/app:1' };
const podWith = (spec: unknown): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec });
const serviceWith = (spec: unknown): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: ns }, spec });
const claimWith = (spec: unknown): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: ns }, spec });

interface Case {
  name: string;
  body: Obj;
  /** Every field error, in order. */
  fields: string[];
  message: string;
}

const cases: Case[] = [
  { name: 'a pod with spec: null', body: create(targets.pod, podWith(null)), fields: ['spec.containers'], message: 'Pod "p" is invalid: spec.containers: Required value' },
  { name: 'a pod without spec', body: create(targets.pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns } }), fields: ['spec.containers'], message: 'Pod "p" is invalid: spec.containers: Required value' },
  { name: 'a pod with containers: null', body: create(targets.pod, podWith({ containers: null })), fields: ['spec.containers'], message: 'Pod "p" is invalid: spec.containers: Required value' },
  { name: 'a pod with containers: []', body: create(targets.pod, podWith({ containers: [] })), fields: ['spec.containers'], message: 'Pod "p" is invalid: spec.containers: Required value' },
  {
    name: 'a pod with containers: [null]', body: create(targets.pod, podWith({ containers: [null] })),
    fields: ['spec.containers[0].name', 'spec.containers[0].image'],
    message: 'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]',
  },
  {
    name: 'a container whose name is null', body: create(targets.pod, podWith({ containers: [{ name: null, image: 'x', resources: { requests: { cpu: '1' } } }] })),
    fields: ['spec.containers[0].name'], message: 'Pod "p" is invalid: spec.containers[0].name: Required value',
  },
  {
    name: 'a pod with initContainers: [null]', body: create(targets.pod, podWith({ containers: [app], initContainers: [null] })),
    fields: ['spec.initContainers[0].name', 'spec.initContainers[0].image'],
    message: 'Pod "p" is invalid: [spec.initContainers[0].name: Required value, spec.initContainers[0].image: Required value]',
  },
  {
    name: 'a pod created with ephemeralContainers: [null]', body: create(targets.pod, podWith({ containers: [app], ephemeralContainers: [null] })),
    fields: ['spec.ephemeralContainers[0].name', 'spec.ephemeralContainers[0].image', 'spec.ephemeralContainers'],
    message: 'spec.ephemeralContainers: Forbidden: cannot be set on create',
  },
  {
    name: 'a pod whose containers are a string', body: create(targets.pod, podWith({ containers: 'app' })),
    fields: ['spec.containers'], message: 'Pod "p" is invalid: spec.containers: Invalid value: "app": must be an array',
  },
  {
    name: 'a pod whose spec is a list', body: create(targets.pod, podWith([app])),
    fields: ['spec'], message: 'Pod "p" is invalid: spec: Invalid value: "array": must be an object',
  },
  {
    name: 'a pod whose overhead is a list', body: create(targets.pod, podWith({ containers: [app], overhead: ['cpu'] })),
    fields: ['spec.overhead'], message: 'spec.overhead: Invalid value: "array": must be an object',
  },
  {
    name: 'a pod whose overhead quantity is an object', body: create(targets.pod, podWith({ containers: [app], overhead: { cpu: { value: 1 } } })),
    fields: ['spec.overhead[cpu]'], message: 'spec.overhead[cpu]: Invalid value: "object"',
  },
  {
    name: 'a container request that is not a quantity', body: create(targets.pod, podWith({ containers: [{ ...app, resources: { requests: { cpu: true } } }] })),
    fields: ['spec.containers[0].resources.requests[cpu]'], message: 'spec.containers[0].resources.requests[cpu]: Invalid value: true',
  },
  {
    name: 'a container whose resources are a string', body: create(targets.pod, podWith({ containers: [{ ...app, resources: 'lots' }] })),
    fields: ['spec.containers[0].resources'], message: 'spec.containers[0].resources: Invalid value: "lots": must be an object',
  },
  {
    name: 'a service with ports: [null]', body: create(service, serviceWith({ type: 'NodePort', ports: [null] })),
    fields: ['spec.ports[0].port'], message: 'Service "s" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
  },
  {
    name: 'a service port out of range', body: create(service, serviceWith({ type: 'NodePort', ports: [{ port: 70000 }] })),
    fields: ['spec.ports[0].port'], message: 'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
  },
  {
    name: 'a service port that is a string', body: create(service, serviceWith({ type: 'NodePort', ports: [{ port: '80' }] })),
    fields: ['spec.ports[0].port'], message: 'spec.ports[0].port: Invalid value: "80": must be an integer',
  },
  {
    name: 'a service whose ports are an object', body: create(service, serviceWith({ type: 'NodePort', ports: { port: 80 } })),
    fields: ['spec.ports'], message: 'spec.ports: Invalid value: "object": must be an array',
  },
  {
    name: 'a claim with spec: null', body: create(targets.pvc, claimWith(null)),
    fields: ['spec.accessModes', 'spec.resources[storage]'],
    message: 'PersistentVolumeClaim "c" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]',
  },
  {
    name: 'a claim without a storage request', body: create(targets.pvc, claimWith({ accessModes: ['ReadWriteOnce'], resources: { requests: null } })),
    fields: ['spec.resources[storage]'], message: 'PersistentVolumeClaim "c" is invalid: spec.resources[storage]: Required value',
  },
  {
    name: 'a claim whose storage is not a quantity', body: create(targets.pvc, claimWith({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 'big' } } })),
    fields: ['spec.resources.requests[storage]'], message: 'spec.resources.requests[storage]: Invalid value: "big": quantities must match',
  },
  {
    name: 'a resize whose old pod has containers: [7]',
    body: review('UPDATE', targets.pod, {
      subResource: 'resize',
      object: { ...podWith({ containers: [{ ...app, resources: { requests: { cpu: '1' } } }] }), metadata: { name: 'p', namespace: ns, resourceVersion: '2' } },
      oldObject: { ...podWith({ containers: [7] }), metadata: { name: 'p', namespace: ns, resourceVersion: '1' } },
    }),
    fields: ['oldObject.spec.containers[0]'], message: 'Pod "p" is invalid: oldObject.spec.containers[0]: Invalid value: 7: must be an object',
  },
];

describe('malformed objects are denied 422 Invalid, naming the field, and charge nothing', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const before_ = await revision(a);
      for (const dryRun of [true, false]) {
        const body = structuredClone(c.body);
        body.request.dryRun = dryRun;
        const r = await admit(a, body);
        assert.equal(r.allowed, false, JSON.stringify(r));
        assert.equal(r.status.code, 422);
        assert.equal(r.status.reason, 'Invalid');
        assert.ok(r.status.message.includes(c.message), `${r.status.message} lacks ${c.message}`);
        assert.deepEqual(r.status.details.causes.map((x: Obj) => x.field), c.fields);
        assert.equal(r.status.details.kind, body.request.kind.kind);
      }
      assert.deepEqual(await usedOf(a, ns, 'all'), zero, 'nothing was charged');
      assert.equal(await revision(a), before_, 'nothing was written');
    });
  }

  test('the server still serves', async () => { await assertServing(w); });
});

describe('nulls that kube decodes to a value it accepts are admitted as that value', () => {
  test('a null request quantity is a zero request: it counts as declared and charges nothing', async () => {
    await quota(a, 'zero-cpu', 'cpu', { 'requests.cpu': '1', pods: '5' }, { 'requests.cpu': '0', pods: '0' });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'zero-cpu' }, spec: { containers: [{ ...app, resources: { requests: { cpu: null } } }] } };
    const r = await admit(a, create(targets.pod, pod));
    assert.equal(r.allowed, true, JSON.stringify(r.status));
    assert.deepEqual(await usedOf(a, 'zero-cpu', 'cpu'), { 'requests.cpu': '0', pods: '1' });
  });

  test('null overhead, init containers and limits are unset', async () => {
    const pod = podWith({ containers: [{ ...app, resources: { requests: { cpu: '100m' }, limits: null } }], initContainers: null, overhead: null });
    const r = await admit(a, create(targets.pod, { ...pod, metadata: { name: 'unset', namespace: ns } }));
    assert.equal(r.allowed, true, JSON.stringify(r.status));
    const used = await usedOf(a, ns, 'all');
    assert.deepEqual([used.pods, used['requests.cpu']], ['1', '100m']);
  });
});
