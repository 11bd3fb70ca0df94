/**
 * Measures the NetworkPolicy engine: the full reachability matrix for 100
 * pods (10 namespaces) under 1,000 policies, and single traffic reviews.
 * Deterministic input (seeded). Run: node --import tsx bench/network-engine.ts
 */
import { compileNetworkState, type PolicyCache } from '../engine/network/compile.ts';
import { reachabilityMatrix } from '../engine/network/matrix.ts';
import { reviewTraffic } from '../engine/network/review.ts';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PodEndpoint } from '../engine/network/types.ts';
import type { Labels } from '../engine/meta.ts';

let seed = 42;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];

const NAMESPACES = 10;
const PODS = 100;
const POLICIES = 1000;
const apps = ['web', 'api', 'db', 'cache', 'worker'];
const tiers = ['front', 'back', 'data'];

const namespaces = new Map<string, Labels>();
for (let i = 0; i < NAMESPACES; i++) {
  namespaces.set(`ns-${i}`, { 'kubernetes.io/metadata.name': `ns-${i}`, env: i % 2 ? 'prod' : 'dev', team: `t${i % 3}` });
}

const pods: PodEndpoint[] = [];
for (let i = 0; i < PODS; i++) {
  const ns = i % NAMESPACES;
  pods.push({
    namespace: `ns-${ns}`,
    name: `pod-${i}`,
    labels: { app: pick(apps), tier: pick(tiers), ...(rand(2) ? { canary: 'true' } : {}) },
    ip: `10.${ns}.${Math.floor(i / 256)}.${i % 256}`,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
  });
}

function peer(): NetworkPolicyPeer {
  switch (rand(5)) {
    case 0: return { podSelector: { matchLabels: { app: pick(apps), tier: pick(tiers) } } };
    case 1: return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `ns-${rand(NAMESPACES)}` } } };
    case 2: return { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['t0', 't1'] }] }, podSelector: { matchLabels: { tier: pick(tiers) } } };
    case 3: return { ipBlock: { cidr: `10.${rand(NAMESPACES)}.0.0/16`, except: [`10.${rand(NAMESPACES)}.0.0/28`] } };
    default: return { podSelector: { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }, { key: 'app', operator: 'NotIn', values: ['db'] }] } };
  }
}
function ports(): NetworkPolicyPort[] | undefined {
  switch (rand(4)) {
    case 0: return undefined;
    case 1: return [{ port: 8080 }];
    case 2: return [{ port: 'http' }, { protocol: 'UDP', port: 53 }];
    default: return [{ port: 8000, endPort: 8100 }];
  }
}

const policies: NetworkPolicy[] = [];
for (let i = 0; i < POLICIES; i++) {
  const rules = () => Array.from({ length: 1 + rand(2) }, () => ({ ports: ports(), peers: Array.from({ length: 1 + rand(2) }, peer) }));
  const kind = rand(3);
  policies.push({
    metadata: { name: `np-${i}`, namespace: `ns-${i % NAMESPACES}` },
    spec: {
      podSelector: rand(10) === 0 ? {} : { matchLabels: { app: pick(apps), tier: pick(tiers) } },
      ingress: kind !== 1 ? rules().map((r) => ({ ports: r.ports, from: r.peers })) : undefined,
      egress: kind !== 0 ? rules().map((r) => ({ ports: r.ports, to: r.peers })) : undefined,
      policyTypes: kind === 0 ? ['Ingress'] : kind === 1 ? ['Egress'] : ['Ingress', 'Egress'],
    },
  });
}

const endpoints = [...pods, { ip: '192.0.2.10' }, { ip: '10.3.0.77' }];

function time<T>(label: string, runs: number, fn: () => T): T {
  let result!: T;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${label}: median ${median.toFixed(1)} ms, max ${samples[samples.length - 1].toFixed(1)} ms (${runs} runs)`);
  return result;
}

// "cold": fresh policy objects, so every policy is compiled again (the first
// question after a snapshot swap). "warm": a fresh state object over
// policies already compiled into a policy cache, as the API keeps one
// across snapshots (grouping and all matching redone).
const clones = Array.from({ length: 11 }, () => ({ namespaces, policies: structuredClone(policies) }));
const compiledPolicies: PolicyCache = new WeakMap();
const fresh = () => compileNetworkState({ namespaces, policies: [...policies] }, undefined, compiledPolicies);
const m = time('matrix cold, first run in the process', 1, () => reachabilityMatrix(clones.pop()!, { endpoints, port: 8080 }));
time('matrix cold', 10, () => reachabilityMatrix(clones.pop()!, { endpoints, port: 8080 }));
time(`matrix ${endpoints.length}x${endpoints.length}, ${POLICIES} policies, port 8080`, 20, () => reachabilityMatrix(fresh(), { endpoints, port: 8080 }));
time('matrix, named port "http"', 20, () => reachabilityMatrix(fresh(), { endpoints, port: 'http' }));
const state = fresh();
time('1,000 single reviews on one state', 5, () => {
  for (let k = 0; k < 1000; k++) reviewTraffic(state, { source: pods[k % PODS], destination: pods[(k * 7) % PODS], port: 8080 });
});
console.log(`allowed cells: ${m.allowedCount} of ${m.size * m.size}`);
