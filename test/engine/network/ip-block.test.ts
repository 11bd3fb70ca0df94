import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOW, DENY_IN, DENY_OUT, decide, ingressFrom, outside, pod, policy, state, type Triple } from './builders.ts';
import type { IPBlock } from '../../../engine/network/types.ts';

const namespaces = { x: {} };
const server = pod('x', 'server', {}, { ip: '10.244.1.10' });
const fromBlocks = (...blocks: IPBlock[]) =>
  state(namespaces, [policy('x', 'in', { podSelector: {}, ingress: [ingressFrom(...blocks.map((ipBlock) => ({ ipBlock })))] })]);

test('ipBlock admits addresses inside cidr and outside every except', () => {
  const st = fromBlocks({ cidr: '172.17.0.0/16', except: ['172.17.1.0/24', '172.17.2.128/25'] });
  const cases: Array<[string, Triple]> = [
    ['172.17.0.1', ALLOW],
    ['172.17.255.255', ALLOW],
    ['172.17.1.77', DENY_IN],
    ['172.17.2.127', ALLOW],
    ['172.17.2.128', DENY_IN],
    ['172.18.0.1', DENY_IN],
    ['not-an-ip', DENY_IN],
  ];
  for (const [ip, want] of cases) assert.deepEqual(decide(st, outside(ip), server), want, ip);
});

test('an address excluded by one policy is still allowed by another', () => {
  const st = state(namespaces, [
    policy('x', 'a', { podSelector: {}, ingress: [ingressFrom({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } })] }),
    policy('x', 'b', { podSelector: {}, ingress: [ingressFrom({ ipBlock: { cidr: '10.1.2.0/24' } })] }),
  ]);
  assert.deepEqual(decide(st, outside('10.1.2.3'), server), ALLOW);
  assert.deepEqual(decide(st, outside('10.1.3.3'), server), DENY_IN);
});

test('IPv4 blocks never match IPv6 addresses and vice versa', () => {
  const cases: Array<[IPBlock, string, Triple]> = [
    [{ cidr: '0.0.0.0/0' }, '2001:db8::1', DENY_IN],
    [{ cidr: '::/0' }, '192.0.2.1', DENY_IN],
    [{ cidr: '::/0' }, '2001:db8::1', ALLOW],
    [{ cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] }, '2001:db8:1::5', DENY_IN],
    [{ cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] }, '2001:db8:2::5', ALLOW],
    [{ cidr: '192.0.2.0/24' }, '::ffff:192.0.2.9', ALLOW],
  ];
  for (const [block, ip, want] of cases) assert.deepEqual(decide(fromBlocks(block), outside(ip), server), want, `${block.cidr} vs ${ip}`);
});

test('ipBlock peers see pod IPs, and pods without an IP are invisible to them', () => {
  const st = fromBlocks({ cidr: '10.244.0.0/16' });
  assert.deepEqual(decide(st, pod('x', 'client', {}, { ip: '10.244.2.11' }), server), ALLOW);
  assert.deepEqual(decide(st, pod('x', 'client'), server), DENY_IN);
  const carve = fromBlocks({ cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] });
  assert.deepEqual(decide(carve, outside('198.51.100.3'), server), ALLOW);
  assert.deepEqual(decide(carve, pod('x', 'client', {}, { ip: '10.244.2.11' }), server), DENY_IN);
});

test('egress to a pod /32', () => {
  const client = pod('x', 'client', { app: 'client' }, { ip: '10.244.1.11' });
  const st = state(namespaces, [policy('x', 'out', {
    podSelector: { matchLabels: { app: 'client' } },
    egress: [{ to: [{ ipBlock: { cidr: '10.244.1.10/32' } }] }],
    policyTypes: ['Egress'],
  })]);
  assert.deepEqual(decide(st, client, server), ALLOW);
  assert.deepEqual(decide(st, client, pod('x', 'other', {}, { ip: '10.244.1.12' })), DENY_OUT);
});
