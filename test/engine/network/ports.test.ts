import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOW, DENY_IN, DENY_OUT, decide, labels, outside, pod, policy, state, tcp, udp, type Triple } from './builders.ts';
import type { NetworkPolicyPort, Protocol } from '../../../engine/network/types.ts';
import { reviewTraffic } from '../../../engine/network/review.ts';

const namespaces = { x: {} };
const client = pod('x', 'client', { app: 'client' });
// Two servers expose "http" on different numbers; "dns" is UDP on one of them.
const s1 = pod('x', 's1', { app: 'server' }, { ports: [tcp(80, 'http'), udp(53, 'dns'), tcp(9090, 'metrics')] });
const s2 = pod('x', 's2', { app: 'server' }, { ports: [tcp(8080, 'http'), tcp(53, 'dns-tcp')] });

function ingressPorts(...ports: NetworkPolicyPort[]) {
  return state(namespaces, [policy('x', 'servers', { podSelector: labels({ app: 'server' }), ingress: [{ ports }] })]);
}

test('numeric ports, ranges and protocols in ingress rules', () => {
  const cases: Array<[string, NetworkPolicyPort[], number, Protocol | undefined, Triple]> = [
    ['a numeric port admits that port', [{ port: 80 }], 80, undefined, ALLOW],
    ['and no other', [{ port: 80 }], 81, undefined, DENY_IN],
    ['protocol defaults to TCP on both sides', [{ port: 53 }], 53, 'UDP', DENY_IN],
    ['a UDP rule never admits TCP', [{ protocol: 'UDP', port: 53 }], 53, 'TCP', DENY_IN],
    ['a SCTP rule admits SCTP', [{ protocol: 'SCTP', port: 80 }], 80, 'SCTP', ALLOW],
    ['a protocol-only entry admits every port of it', [{ protocol: 'UDP' }], 4242, 'UDP', ALLOW],
    ['a protocol-only entry still excludes other protocols', [{ protocol: 'UDP' }], 4242, 'TCP', DENY_IN],
    ['endPort includes its lower bound', [{ port: 8000, endPort: 8100 }], 8000, undefined, ALLOW],
    ['endPort includes its upper bound', [{ port: 8000, endPort: 8100 }], 8100, undefined, ALLOW],
    ['endPort excludes the port past it', [{ port: 8000, endPort: 8100 }], 8101, undefined, DENY_IN],
    ['endPort ranges are protocol-bound', [{ port: 8000, endPort: 8100 }], 8050, 'UDP', DENY_IN],
    ['several entries are ORed', [{ port: 1 }, { protocol: 'UDP', port: 53 }], 53, 'UDP', ALLOW],
  ];
  for (const [name, ports, port, protocol, want] of cases) {
    assert.deepEqual(decide(ingressPorts(...ports), client, s1, port, protocol), want, name);
  }
});

test("a named port resolves on each destination pod's own container ports", () => {
  const st = ingressPorts({ port: 'http' });
  assert.deepEqual(decide(st, client, s1, 80), ALLOW);
  assert.deepEqual(decide(st, client, s1, 8080), DENY_IN);
  assert.deepEqual(decide(st, client, s2, 8080), ALLOW);
  assert.deepEqual(decide(st, client, s2, 80), DENY_IN);
  assert.deepEqual(decide(st, client, s1, 'http'), ALLOW);
  assert.deepEqual(decide(st, client, s2, 'http'), ALLOW);
});

test('a named port honours the protocol of the rule and of the container port', () => {
  assert.deepEqual(decide(ingressPorts({ port: 'dns' }), client, s1, 53, 'UDP'), DENY_IN, 'rule protocol defaults to TCP, dns is UDP');
  assert.deepEqual(decide(ingressPorts({ port: 'dns', protocol: 'UDP' }), client, s1, 53, 'UDP'), ALLOW);
  assert.deepEqual(decide(ingressPorts({ port: 'dns', protocol: 'UDP' }), client, s1, 'dns'), ALLOW, 'a named query takes the container port protocol');
  assert.deepEqual(decide(ingressPorts({ port: 'dns', protocol: 'UDP' }), client, s2, 53, 'UDP'), DENY_IN, 's2 has no port named dns');
});

test('named ports in egress rules resolve on the destination and never match outside addresses', () => {
  const st = state(namespaces, [policy('x', 'client-out', {
    podSelector: labels({ app: 'client' }),
    egress: [{ ports: [{ port: 'http' }] }],
    policyTypes: ['Egress'],
  })]);
  assert.deepEqual(decide(st, client, s1, 80), ALLOW);
  assert.deepEqual(decide(st, client, s2, 8080), ALLOW);
  assert.deepEqual(decide(st, client, s2, 80), DENY_OUT);
  assert.deepEqual(decide(st, client, outside('192.0.2.7'), 80), DENY_OUT);
  const numeric = state(namespaces, [policy('x', 'client-out', {
    podSelector: labels({ app: 'client' }), egress: [{ ports: [{ port: 80 }], to: [] }], policyTypes: ['Egress'],
  })]);
  assert.deepEqual(decide(numeric, client, outside('192.0.2.7'), 80), ALLOW);
});

test('a named query port the destination lacks resolves to no port number', () => {
  const st = ingressPorts({ protocol: 'TCP' });
  const r = reviewTraffic(st, { source: client, destination: s2, port: 'nope' });
  assert.deepEqual(r.connection, { port: null, protocol: 'TCP', portName: 'nope' });
  assert.equal(r.allowed, true, 'a protocol-only rule needs no port number');
  assert.deepEqual(decide(ingressPorts({ port: 80 }), client, s2, 'nope'), DENY_IN);
  assert.deepEqual(reviewTraffic(st, { source: client, destination: s1, port: 'dns', protocol: 'TCP' }).connection,
    { port: null, protocol: 'TCP', portName: 'dns' }, 'the named port exists but with another protocol');
});

test('egress to an outside CIDR with a port range', () => {
  const st = state(namespaces, [policy('x', 'out', {
    podSelector: {},
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ port: 32000, endPort: 32768 }] }],
    policyTypes: ['Egress'],
  })]);
  assert.deepEqual(decide(st, client, outside('10.0.0.8'), 32768), ALLOW);
  assert.deepEqual(decide(st, client, outside('10.0.0.8'), 31999), DENY_OUT);
  assert.deepEqual(decide(st, client, outside('10.0.1.8'), 32000), DENY_OUT);
  assert.deepEqual(decide(st, client, outside('10.0.0.8'), 32000, 'UDP'), DENY_OUT);
});

test('rule with ports but no peers: any destination on that port', () => {
  const st = state(namespaces, [policy('x', 'dns', {
    podSelector: {}, egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }], policyTypes: ['Egress'],
  })]);
  assert.deepEqual(decide(st, client, outside('8.8.8.8'), 53, 'UDP'), ALLOW);
  assert.deepEqual(decide(st, client, s1, 53, 'UDP'), ALLOW);
  assert.deepEqual(decide(st, client, s1, 53, 'TCP'), DENY_OUT);
});
