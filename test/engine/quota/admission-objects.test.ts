import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuotaRequest, type QuotaCheckOptions, type QuotaRequest } from '../../../engine/quota/index.ts';
import { container, create, object, pod, pvc, quota, remove, service, stored, update } from './builders.ts';

interface Case {
  name: string;
  quotas: unknown[];
  request: QuotaRequest;
  /** The full denial message, or undefined when allowed. */
  denied?: string;
  used?: Record<string, Record<string, string>>;
  options?: QuotaCheckOptions;
}

function run(cases: Case[]): void {
  for (const c of cases) {
    const d = checkQuotaRequest(c.request, c.quotas, c.options);
    if (c.denied === undefined) {
      assert.equal(d.allowed, true, `${c.name}: ${d.message}`);
      if (c.used) assert.deepEqual(Object.fromEntries(d.charges.map((ch) => [ch.quota, ch.used])), c.used, c.name);
    } else {
      assert.equal(d.allowed, false, c.name);
      assert.equal(d.message, c.denied, c.name);
    }
  }
}

const svcQuota = (used: Record<string, string>) =>
  quota('svc', { services: '5', 'services.nodeports': '2', 'services.loadbalancers': '1' }, { services: '0', 'services.nodeports': '0', 'services.loadbalancers': '0', ...used });

test('services: node ports and load balancers', () => run([
  {
    name: 'a NodePort service uses one node port per port',
    quotas: [svcQuota({})],
    request: create(service('web', 'NodePort', [{ port: 80 }, { port: 443 }, { port: 8080 }])),
    denied: 'services "web" is forbidden: exceeded quota: svc, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2',
  },
  {
    name: 'a LoadBalancer uses a load balancer and node ports',
    quotas: [svcQuota({})],
    request: create(service('lb', 'LoadBalancer', [{ port: 80 }])),
    used: { svc: { services: '1', 'services.loadbalancers': '1', 'services.nodeports': '1' } },
  },
  {
    name: 'without node port allocation only explicit node ports count',
    quotas: [svcQuota({})],
    request: create(service('lb', 'LoadBalancer', [{ port: 80 }, { port: 81, nodePort: 30081 }, { port: 82 }], { allocateLoadBalancerNodePorts: false })),
    used: { svc: { services: '1', 'services.loadbalancers': '1', 'services.nodeports': '1' } },
  },
  {
    name: 'a second load balancer is over quota',
    quotas: [svcQuota({ 'services.loadbalancers': '1', services: '1', 'services.nodeports': '1' })],
    request: create(service('lb2', 'LoadBalancer', [{ port: 80 }])),
    denied: 'services "lb2" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1',
  },
  {
    name: 'ClusterIP -> LoadBalancer update charges the load balancer',
    quotas: [svcQuota({ services: '1' })],
    request: update(stored(service('s', 'LoadBalancer', [{ port: 80 }])), stored(service('s', 'ClusterIP', [{ port: 80 }]))),
    used: { svc: { services: '1', 'services.loadbalancers': '1', 'services.nodeports': '1' } },
  },
  {
    name: 'an update with no change charges nothing',
    quotas: [svcQuota({ services: '5' })],
    request: update(stored(service('s', 'ClusterIP', [{ port: 80 }])), stored(service('s', 'ClusterIP', [{ port: 80 }]))),
    used: {},
  },
  {
    name: 'an update whose old object has no resourceVersion is billed as a create',
    quotas: [svcQuota({ services: '5' })],
    request: update(stored(service('s', 'ClusterIP', [])), service('s', 'ClusterIP', [])),
    denied: 'services "s" is forbidden: exceeded quota: svc, requested: services=1, used: services=5, limited: services=5',
  },
  {
    name: 'an update without the old object is refused',
    quotas: [svcQuota({})],
    request: { ...update(stored(service('s', 'ClusterIP', [])), stored(service('s', 'ClusterIP', []))), oldObject: undefined },
    denied: 'services "s" is forbidden: unable to get previous usage since prior version of object was not found',
  },
  {
    name: 'a scoped quota never applies to services',
    quotas: [quota('t', { services: '0' }, { services: '0' }, { scopes: ['Terminating'] })],
    request: create(service('s', 'ClusterIP', [])),
    used: {},
  },
]));

const gold = 'gold.storageclass.storage.k8s.io/requests.storage';
const goldClaims = 'gold.storageclass.storage.k8s.io/persistentvolumeclaims';

