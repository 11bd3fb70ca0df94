import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuotaRequest, QuantityParser, type QuotaRequest } from '../../../engine/quota/index.ts';
import { container, create, pod, quota, sidecar, stored, update } from './builders.ts';

interface Case {
  name: string;
  quotas: unknown[];
  request: QuotaRequest;
  /** The reason after `is forbidden: `, or undefined when allowed. */
  denied?: string;
  /** quota name -> new status.used, for allowed requests. */
  used?: Record<string, Record<string, string>>;
  now?: number;
}

/** One memo for every case, as the API keeps one for every request: decisions must not depend on it. */
const quantities = new QuantityParser();

function run(cases: Case[]): void {
  for (const c of cases) {
    const d = checkQuotaRequest(c.request, c.quotas, { now: c.now });
    assert.deepEqual(checkQuotaRequest(c.request, c.quotas, { now: c.now, quantities }), d, `${c.name}: the same with a quantity memo`);
    if (c.denied === undefined) {
      assert.equal(d.allowed, true, `${c.name}: ${d.message}`);
      if (c.used) {
        const got = Object.fromEntries(d.charges.map((ch) => [ch.quota, ch.used]));
        assert.deepEqual(got, c.used, c.name);
      }
    } else {
      assert.equal(d.allowed, false, c.name);
      assert.equal(d.message, `pods "${c.request.name}" is forbidden: ${c.denied}`, c.name);
      assert.equal(d.reason, 'Forbidden', c.name);
      assert.deepEqual(d.charges, [], c.name);
    }
  }
}

const cpu = (v: string) => ({ cpu: v });

test('cpu and memory are aliases of their requests, and both names are charged', () => run([
  {
    name: 'alias alone is reported under its own name',
    quotas: [quota('q', { memory: '2Gi' }, { memory: '1536Mi' })],
    request: create(pod('p', [container('app', { memory: '1Gi' })])),
    denied: 'exceeded quota: q, requested: memory=1Gi, used: memory=1536Mi, limited: memory=2Gi',
  },
  {
    name: 'alias and requests name both tracked: both reported',
    quotas: [quota('q', { cpu: '2', 'requests.cpu': '2' }, { cpu: '1500m', 'requests.cpu': '1500m' })],
    request: create(pod('p', [container('app', cpu('750m'))])),
    denied: 'exceeded quota: q, requested: cpu=750m,requests.cpu=750m, used: cpu=1500m,requests.cpu=1500m, limited: cpu=2,requests.cpu=2',
  },
  {
    name: 'reaching the hard value exactly is allowed',
    quotas: [quota('q', { cpu: '2', 'requests.cpu': '2' }, { cpu: '1500m', 'requests.cpu': '1500m' })],
    request: create(pod('p', [container('app', cpu('500m'))])),
    used: { q: { cpu: '2', 'requests.cpu': '2' } },
  },
]));

test('"must specify" covers cpu/memory on every container, init containers included', () => run([
  {
    name: 'missing request and limit names sorted, containers sorted and joined',
    quotas: [quota('q', { 'limits.cpu': '4', 'requests.memory': '4Gi' }, { 'limits.cpu': '0', 'requests.memory': '0' })],
    request: create(pod('p', [container('zeta', { memory: '1Gi' }), container('alpha', {}, { cpu: '1' })])),
    denied: 'failed quota: q: must specify limits.cpu for: zeta; requests.memory for: alpha',
  },
  {
    name: 'an init container without a request is named',
    quotas: [quota('q', { cpu: '4' }, { cpu: '0' })],
    request: create(pod('p', [container('app', cpu('1'))], { init: [container('migrate')] })),
    denied: 'failed quota: q: must specify cpu for: migrate',
  },
  {
    name: 'a limit alone satisfies the request (defaulted from it)',
    quotas: [quota('q', { 'requests.cpu': '4' }, { 'requests.cpu': '0' })],
    request: create(pod('p', [container('app', undefined, cpu('3'))])),
    used: { q: { 'requests.cpu': '3' } },
  },
  {
    name: 'a zero request counts as specified and charges nothing',
    quotas: [quota('q', { 'requests.memory': '1Gi', pods: '4' }, { 'requests.memory': '0', pods: '0' })],
    request: create(pod('p', [container('app', { memory: '0' })])),
    used: { q: { 'requests.memory': '0', pods: '1' } },
  },
  {
    name: 'ephemeral-storage and pods do not require declarations',
    quotas: [quota('q', { 'requests.ephemeral-storage': '1Gi', pods: '4' }, { 'requests.ephemeral-storage': '0', pods: '0' })],
    request: create(pod('p', [container('app')])),
    used: { q: { 'requests.ephemeral-storage': '0', pods: '1' } },
  },
]));

