/**
 * netpol/cases.json through the HTTP API. Per scenario: an empty platform,
 * then its namespaces (with their labels) and NetworkPolicies in one bulk
 * apply. Every query is then asked twice: as a TrafficReview of its own, and
 * as a cell of one ReachabilityReview per (port, protocol) over the
 * scenario's pods and outside addresses. A query passes when both answers
 * give its `allowed`, `ingressAllowed` and `egressAllowed`; for a pod
 * talking to itself the review's `samePod` must also hold the recorded
 * plain policy evaluation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reply, Suite, SuiteResult, WardenClient } from './client.ts';

interface PodCase { namespace: string; name: string; labels?: Record<string, string>; ip?: string; ports?: unknown[] }
type Ref = { namespace: string; pod: string } | { ip: string };
interface Query {
  from: Ref;
  to: Ref;
  port: number | string;
  protocol: string;
  allowed: boolean;
  ingressAllowed: boolean;
  egressAllowed: boolean;
  policyEvaluation?: { ingressAllowed: boolean; egressAllowed: boolean };
}
interface Scenario {
  name: string;
  namespaces: { name: string; labels?: Record<string, string> }[];
  pods: PodCase[];
  policies: unknown[];
  queries: Query[];
}

const group = '/apis/networking.warden.dev/v1';
const inFlight = 8;

const keyOf = (r: Ref): string => ('ip' in r ? `ip:${r.ip}` : `pod:${r.namespace}/${r.pod}`);
const show = (r: Ref): string => ('ip' in r ? r.ip : `${r.namespace}/${r.pod}`);

/** The Ref a `pod:ns/name` key stands for. */
function keyRef(k: string): Ref {
  const [namespace, pod] = k.slice(4).split('/');
  return { namespace, pod };
}

function endpointOf(r: Ref, pods: Map<string, PodCase>): unknown {
  if ('ip' in r) return { ip: r.ip };
  const p = pods.get(keyOf(r));
  if (!p) throw new Error(`query names pod ${show(r)}, which the scenario does not list`);
  return { namespace: p.namespace, name: p.name, labels: p.labels ?? {}, ip: p.ip, ports: p.ports ?? [] };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function disagreement(label: string, got: [boolean, boolean, boolean], q: Query): string | undefined {
  const want = [q.allowed, q.ingressAllowed, q.egressAllowed];
  if (got.every((v, i) => v === want[i])) return undefined;
  return `${label}: (allowed, ingress, egress) = (${got.join(', ')}), expected (${want.join(', ')})`;
}

function failureOf(reply: Reply): string {
  return `HTTP ${reply.status}: ${reply.body?.message ?? JSON.stringify(reply.body)}`;
}

async function runScenario(client: WardenClient, s: Scenario, failures: string[]): Promise<number> {
  const prefix = (q: Query) => `${s.name}: ${show(q.from)} -> ${show(q.to)} ${q.protocol}/${q.port}`;
  try {
    await client.reset();
    await client.apply([
      ...s.namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: n.labels ?? {} } })),
      ...s.policies,
    ]);
  } catch (err) {
    failures.push(`${s.name}: setup failed: ${(err as Error).message}`);
    return 0;
  }
  const pods = new Map(s.pods.map((p) => [`pod:${p.namespace}/${p.name}`, p]));
  const problems = new Map<Query, string[]>();
  const note = (q: Query, why: string) => problems.set(q, [...(problems.get(q) ?? []), why]);

  // One matrix per (port, protocol): every pod, plus the outside addresses its queries use.
  const groups = new Map<string, Query[]>();
  for (const q of s.queries) {
    const k = `${typeof q.port}:${q.port}/${q.protocol}`;
    groups.set(k, [...(groups.get(k) ?? []), q]);
  }
  for (const qs of groups.values()) {
    const outside = [...new Set(qs.flatMap((q) => [q.from, q.to]).filter((r) => 'ip' in r).map(keyOf))];
    const keys = [...pods.keys(), ...outside];
    const at = new Map(keys.map((k, i) => [k, i]));
    const endpoints = keys.map((k) => (k.startsWith('ip:') ? { ip: k.slice(3) } : endpointOf(keyRef(k), pods)));
    const reply = await client.post(`${group}/reachabilityreviews`, {
      apiVersion: 'networking.warden.dev/v1', kind: 'ReachabilityReview',
      spec: { endpoints, port: qs[0].port, protocol: qs[0].protocol },
    });
    for (const q of qs) {
      if (reply.status !== 201) {
        note(q, `matrix: ${failureOf(reply)}`);
        continue;
      }
      const i = at.get(keyOf(q.from))!;
      const j = at.get(keyOf(q.to))!;
      const st = reply.body.status;
      const why = disagreement('matrix', [st.allowed[i][j], st.ingress[i][j], st.egress[i][j]], q);
      if (why) note(q, why);
    }
  }

  await eachLimited(s.queries, inFlight, async (q) => {
    const reply = await client.post(`${group}/trafficreviews`, {
      apiVersion: 'networking.warden.dev/v1', kind: 'TrafficReview',
      spec: { source: endpointOf(q.from, pods), destination: endpointOf(q.to, pods), port: q.port, protocol: q.protocol },
    });
    if (reply.status !== 201) {
      note(q, `review: ${failureOf(reply)}`);
      return;
    }
    const st = reply.body.status;
    const why = disagreement('review', [st.allowed, st.ingress.allowed, st.egress.allowed], q);
    if (why) note(q, why);
    if (q.policyEvaluation) {
      const plain = st.samePod;
      if (!plain || plain.ingressAllowed !== q.policyEvaluation.ingressAllowed || plain.egressAllowed !== q.policyEvaluation.egressAllowed) {
        note(q, `review: samePod ${JSON.stringify(plain)}, expected ${JSON.stringify(q.policyEvaluation)}`);
      }
    }
  });

  for (const [q, why] of problems) failures.push(`${prefix(q)}: ${why.join('; ')}`);
  return s.queries.length - problems.size;
}

export const netpolSuite: Suite = {
  file: 'netpol/cases.json',
  async run(client: WardenClient, corpusDir: string): Promise<SuiteResult[]> {
    const scenarios = JSON.parse(readFileSync(path.join(corpusDir, 'netpol/cases.json'), 'utf8')) as Scenario[];
    const result: SuiteResult = {
      file: 'netpol/cases.json',
      unit: 'queries (each as a TrafficReview and as a ReachabilityReview cell)',
      total: 0,
      passed: 0,
      failures: [],
    };
    for (const s of scenarios) {
      result.total += s.queries.length;
      result.passed += await runScenario(client, s, result.failures);
    }
    return [result];
  },
};
