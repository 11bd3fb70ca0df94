import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labels, outside, pod, policy, state, tcp, udp } from './builders.ts';
import { reachabilityMatrix } from '../../../engine/network/matrix.ts';
import { reviewTraffic } from '../../../engine/network/review.ts';
import type { Endpoint, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Protocol } from '../../../engine/network/types.ts';

test('a small matrix, with its egress and ingress sides', () => {
  const endpoints: Endpoint[] = [pod('x', 'a', { app: 'a' }), pod('x', 'b', { app: 'b' }), outside('192.0.2.1')];
  const st = state({ x: {} }, [
    policy('x', 'b-in', { podSelector: labels({ app: 'b' }), ingress: [{ from: [{ podSelector: labels({ app: 'a' }) }] }] }),
    policy('x', 'a-out', { podSelector: labels({ app: 'a' }), egress: [{ to: [{ podSelector: {} }] }], policyTypes: ['Egress'] }),
  ]);
  const m = reachabilityMatrix(st, { endpoints, port: 80 });
  assert.deepEqual(m.allowed, [
    [true, true, false],
    [true, true, true],
    [true, false, true],
  ]);
  assert.deepEqual(m.egress, [
    [true, true, false],
    [true, true, true],
    [true, true, true],
  ]);
  assert.deepEqual(m.ingress, [
    [true, true, true],
    [true, true, true],
    [true, false, true],
  ]);
  assert.equal(m.allowedCount, 7);
  const opened = reachabilityMatrix(st, { endpoints, port: 80 }, { removePolicies: [{ namespace: 'x', name: 'b-in' }] });
  assert.deepEqual(opened.allowed[2], [true, true, true]);
});

// A seeded generator of states: the matrix must agree with single reviews on every cell.
let seed = 7;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
const apps = ['a', 'b', 'c'];

function randomPeer(): NetworkPolicyPeer {
  switch (rand(6)) {
    case 0: return { podSelector: labels({ app: pick(apps) }) };
    case 1: return { namespaceSelector: labels({ 'kubernetes.io/metadata.name': pick(['x', 'y', 'z']) }) };
    case 2: return { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: [pick(apps)] }] } };
    case 3: return { ipBlock: { cidr: '10.0.0.0/16', except: [`10.0.${rand(3)}.0/24`] } };
    case 4: return { podSelector: {} };
    default: return { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } };
  }
}
function randomPorts(): NetworkPolicyPort[] | undefined {
  return pick([undefined, [{ port: 80 }], [{ port: 'http' }], [{ protocol: 'UDP' as Protocol }], [{ port: 70, endPort: 90 }], [{ port: 'dns', protocol: 'UDP' as Protocol }]]);
}
function randomPolicy(i: number): NetworkPolicy {
  const rules = () => Array.from({ length: rand(3) }, () => ({ ports: randomPorts(), peers: rand(4) ? Array.from({ length: 1 + rand(2) }, randomPeer) : undefined }));
  return policy(pick(['x', 'y', 'z']), `p${i}`, {
    podSelector: rand(3) ? labels({ app: pick(apps) }) : {},
    ingress: rand(2) ? rules().map((r) => ({ ports: r.ports, from: r.peers })) : undefined,
    egress: rand(2) ? rules().map((r) => ({ ports: r.ports, to: r.peers })) : undefined,
    policyTypes: pick([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']]),
  });
}

test('every matrix cell equals the single review of that connection', () => {
  let cells = 0;
  let allowedCells = 0;
  for (let round = 0; round < 40; round++) {
    const endpoints: Endpoint[] = [];
    for (const ns of ['x', 'y', 'z']) {
      for (const app of apps) {
        endpoints.push(pod(ns, `${app}`, { app }, {
          ip: `10.0.${endpoints.length % 3}.${endpoints.length}`,
          ports: rand(2) ? [tcp(80, 'http'), udp(53, 'dns')] : [tcp(8080, 'http')],
        }));
      }
    }
    endpoints.push(outside('10.0.1.200'), outside('192.0.2.5'), outside('2001:db8::1'));
    const st = state({ x: { team: 'a' }, y: {}, z: { team: 'b' } }, Array.from({ length: 1 + rand(8) }, (_, i) => randomPolicy(i)));
    const [port, protocol] = pick([[80, 'TCP'], ['http', undefined], [53, 'UDP'], ['dns', undefined], [85, 'TCP']] as const);
    const m = reachabilityMatrix(st, { endpoints, port, protocol });
    cells += m.size * m.size;
    allowedCells += m.allowedCount;
    for (let i = 0; i < endpoints.length; i++) {
      for (let j = 0; j < endpoints.length; j++) {
        const r = reviewTraffic(st, { source: endpoints[i], destination: endpoints[j], port, protocol });
        assert.deepEqual([m.allowed[i][j], m.ingress[i][j], m.egress[i][j]], [r.allowed, r.ingress.allowed, r.egress.allowed],
          `round ${round} cell ${i}->${j} port ${port}`);
      }
    }
  }
  // The generated states must exercise both outcomes for the comparison to mean anything.
  assert.ok(allowedCells > cells * 0.2 && allowedCells < cells * 0.95, `${allowedCells} of ${cells} allowed`);
});