test('pod usage: containers summed, init containers as a floor, sidecars added, overhead added', () => run([
  {
    name: 'an init container larger than the sum decides',
    quotas: [quota('q', { 'requests.cpu': '3' }, { 'requests.cpu': '0' })],
    request: create(pod('p', [container('a', cpu('1')), container('b', cpu('1'))], { init: [container('i', cpu('4'))] })),
    denied: 'exceeded quota: q, requested: requests.cpu=4, used: requests.cpu=0, limited: requests.cpu=3',
  },
  {
    name: 'a smaller init container adds nothing',
    quotas: [quota('q', { 'requests.cpu': '3' }, { 'requests.cpu': '0' })],
    request: create(pod('p', [container('a', cpu('1')), container('b', cpu('1'))], { init: [container('i', cpu('1500m'))] })),
    used: { q: { 'requests.cpu': '2' } },
  },
  {
    name: 'a sidecar adds to the sum and to later init containers',
    quotas: [quota('q', { 'requests.cpu': '3' }, { 'requests.cpu': '0' })],
    request: create(pod('p', [container('a', cpu('1'))], { init: [sidecar('proxy', cpu('250m')), container('i', cpu('2'))] })),
    used: { q: { 'requests.cpu': '2250m' } },
  },
  {
    name: 'overhead adds to requests, and to limits only where one is set',
    quotas: [quota('q', { 'requests.memory': '2Gi', 'limits.memory': '2Gi', 'requests.cpu': '2' }, { 'requests.memory': '0', 'limits.memory': '0', 'requests.cpu': '0' })],
    request: create(pod('p', [container('a', { memory: '1Gi', cpu: '1' }, { memory: '1Gi' })], { spec: { overhead: { memory: '256Mi', cpu: '100m' } } })),
    used: { q: { 'requests.memory': '1280Mi', 'limits.memory': '1280Mi', 'requests.cpu': '1100m' } },
  },
  {
    name: 'the sum of containers is printed in the first format',
    quotas: [quota('q', { 'limits.memory': '1Gi' }, { 'limits.memory': '0' })],
    request: create(pod('p', [container('a', {}, { memory: '768Mi' }), container('b', {}, { memory: '512Mi' })])),
    denied: 'exceeded quota: q, requested: limits.memory=1280Mi, used: limits.memory=0, limited: limits.memory=1Gi',
  },
  {
    name: 'decimal and binary units compare exactly (1Gi > 1G)',
    quotas: [quota('q', { 'requests.memory': '1G' }, { 'requests.memory': '0' })],
    request: create(pod('p', [container('a', { memory: '1Gi' })])),
    denied: 'exceeded quota: q, requested: requests.memory=1Gi, used: requests.memory=0, limited: requests.memory=1G',
  },
  {
    name: 'a sum of used and requested keeps the used format',
    quotas: [quota('q', { cpu: '3' }, { cpu: '2' })],
    request: create(pod('p', [container('a', cpu('250m'))])),
    used: { q: { cpu: '2250m' } },
  },
]));

test('extended resources and hugepages', () => run([
  {
    name: 'an extended resource is charged as requests.<name>, from its limit',
    quotas: [quota('gpu', { 'requests.example.com/gpu': '1' }, { 'requests.example.com/gpu': '0' })],
    request: create(pod('p', [container('a', {}, { 'example.com/gpu': '2' })])),
    denied: 'exceeded quota: gpu, requested: requests.example.com/gpu=2, used: requests.example.com/gpu=0, limited: requests.example.com/gpu=1',
  },
  {
    name: 'a limits.<extended> quota does not apply to pods',
    quotas: [quota('gpu', { 'limits.example.com/gpu': '0' }, {})],
    request: create(pod('p', [container('a', {}, { 'example.com/gpu': '2' })])),
    used: {},
  },
  {
    name: 'hugepages are tracked under both names',
    quotas: [quota('hp', { 'hugepages-1Gi': '2Gi', 'requests.hugepages-1Gi': '2Gi' }, { 'hugepages-1Gi': '1Gi', 'requests.hugepages-1Gi': '1Gi' })],
    request: create(pod('p', [container('a', { memory: '1Gi', 'hugepages-1Gi': '1Gi' }, { memory: '1Gi', 'hugepages-1Gi': '1Gi' })])),
    used: { hp: { 'hugepages-1Gi': '2Gi', 'requests.hugepages-1Gi': '2Gi' } },
  },
]));