test('persistent volume claims: classes, rounding, allocation, updates', () => run([
  {
    name: 'a gold claim is charged to the gold class',
    quotas: [quota('gold', { [gold]: '10Gi' }, { [gold]: '4Gi' })],
    request: create(pvc('data', '7Gi', { className: 'gold' })),
    denied: `persistentvolumeclaims "data" is forbidden: exceeded quota: gold, requested: ${gold}=7Gi, used: ${gold}=4Gi, limited: ${gold}=10Gi`,
  },
  {
    name: 'a silver claim is not charged to gold',
    quotas: [quota('gold', { [gold]: '1Gi' }, { [gold]: '0' })],
    request: create(pvc('data', '7Gi', { className: 'silver' })),
    used: {},
  },
  {
    name: 'the beta annotation names the class, and wins over the field',
    quotas: [quota('gold', { [goldClaims]: '0' }, { [goldClaims]: '0' })],
    request: create(pvc('data', '1Gi', { className: 'silver', annotations: { 'volume.beta.kubernetes.io/storage-class': 'gold' } })),
    denied: `persistentvolumeclaims "data" is forbidden: exceeded quota: gold, requested: ${goldClaims}=1, used: ${goldClaims}=0, limited: ${goldClaims}=0`,
  },
  {
    name: 'an empty class name is no class',
    quotas: [quota('q', { 'requests.storage': '10Gi', [goldClaims]: '0' }, { 'requests.storage': '0', [goldClaims]: '0' })],
    request: create(pvc('data', '1Gi', { className: '' })),
    used: { q: { 'requests.storage': '1Gi', [goldClaims]: '0' } },
  },
  {
    name: 'a fractional byte request is rounded up',
    quotas: [quota('q', { 'requests.storage': '3' }, { 'requests.storage': '1' })],
    request: create(pvc('data', '1500m')),
    used: { q: { 'requests.storage': '3' } },
  },
  {
    name: 'claims are counted under both names',
    quotas: [quota('q', { persistentvolumeclaims: '1', 'count/persistentvolumeclaims': '1' }, { persistentvolumeclaims: '1', 'count/persistentvolumeclaims': '1' })],
    request: create(pvc('b', '1Gi')),
    denied: 'persistentvolumeclaims "b" is forbidden: exceeded quota: q, requested: count/persistentvolumeclaims=1,persistentvolumeclaims=1, used: count/persistentvolumeclaims=1,persistentvolumeclaims=1, limited: count/persistentvolumeclaims=1,persistentvolumeclaims=1',
  },
  {
    name: 'growing a claim charges the growth',
    quotas: [quota('q', { 'requests.storage': '20Gi' }, { 'requests.storage': '15Gi' })],
    request: update(stored(pvc('a', '25Gi')), stored(pvc('a', '15Gi'))),
    denied: 'persistentvolumeclaims "a" is forbidden: exceeded quota: q, requested: requests.storage=10Gi, used: requests.storage=15Gi, limited: requests.storage=20Gi',
  },
  {
    name: 'shrinking a claim charges nothing',
    quotas: [quota('q', { 'requests.storage': '20Gi' }, { 'requests.storage': '15Gi' })],
    request: update(stored(pvc('a', '5Gi')), stored(pvc('a', '15Gi'))),
    used: {},
  },
  {
    name: 'a larger allocation is what the claim costs',
    quotas: [quota('q', { 'requests.storage': '20Gi' }, { 'requests.storage': '0' })],
    request: update(stored(pvc('a', '10Gi', { status: { allocatedResources: { storage: '12Gi' } } })), stored(pvc('a', '10Gi'))),
    used: { q: { 'requests.storage': '2Gi' } },
  },
  {
    name: 'a negative request is refused',
    quotas: [quota('q', { 'requests.storage': '20Gi' }, { 'requests.storage': '0' })],
    request: create(pvc('neg', '-1Gi')),
    denied: 'persistentvolumeclaims "neg" is forbidden: quota usage is negative for resource(s): requests.storage',
  },
]));

test('object counts: count/<resource>.<group>, legacy names, CREATE only', () => run([
  {
    name: 'legacy and count names for config maps',
    quotas: [quota('q', { configmaps: '3', 'count/configmaps': '10' }, { configmaps: '3', 'count/configmaps': '3' })],
    request: create(object('v1', 'ConfigMap', 'c4')),
    denied: 'configmaps "c4" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=3, limited: configmaps=3',
  },
  {
    name: 'group-qualified names in the message',
    quotas: [quota('q', { 'count/jobs.batch': '2' }, { 'count/jobs.batch': '2' })],
    request: create(object('batch/v1', 'Job', 'nightly')),
    denied: 'jobs.batch "nightly" is forbidden: exceeded quota: q, requested: count/jobs.batch=1, used: count/jobs.batch=2, limited: count/jobs.batch=2',
  },
  {
    name: 'a deployment is counted, not measured as pods',
    quotas: [quota('q', { 'count/deployments.apps': '2', pods: '0' }, { 'count/deployments.apps': '0', pods: '0' })],
    request: create(object('apps/v1', 'Deployment', 'web')),
    used: { q: { 'count/deployments.apps': '1', pods: '0' } },
  },
  {
    name: 'updates are not counted',
    quotas: [quota('q', { 'count/secrets': '0' }, { 'count/secrets': '0' })],
    request: update(stored(object('v1', 'Secret', 's')), stored(object('v1', 'Secret', 's'))),
    used: {},
  },
  {
    name: 'a scoped quota never counts objects',
    quotas: [quota('q', { 'count/secrets': '0' }, { 'count/secrets': '0' }, { scopes: ['BestEffort'] })],
    request: create(object('v1', 'Secret', 's')),
    used: {},
  },
]));

