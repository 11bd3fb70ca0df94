/**
 * Measures traffic and reachability reviews through HTTP, end to end (request
 * encoding, authentication, authorization, schema validation, the decision,
 * the JSON answer): 10 namespaces and 1,000 NetworkPolicies stored through
 * the bulk apply, 100 pods plus 2 outside addresses. Target: the 102×102
 * matrix in ≤ 200 ms. Deterministic input (seeded).
 *
 * Run: node --import tsx bench/network-api.ts   (PGlite in memory; DATABASE_URL selects a server)
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../api/config.ts';
import { startWarden } from '../api/server.ts';

const NAMESPACES = 10;
const PODS = 100;
const POLICIES = 1000;
const TARGET_MS = 200;

let seed = 7;
function rand(n: number): number {
  seed = (seed * 48271) % 2147483647;
  return seed % n;
}
const oneOf = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
const apps = ['web', 'api', 'db', 'cache', 'queue'];
const tiers = ['edge', 'core', 'data'];
const nsName = (i: number) => `team-${i}`;

const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(i), labels: { stage: i % 2 ? 'prod' : 'dev', org: `o${i % 3}` } },
}));

const pods = Array.from({ length: PODS }, (_, i) => ({
  namespace: nsName(i % NAMESPACES),
  name: `pod-${i}`,
  labels: { app: oneOf(apps), tier: oneOf(tiers), ...(rand(3) === 0 ? { track: 'canary' } : {}) },
  ip: `10.${i % NAMESPACES}.${i >> 8}.${i & 255}`,
  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9100, protocol: 'TCP' }],
}));
const endpoints = [...pods, { ip: '203.0.113.7' }, { ip: '10.4.0.99' }];

function peer(): object {
  switch (rand(5)) {
    case 0: return { podSelector: { matchLabels: { app: oneOf(apps) } } };
    case 1: return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': nsName(rand(NAMESPACES)) } } };
    case 2: return { namespaceSelector: { matchExpressions: [{ key: 'org', operator: 'In', values: ['o0', 'o2'] }] }, podSelector: { matchLabels: { tier: oneOf(tiers) } } };
    case 3: {
      const n = rand(NAMESPACES);
      return { ipBlock: { cidr: `10.${n}.0.0/16`, except: [`10.${n}.0.0/27`] } };
    }
    default: return { podSelector: { matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }, { key: 'app', operator: 'NotIn', values: ['db'] }] } };
  }
}
function ports(): object[] | undefined {
  switch (rand(4)) {
    case 0: return undefined;
    case 1: return [{ port: 8080 }];
    case 2: return [{ port: 'http' }, { protocol: 'UDP', port: 53 }];
    default: return [{ port: 8000, endPort: 8999 }];
  }
}
const rules = (side: 'from' | 'to') => Array.from({ length: 1 + rand(2) }, () => ({ ports: ports(), [side]: Array.from({ length: 1 + rand(2) }, peer) }));

const policies = Array.from({ length: POLICIES }, (_, i) => {
  const types = [['Ingress'], ['Egress'], ['Ingress', 'Egress']][rand(3)];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `np-${i}`, namespace: nsName(i % NAMESPACES) },
    spec: {
      podSelector: rand(10) === 0 ? {} : { matchLabels: { app: oneOf(apps), tier: oneOf(tiers) } },
      policyTypes: types,
      ...(types.includes('Ingress') ? { ingress: rules('from') } : {}),
      ...(types.includes('Egress') ? { egress: rules('to') } : {}),
    },
  };
});

const token = `bench-${randomBytes(12).toString('hex')}`;
const warden = await startWarden(loadConfig({
  WARDEN_DATA_DIR: 'memory://', WARDEN_ADMIN_TOKEN: token, PORT: '0', WARDEN_TLS_PORT: 'off', WARDEN_LOG_LEVEL: 'silent',
  WARDEN_BODY_LIMIT: '8mb', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
}), { log: pino({ level: 'silent' }) });

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(warden.url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function must(path: string, body: unknown, code: number): Promise<any> {
  const r = await post(path, body);
  if (r.status !== code) throw new Error(`${path}: HTTP ${r.status}: ${r.body?.message}`);
  return r.body;
}

async function time(label: string, runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const p95 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.95))];
  console.log(`${label}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${samples[samples.length - 1].toFixed(1)} ms (${runs} runs)`);
  return median;
}

const apply = '/apis/warden.dev/v1/apply?fieldManager=bench';
const reviews = '/apis/networking.warden.dev/v1';
const matrix = (port: number | string, whatIf?: object) =>
  must(`${reviews}/reachabilityreviews`, { apiVersion: 'networking.warden.dev/v1', kind: 'ReachabilityReview', spec: { endpoints, port, whatIf } }, 201);
const review = (k: number) => must(`${reviews}/trafficreviews`, {
  apiVersion: 'networking.warden.dev/v1', kind: 'TrafficReview',
  spec: { source: pods[k % PODS], destination: pods[(k * 7 + 3) % PODS], port: 8080 },
}, 201);

try {
  const t0 = performance.now();
  await must(apply, { apiVersion: 'v1', kind: 'List', items: [...namespaces, ...policies] }, 200);
  console.log(`setup: ${NAMESPACES} namespaces and ${POLICIES} policies in one bulk apply: ${(performance.now() - t0).toFixed(0)} ms`);
  console.log(`matrix: ${endpoints.length}×${endpoints.length} endpoints (${PODS} pods, 2 outside addresses), ${POLICIES} policies, through HTTP`);

  await time('matrix, first request of the process (state compiled, code not yet optimized)', 1, () => matrix(8080));
  const hot = await time('matrix, port 8080', 20, () => matrix(8080));
  await time('matrix, named port "http"', 20, () => matrix('http'));
  const afterWrite: number[] = [];
  for (let k = 0; k < 5; k++) {
    await must(apply, { ...policies[k], spec: { ...policies[k].spec, podSelector: { matchLabels: { app: 'web', bench: `t${k}` } } } }, 200);
    const t = performance.now();
    await matrix(8080);
    afterWrite.push(performance.now() - t);
  }
  console.log(`matrix, first after a policy write (state recompiled): ${afterWrite.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  const whatIf = { addPolicies: policies.slice(0, 10).map((p, i) => ({ ...p, metadata: { ...p.metadata, name: `what-if-${i}` } })), removePolicies: policies.slice(10, 20).map((p) => p.metadata) };
  await time('matrix with a what-if (10 added, 10 removed)', 20, () => matrix(8080, whatIf));
  await time('one TrafficReview', 200, () => review(rand(1000)));

  const concurrent = 2000;
  const t1 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < concurrent) await review(next++);
  }));
  const seconds = (performance.now() - t1) / 1000;
  console.log(`TrafficReviews, 16 in flight: ${concurrent} in ${seconds.toFixed(2)} s (${Math.round(concurrent / seconds)}/s)`);
  const m = await matrix(8080);
  console.log(`allowed cells: ${m.status.allowedCount} of ${m.status.size * m.status.size}`);
  console.log(`target: matrix ≤ ${TARGET_MS} ms: ${hot <= TARGET_MS ? 'met' : 'MISSED'} (median ${hot.toFixed(1)} ms)`);
} finally {
  await warden.close();
}