const terminating = { activeDeadlineSeconds: 0 };

test('scopes', () => run([
  {
    name: 'Terminating: activeDeadlineSeconds 0 is terminating',
    quotas: [quota('t', { pods: '0' }, { pods: '0' }, { scopes: ['Terminating'] })],
    request: create(pod('p', [container('a')], { spec: terminating })),
    denied: 'exceeded quota: t, requested: pods=1, used: pods=0, limited: pods=0',
  },
  {
    name: 'NotTerminating skips a terminating pod',
    quotas: [quota('t', { pods: '0' }, { pods: '0' }, { scopes: ['NotTerminating'] })],
    request: create(pod('p', [container('a')], { spec: terminating })),
    used: {},
  },
  {
    name: 'BestEffort ignores zero requests',
    quotas: [quota('be', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] })],
    request: create(pod('p', [container('a', { cpu: '0', memory: '0' })])),
    denied: 'exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0',
  },
  {
    name: 'BestEffort ignores extended resources',
    quotas: [quota('be', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] })],
    request: create(pod('p', [container('a', {}, { 'example.com/fpga': '1' })])),
    denied: 'exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0',
  },
  {
    name: 'NotBestEffort skips a best-effort pod',
    quotas: [quota('nbe', { pods: '0' }, { pods: '0' }, { scopes: ['NotBestEffort'] })],
    request: create(pod('p', [container('a')])),
    used: {},
  },
  {
    name: 'scopes are ANDed',
    quotas: [quota('both', { pods: '0' }, { pods: '0' }, { scopes: ['Terminating', 'NotBestEffort'] })],
    request: create(pod('p', [container('a', cpu('1'))])),
    used: {},
  },
  {
    name: 'PriorityClass In matches the named class',
    quotas: [quota('hi', { pods: '1' }, { pods: '1' }, { selector: [{ scopeName: 'PriorityClass', operator: 'In', values: ['critical'] }] })],
    request: create(pod('p', [container('a')], { spec: { priorityClassName: 'critical' } })),
    denied: 'exceeded quota: hi, requested: pods=1, used: pods=1, limited: pods=1',
  },
  {
    name: 'PriorityClass In skips another class',
    quotas: [quota('hi', { pods: '1' }, { pods: '1' }, { selector: [{ scopeName: 'PriorityClass', operator: 'In', values: ['critical'] }] })],
    request: create(pod('p', [container('a')], { spec: { priorityClassName: 'batch' } })),
    used: {},
  },
  {
    name: 'PriorityClass NotIn matches a pod without a class',
    quotas: [quota('ni', { pods: '0' }, { pods: '0' }, { selector: [{ scopeName: 'PriorityClass', operator: 'NotIn', values: ['critical'] }] })],
    request: create(pod('p', [container('a')])),
    denied: 'exceeded quota: ni, requested: pods=1, used: pods=0, limited: pods=0',
  },
  {
    name: 'PriorityClass DoesNotExist matches a pod without a class',
    quotas: [quota('none', { pods: '0' }, { pods: '0' }, { selector: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] })],
    request: create(pod('p', [container('a')])),
    denied: 'exceeded quota: none, requested: pods=1, used: pods=0, limited: pods=0',
  },
  {
    name: 'PriorityClass Exists skips a pod without a class',
    quotas: [quota('any', { pods: '0' }, { pods: '0' }, { selector: [{ scopeName: 'PriorityClass', operator: 'Exists' }] })],
    request: create(pod('p', [container('a')])),
    used: {},
  },
  {
    name: 'CrossNamespacePodAffinity: a term listing namespaces',
    quotas: [quota('x', { pods: '0' }, { pods: '0' }, { selector: [{ scopeName: 'CrossNamespacePodAffinity', operator: 'Exists' }] })],
    request: create(pod('p', [container('a')], { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { namespaces: ['other'], topologyKey: 'zone' } }] } } } })),
    denied: 'exceeded quota: x, requested: pods=1, used: pods=0, limited: pods=0',
  },
  {
    name: 'a malformed scope selector denies with the quota named',
    quotas: [quota('bad', { pods: '5' }, { pods: '0' }, { selector: [{ scopeName: 'PriorityClass', operator: 'In', values: [] }] })],
    request: create(pod('p', [container('a')], { spec: { priorityClassName: 'x' } })),
    denied: "error matching scopes of quota bad, err: values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
  },
]));

