import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policy } from './builders.ts';
import { errorString } from '../../../engine/validation/field-error.ts';
import {
  validateNetworkPolicy, validateNetworkPolicySpec, validateNetworkPolicyUpdate,
} from '../../../engine/network/validation.ts';
import type { NetworkPolicySpec } from '../../../engine/network/types.ts';

const specErrors = (spec: NetworkPolicySpec) => validateNetworkPolicySpec(spec).map(errorString);
const ingressPort = (port: object): NetworkPolicySpec => ({ podSelector: {}, ingress: [{ ports: [port] }] });
const ingressPeer = (peer: object): NetworkPolicySpec => ({ podSelector: {}, ingress: [{ from: [peer] }] });

test('valid policies as clients author them pass', () => {
  const specs: NetworkPolicySpec[] = [
    { podSelector: {} },
    { podSelector: { matchLabels: {} }, ingress: [{}], egress: [], policyTypes: ['Ingress', 'Egress'] },
    {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 'http' }, { protocol: 'UDP', port: 53 }, { protocol: 'SCTP' }] }],
      egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ port: 32000, endPort: 32768 }] }],
    },
  ];
  for (const spec of specs) assert.deepEqual(specErrors(spec), []);
  assert.deepEqual(validateNetworkPolicy(policy('team-a', 'allow-web', specs[2])), []);
});

test('ports: protocol, number range, names and endPort', () => {
  const cases: Array<[object, string[]]> = [
    [{ protocol: 'ICMP', port: 80 }, ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']],
    [{ protocol: 'tcp' }, ['spec.ingress[0].ports[0].protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"']],
    [{ port: 0 }, ['spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    [{ port: 65536 }, ['spec.ingress[0].ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive']],
    [{ port: 'HTTP' }, [
      'spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ]],
    [{ port: '80' }, ['spec.ingress[0].ports[0].port: Invalid value: "80": must contain at least one letter (a-z)']],
    [{ port: 100, endPort: 99 }, ['spec.ingress[0].ports[0].endPort: Invalid value: 99: must be greater than or equal to `port`']],
    [{ port: 100, endPort: 70000 }, ['spec.ingress[0].ports[0].endPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [{ port: 'http', endPort: 90 }, ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric']],
    [{ endPort: 90 }, ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified']],
  ];
  for (const [port, want] of cases) assert.deepEqual(specErrors(ingressPort(port)), want, JSON.stringify(port));
});

test('peers: exactly one kind, ipBlock alone', () => {
  assert.deepEqual(specErrors(ingressPeer({})), ['spec.ingress[0].from[0]: Required value: must specify a peer']);
  assert.deepEqual(specErrors(ingressPeer({ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } })),
    ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer']);
  assert.deepEqual(specErrors({ podSelector: {}, egress: [{ to: [{ namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
    ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer']);
});

test('ipBlock: cidr required and valid, except strictly inside and of the same family', () => {
  const block = (ipBlock: object) => specErrors(ingressPeer({ ipBlock }));
  assert.deepEqual(block({ cidr: '' }), ['spec.ingress[0].from[0].ipBlock.cidr: Required value']);
  assert.deepEqual(block({ cidr: '10.0.0.0/33' }),
    ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  assert.deepEqual(block({ cidr: '10.0.0.1' }),
    ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.1": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  assert.deepEqual(block({ cidr: '10.0.0.0/8', except: ['10.0.0.0/8', '11.0.0.0/16', '10.1.0.0/16', 'x', '2001:db8::/64'] }), [
    'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
    'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
    'spec.ingress[0].from[0].ipBlock.except[3]: Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    'spec.ingress[0].from[0].ipBlock.except[4]: Invalid value: "2001:db8::/64": must be a strict subset of `cidr`',
  ]);
});

test('selectors are validated as label selectors at their paths', () => {
  assert.deepEqual(specErrors({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }),
    ["spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]);
  assert.deepEqual(specErrors(ingressPeer({ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Equals' }] } })),
    ['spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']);
  assert.match(specErrors(ingressPeer({ podSelector: { matchLabels: { 'bad key!': 'x' } } }))[0],
    /^spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchLabels: Invalid value: "bad key!": name part must consist of/);
});

test('policyTypes: Ingress and Egress only, at most two', () => {
  assert.deepEqual(specErrors({ podSelector: {}, policyTypes: ['Ingress', 'ingress'] }),
    ['spec.policyTypes[1]: Unsupported value: "ingress": supported values: "Ingress", "Egress"']);
  assert.deepEqual(specErrors({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
    ['spec.policyTypes: Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes']);
});

test('metadata: namespaced, with a DNS-subdomain name', () => {
  const errs = validateNetworkPolicy({ metadata: { name: 'Bad_Name' }, spec: { podSelector: {} } }).map(errorString);
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  assert.equal(errs[1], 'metadata.namespace: Required value');
});

test('an update tolerates CIDRs and selector values the stored object already had', () => {
  const old = policy('a', 'p', { podSelector: { matchExpressions: [{ key: 'k', operator: 'In', values: ['bad value'] }] }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8x' } }] }] });
  old.metadata.resourceVersion = '3';
  const next = structuredClone(old);
  assert.deepEqual(validateNetworkPolicyUpdate(next, old), []);
  next.spec.ingress![0].from!.push({ ipBlock: { cidr: 'new-bad' } });
  assert.deepEqual(validateNetworkPolicyUpdate(next, old).map(errorString),
    ['spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "new-bad": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  next.metadata.name = 'q';
  assert.ok(validateNetworkPolicyUpdate(next, old).map(errorString).includes('metadata.name: Invalid value: "q": field is immutable'));
});
