import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../engine/validation/field-error.ts';
import {
  canonicalStatusHard, validateResourceQuota, validateResourceQuotaStatusUpdate, validateResourceQuotaUpdate,
} from '../../../engine/quota/index.ts';
import { quota } from './builders.ts';

const messages = (raw: unknown): string[] => validateResourceQuota(raw).map(errorString);

function withSpec(spec: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'limits', namespace: 'team-a' }, spec };
}

test('a well-formed quota has no errors', () => {
  const q = quota('compute', {
    cpu: '4', 'requests.memory': '8Gi', pods: '20', 'count/deployments.apps': '5', 'requests.example.com/gpu': '2',
    'gold.storageclass.storage.k8s.io/requests.storage': '100Gi', 'hugepages-2Mi': '1Gi', 'requests.hugepages-1Gi': '2Gi',
    'services.loadbalancers': '1', 'limits.ephemeral-storage': '10Gi',
  }, { pods: '3' });
  assert.deepEqual(messages(q), []);
});

test('spec.hard names: quota names, qualified names, standard names', () => {
  const table: [string, string[]][] = [
    ['storage', ['spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota']],
    ['gpus', [
      'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified',
      'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota',
    ]],
    ['limits.hugepages-2Mi', [
      'spec.hard[limits.hugepages-2Mi]: Invalid value: "limits.hugepages-2Mi": must be a standard resource type or fully qualified',
      'spec.hard[limits.hugepages-2Mi]: Invalid value: "limits.hugepages-2Mi": must be a standard resource for quota',
    ]],
    ['/cpu', ['spec.hard[/cpu]: Invalid value: "/cpu": prefix part must be non-empty']],
    ['Example.com/gpu', [
      `spec.hard[Example.com/gpu]: Invalid value: "Example.com/gpu": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]],
    ['example.com/', ['spec.hard[example.com/]: Invalid value: "example.com/": name part must be non-empty',
      `spec.hard[example.com/]: Invalid value: "example.com/": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`]],
  ];
  for (const [name, want] of table) assert.deepEqual(messages(withSpec({ hard: { [name]: '1' } })), want, name);
});

test('spec.hard values: non-negative, whole units for counts and extended resources', () => {
  const table: [string, string, string[]][] = [
    ['cpu', '-100m', ['spec.hard[cpu]: Invalid value: "-100m": must be greater than or equal to 0']],
    ['pods', '2.5', ['spec.hard[pods]: Invalid value: "2500m": must be an integer']],
    ['services.nodeports', '1n', ['spec.hard[services.nodeports]: Invalid value: "1n": must be an integer']],
    ['example.com/gpu', '500m', ['spec.hard[example.com/gpu]: Invalid value: "500m": must be an integer']],
    ['requests.example.com/gpu', '500m', []],
    ['secrets', '-1', [
      'spec.hard[secrets]: Invalid value: "-1": must be greater than or equal to 0',
    ]],
    ['memory', '1.5Gi', []],
    ['cpu', '250m', []],
    ['memory', 'lots', [`spec.hard[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]],
  ];
  for (const [name, value, want] of table) assert.deepEqual(messages(withSpec({ hard: { [name]: value } })), want, `${name}=${value}`);
});

test('spec.scopes: known scopes, valid for every standard resource, never conflicting', () => {
  const s = (scopes: string[], hard: Record<string, string>) => messages(withSpec({ hard, scopes }));
  assert.deepEqual(s(['Terminating'], { pods: '5', 'requests.cpu': '2' }), []);
  assert.deepEqual(s(['BestEffort'], { pods: '5' }), []);
  assert.deepEqual(s(['BestEffort'], { 'requests.cpu': '2' }),
    ['spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource']);
  assert.deepEqual(s(['NotTerminating'], { configmaps: '2' }),
    ['spec.scopes: Invalid value: ["NotTerminating"]: unsupported scope applied to resource']);
  assert.deepEqual(s(['Terminating'], { 'count/configmaps': '2' }), [], 'non-standard names are not checked against scopes');
  assert.deepEqual(s(['Someday'], { pods: '1' }), ['spec.scopes: Invalid value: ["Someday"]: unsupported scope']);
  assert.deepEqual(s(['Terminating', 'NotTerminating'], { pods: '1' }),
    ['spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes']);
  assert.deepEqual(s(['BestEffort', 'NotBestEffort'], { pods: '1' }),
    ['spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: conflicting scopes']);
  assert.deepEqual(s(['VolumeAttributesClass'], { 'requests.storage': '1Gi' }), []);
  assert.deepEqual(s(['VolumeAttributesClass'], { pods: '1' }),
    ['spec.scopes: Invalid value: ["VolumeAttributesClass"]: unsupported scope applied to resource']);
});

test('spec.scopeSelector: operators and values', () => {
  const sel = (exprs: unknown[]) => messages(withSpec({ hard: { pods: '1' }, scopeSelector: { matchExpressions: exprs } }));
  const path = 'spec.scopeSelector.matchExpressions';
  assert.deepEqual(sel([{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }]), []);
  assert.deepEqual(sel([{ scopeName: 'PriorityClass', operator: 'NotIn', values: [] }]),
    [`${path}.values: Required value: must be at least one value when \`operator\` is 'In' or 'NotIn' for scope selector`]);
  assert.deepEqual(sel([{ scopeName: 'PriorityClass', operator: 'DoesNotExist', values: ['x'] }]),
    [`${path}.values: Invalid value: ["x"]: must be no value when \`operator\` is 'Exist' or 'DoesNotExist' for scope selector`]);
  assert.deepEqual(sel([{ scopeName: 'PriorityClass', operator: 'Like', values: ['x'] }]),
    [`${path}.operator: Invalid value: "Like": not a valid selector operator`]);
  assert.deepEqual(sel([{ scopeName: 'CrossNamespacePodAffinity', operator: 'DoesNotExist' }]),
    [`${path}.operator: Invalid value: "DoesNotExist": must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity`]);
  assert.deepEqual(sel([{ scopeName: 'Weekend', operator: 'Exists' }]), [`${path}.scopeName: Invalid value: "Weekend": unsupported scope`]);
  assert.deepEqual(sel([{ scopeName: 'Terminating', operator: 'Exists' }, { scopeName: 'NotTerminating', operator: 'Exists' }]),
    [`${path}: Invalid value: "null": conflicting scopes`]);
});

test('metadata: name and namespace', () => {
  assert.deepEqual(messages({ spec: { hard: { pods: '1' } } }), [
    'metadata.name: Required value: name or generateName is required',
    'metadata.namespace: Required value',
  ]);
  assert.match(messages({ metadata: { name: 'Compute!', namespace: 'team-a' } })[0], /^metadata\.name: Invalid value: "Compute!": a lowercase RFC 1123 subdomain/);
});

test('status entries are validated like spec entries', () => {
  const q = quota('q', { pods: '2' }, { pods: '-1', bogus: '1' });
  assert.deepEqual(messages(q), [
    'status.used[bogus]: Invalid value: "bogus": must be a standard resource type or fully qualified',
    'status.used[bogus]: Invalid value: "bogus": must be a standard resource for quota',
    'status.used[pods]: Invalid value: "-1": must be greater than or equal to 0',
  ]);
});

test('malformed input is reported, not thrown', () => {
  assert.deepEqual(messages('quota'), ['object: Invalid value: "quota": must be an object', 'metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']);
  assert.deepEqual(messages(withSpec({ hard: [] })), ['spec.hard: Invalid value: "array": must be an object']);
  assert.deepEqual(messages(withSpec({ hard: { pods: '1' }, scopes: 'Terminating' })), ['spec.scopes: Invalid value: "Terminating": must be an array']);
});

test('an update may not change the set of scopes', () => {
  const old = quota('q', { pods: '2' }, {}, { scopes: ['Terminating'] });
  assert.deepEqual(validateResourceQuotaUpdate(quota('q', { pods: '3' }, {}, { scopes: ['Terminating'] }), old), []);
  assert.deepEqual(validateResourceQuotaUpdate(quota('q', { pods: '3' }, {}, { scopes: ['NotTerminating'] }), old).map(errorString),
    ['spec.scopes: Invalid value: ["NotTerminating"]: field is immutable']);
  assert.deepEqual(validateResourceQuotaUpdate(quota('renamed', { pods: '3' }, {}, { scopes: ['Terminating'] }), old).map(errorString),
    ['metadata.name: Invalid value: "renamed": field is immutable']);
});

test('a status update needs a resourceVersion and valid usage', () => {
  const old = quota('q', { pods: '2' }, { pods: '0' });
  const next = { ...quota('q', { pods: '2' }, { pods: '0.5' }) };
  assert.deepEqual(validateResourceQuotaStatusUpdate(next, old).map(errorString), [
    'resourceVersion: Required value',
    'status.used[pods]: Invalid value: "500m": must be an integer',
  ]);
  const withVersion = { ...next, metadata: { ...next.metadata, resourceVersion: '12' }, status: { hard: { pods: '2' }, used: { pods: '1' } } };
  assert.deepEqual(validateResourceQuotaStatusUpdate(withVersion, old), []);
});

test('status.hard is spec.hard as Kubernetes prints it', () => {
  assert.deepEqual(canonicalStatusHard({ memory: '2048Mi', cpu: '0.25', pods: '10', 'requests.storage': '1.5Gi', secrets: '+4' }),
    { cpu: '250m', memory: '2Gi', pods: '10', 'requests.storage': '1536Mi', secrets: '+4' });
});