test('which quotas decide', () => run([
  {
    name: 'an already exceeded resource the pod does not use does not block',
    quotas: [quota('q', { 'requests.cpu': '1', 'requests.memory': '1Gi' }, { 'requests.cpu': '3', 'requests.memory': '0' })],
    request: create(pod('p', [container('a', { memory: '256Mi', cpu: '0' })])),
    used: { q: { 'requests.cpu': '3', 'requests.memory': '256Mi' } },
  },
  {
    name: 'a quota on other kinds only is ignored',
    quotas: [quota('svc', { services: '0' }, { services: '0' })],
    request: create(pod('p', [container('a', cpu('1'))])),
    used: {},
  },
  {
    name: 'a quota of another namespace is ignored',
    quotas: [quota('q', { pods: '0' }, { pods: '0' }, { namespace: 'team-b' })],
    request: create(pod('p', [container('a')])),
    used: {},
  },
  {
    name: 'the first failing quota decides; the others are not charged',
    quotas: [
      quota('roomy', { pods: '10' }, { pods: '2' }),
      quota('tight', { 'requests.cpu': '1' }, { 'requests.cpu': '800m' }),
    ],
    request: create(pod('p', [container('a', cpu('500m'))])),
    denied: 'exceeded quota: tight, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1',
  },
  {
    name: 'an unsynced quota (used lacks a tracked name) denies with every tracked name',
    quotas: [quota('fresh', { pods: '3', memory: '1Gi' }, { pods: '0' })],
    request: create(pod('p', [container('a', { memory: '1Mi' })])),
    denied: 'status unknown for quota: fresh, resources: memory,pods',
  },
  {
    name: 'pods hard 0 denies every pod',
    quotas: [quota('q', { pods: '0' }, { pods: '0' })],
    request: create(pod('p', [container('a')])),
    denied: 'exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0',
  },
]));

test('terminal pods and pods past their grace period are not charged, except for count/pods', () => run([
  {
    name: 'a terminal pod charges count/pods only',
    quotas: [quota('q', { 'count/pods': '5', pods: '0', 'requests.cpu': '0' }, { 'count/pods': '0', pods: '0', 'requests.cpu': '0' })],
    request: create(pod('p', [container('a', cpu('1'))], { status: { phase: 'Succeeded' } })),
    used: { q: { 'count/pods': '1', pods: '0', 'requests.cpu': '0' } },
  },
  {
    name: 'a pod deleted beyond its grace period is not charged',
    quotas: [quota('q', { pods: '0' }, { pods: '0' })],
    request: create(pod('p', [container('a')], { meta: { deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } })),
    now: Date.parse('2030-01-01T00:00:31Z'),
    used: {},
  },
  {
    name: 'a pod within its grace period is charged',
    quotas: [quota('q', { pods: '0' }, { pods: '0' })],
    request: create(pod('p', [container('a')], { meta: { deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } })),
    now: Date.parse('2030-01-01T00:00:30Z'),
    denied: 'exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0',
  },
]));

test('pod updates: only the resize subresource is evaluated, and only the increase is charged', () => {
  const q = quota('q', { 'requests.cpu': '2' }, { 'requests.cpu': '1500m' });
  const before = stored(pod('p', [container('a', cpu('1'))]));
  const bigger = stored(pod('p', [container('a', cpu('1250m'))]));
  const huge = stored(pod('p', [container('a', cpu('3'))]));
  run([
    { name: 'plain update is not evaluated', quotas: [q], request: update(huge, before), used: {} },
    { name: 'status update is not evaluated', quotas: [q], request: update(huge, before, { subResource: 'status' }), used: {} },
    { name: 'resize charges the increase', quotas: [q], request: update(bigger, before, { subResource: 'resize' }), used: { q: { 'requests.cpu': '1750m' } } },
    {
      name: 'resize over quota reports the increase as requested',
      quotas: [q],
      request: update(huge, before, { subResource: 'resize' }),
      denied: 'exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=1500m, limited: requests.cpu=2',
    },
    { name: 'shrinking charges nothing', quotas: [q], request: update(before, bigger, { subResource: 'resize' }), used: {} },
    {
      name: 'a resize is charged at least what the kubelet already applied',
      quotas: [q],
      request: update(stored(pod('p', [container('a', cpu('1250m'))], { status: { containerStatuses: [{ name: 'a', resources: { requests: cpu('1') }, allocatedResources: cpu('1') }] } })), before, { subResource: 'resize' }),
      used: { q: { 'requests.cpu': '1750m' } },
    },
  ]);
});