test('requests that never touch quota are allowed without charges', () => {
  const q = [quota('q', { pods: '0', 'count/pods': '0' }, { pods: '0', 'count/pods': '0' })];
  const p = pod('p', [container('a')]);
  for (const request of [
    remove(p),
    { ...create(p), operation: 'CONNECT' as const },
    create(p, { subResource: 'binding' }),
    create(p, { namespace: '' }),
    create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new-ns' } }, { namespace: 'new-ns' }),
  ]) {
    assert.deepEqual(checkQuotaRequest(request, q), { allowed: true, charges: [], warnings: [] });
  }
  assert.deepEqual(checkQuotaRequest(create(p), []), { allowed: true, charges: [], warnings: [] });
});

test('a malformed object is an Invalid decision, never an exception', () => {
  const q = [quota('q', { pods: '5', 'requests.cpu': '4' }, { pods: '0', 'requests.cpu': '0' })];
  const table: [unknown, string][] = [
    [null, 'Pod "p" is invalid: object: Required value: a Pod is required'],
    ['pod', 'Pod "p" is invalid: object: Invalid value: "pod": must be an object'],
    [{ metadata: { name: 'p' }, spec: { containers: {} } }, 'Pod "p" is invalid: spec.containers: Invalid value: "object": must be an array'],
    [pod('p', [container('a', { cpu: 'many' })]), `Pod "p" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "many": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`],
    [pod('p', [container('a', { cpu: '1e100000' })]), 'Pod "p" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "1e100000": quantity may not have more than 4096 integer digits'],
    [pod('p', [container('a')], { spec: { activeDeadlineSeconds: 'soon' } }), 'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: "soon": must be an integer'],
  ];
  for (const [obj, message] of table) {
    const d = checkQuotaRequest({ ...create(pod('p', [])), object: obj }, q);
    assert.equal(d.allowed, false);
    assert.equal(d.reason, 'Invalid');
    assert.equal(d.reason, 'Invalid');
    assert.equal(d.message, message);
    assert.ok(d.errors && d.errors.length > 0);
  }
  const broken = checkQuotaRequest(create(pod('p', [])), [{ metadata: { name: 'q', namespace: 'team-a' }, status: { hard: { pods: 'x' } } }]);
  assert.equal(broken.allowed, false);
  assert.match(broken.message!, /^pods "p" is forbidden: unreadable quota: q: status\.hard\[pods\]: Invalid value: "x"/);
  assert.equal(checkQuotaRequest(null as unknown as QuotaRequest, q).allowed, false);
});

test('tenant limits are checked like quotas and worded as tenant quotas', () => {
  const tenant = { name: 'acme', scope: 'tenant' as const, hard: { 'requests.memory': '64Gi', pods: '100' }, used: { 'requests.memory': '63Gi' } };
  const ns = [quota('q', { 'requests.memory': '8Gi' }, { 'requests.memory': '1Gi' })];
  run([
    {
      name: 'the tenant limit denies when the namespace quota allows',
      quotas: ns,
      request: create(pod('p', [container('a', { memory: '2Gi' })])),
      options: { extraLimits: [tenant] },
      denied: 'pods "p" is forbidden: exceeded tenant quota: acme, requested: requests.memory=2Gi, used: requests.memory=63Gi, limited: requests.memory=64Gi',
    },
    {
      name: 'both are charged; a name missing from the tenant used counts as zero',
      quotas: ns,
      request: create(pod('p', [container('a', { memory: '512Mi' })])),
      options: { extraLimits: [tenant] },
      used: { q: { 'requests.memory': '1536Mi' }, acme: { pods: '1', 'requests.memory': '65024Mi' } },
    },
    {
      name: 'tenant constraints are worded as tenant quota',
      quotas: [],
      request: create(pod('p', [container('a')])),
      options: { extraLimits: [tenant] },
      denied: 'pods "p" is forbidden: failed tenant quota: acme: must specify requests.memory for: a',
    },
  ]);
  const d = checkQuotaRequest(create(pod('p', [container('a', { memory: '512Mi' })])), ns, { extraLimits: [tenant] });
  assert.deepEqual(d.charges.map((c) => [c.quota, c.scope]), [['q', 'namespace'], ['acme', 'tenant']]);
});

test('an admitted request past 90% of a hard limit carries a warning', () => {
  const q = [quota('compute', { 'requests.cpu': '10', pods: '100' }, { 'requests.cpu': '8', pods: '1' })];
  const near = checkQuotaRequest(create(pod('p', [container('a', { cpu: '1500m' })])), q);
  assert.equal(near.allowed, true);
  assert.deepEqual(near.warnings, ['resourcequota "compute" is at 95% of its requests.cpu limit: used 9500m of 10']);
  const exact = checkQuotaRequest(create(pod('p', [container('a', { cpu: '2' })])), q);
  assert.deepEqual(exact.warnings, ['resourcequota "compute" is at 100% of its requests.cpu limit: used 10 of 10']);
  const at90 = checkQuotaRequest(create(pod('p', [container('a', { cpu: '1' })])), q);
  assert.deepEqual(at90.warnings, [], 'exactly 90% is not past 90%');
});
