/**
 * Quota engine benchmark. Prints, in one run:
 *
 * - quantity parse + print throughput over a mix of everyday inputs;
 * - checkQuotaRequest latency p50/p99 for a pod (two containers, a sidecar
 *   and an init container) against a namespace with five quotas (plain,
 *   alias, scoped, PriorityClass selector, object count) and a tenant limit,
 *   with a quantity memo as the API keeps one, then without;
 * - computeQuotaUsage time for one quota over N existing pods.
 *
 * Run: node --import tsx bench/quota-engine.ts [--requests N] [--pods N]
 */
import {
  checkQuotaRequest, computeQuotaUsage, formatQuantity, parseQuantity, QuantityParser, type QuotaRequest,
} from '../engine/quota/index.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const requestCount = arg('requests', 50_000);
const podCount = arg('pods', 5_000);

const us = (ns: number): string => (ns / 1e3).toFixed(1);
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const now = (): number => Number(process.hrtime.bigint());

const inputs = ['100m', '250m', '1', '2', '1.5', '512Mi', '1Gi', '2Gi', '1G', '10', '0', '1500m', '64Mi', '1e3', '0.5', '3Ti'];
{
  const rounds = 20_000;
  const t0 = now();
  let chars = 0;
  for (let i = 0; i < rounds; i++) {
    for (const s of inputs) {
      const r = parseQuantity(s);
      if (r.ok) chars += formatQuantity(r.quantity).length;
    }
  }
  const ns = now() - t0;
  const ops = rounds * inputs.length;
  console.log(`quantity parse+print: ${ops} ops in ${(ns / 1e6).toFixed(0)} ms, ${(ns / ops).toFixed(0)} ns/op (${chars} chars)`);
}

const ns = 'bench';
const quota = (name: string, hard: Record<string, string>, used: Record<string, string>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec: { hard, ...spec }, status: { hard, used },
});
const quotas = [
  quota('compute', { 'requests.cpu': '1000', 'requests.memory': '1Ti', 'limits.cpu': '2000', 'limits.memory': '2Ti' },
    { 'requests.cpu': '12', 'requests.memory': '48Gi', 'limits.cpu': '24', 'limits.memory': '96Gi' }),
  quota('aliases', { cpu: '1000', memory: '1Ti', pods: '1000' }, { cpu: '12', memory: '48Gi', pods: '30' }),
  quota('long-running', { pods: '500' }, { pods: '20' }, { scopes: ['NotTerminating', 'NotBestEffort'] }),
  quota('critical', { pods: '10' }, { pods: '1' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['critical'] }] } }),
  quota('objects', { 'count/pods': '1000', 'count/configmaps': '100' }, { 'count/pods': '30', 'count/configmaps': '3' }),
];
const tenant = { name: 'acme', scope: 'tenant' as const, hard: { 'requests.cpu': '5000', 'requests.memory': '10Ti' }, used: { 'requests.cpu': '400', 'requests.memory': '1Ti' } };
const res = (requests: Record<string, string>, limits: Record<string, string>) => ({ requests, limits });
const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
  spec: {
    containers: [
      { name: 'app', image: 'app', resources: res({ cpu: '500m', memory: '512Mi' }, { cpu: '1', memory: '1Gi' }) },
      { name: 'worker', image: 'worker', resources: res({ cpu: '250m', memory: '256Mi' }, { cpu: '500m', memory: '256Mi' }) },
    ],
    initContainers: [
      { name: 'proxy', image: 'proxy', restartPolicy: 'Always', resources: res({ cpu: '100m', memory: '64Mi' }, { cpu: '200m', memory: '64Mi' }) },
      { name: 'migrate', image: 'migrate', resources: res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }) },
    ],
  },
});
const request = (name: string): QuotaRequest => ({
  operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
  namespace: ns, name, object: pod(name),
});

/** Check latency over distinct pods; `quantities` as the API passes it (its memo), or none. */
function checkLatency(label: string, quantities: QuantityParser | undefined): void {
  const requests = Array.from({ length: requestCount }, (_, i) => request(`p${i}`));
  for (let i = 0; i < 2000; i++) checkQuotaRequest(requests[i % requests.length], quotas, { quantities, extraLimits: [tenant] });
  const samples: number[] = [];
  let allowed = 0;
  for (const r of requests) {
    const t0 = now();
    const d = checkQuotaRequest(r, quotas, { quantities, extraLimits: [tenant] });
    samples.push(now() - t0);
    if (d.allowed) allowed++;
  }
  const sorted = samples.sort((a, b) => a - b);
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  console.log(`checkQuotaRequest (pod, 5 quotas + tenant${label}): ${requestCount} requests, p50 ${us(quantile(sorted, 0.5))} µs, ` +
    `p99 ${us(quantile(sorted, 0.99))} µs, mean ${us(mean)} µs, allowed ${allowed}`);
}
checkLatency('', new QuantityParser());
checkLatency(', no quantity memo', undefined);

{
  const existing = Array.from({ length: podCount }, (_, i) => pod(`e${i}`));
  const t0 = now();
  const { used, errors } = computeQuotaUsage(quotas[0], existing);
  const ms = (now() - t0) / 1e6;
  console.log(`computeQuotaUsage over ${podCount} pods: ${ms.toFixed(1)} ms (${JSON.stringify(used)}, ${errors.length} errors)`);
}
