/**
 * quota/cases.json through HTTP: per case, an empty platform; the case's
 * namespaces and ResourceQuotas created through the API and their usage set
 * through `/status`; the request posted to `/webhooks/admission` as an
 * AdmissionReview; `allowed` and the denial message compared (exact, one of
 * the candidates, or containing), and for admitted requests `usedAfter`
 * compared with the quotas' stored `status.used`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Suite, SuiteResult, WardenClient } from './client.ts';

type Json = Record<string, any>;

interface QuotaCase {
  name: string;
  quotas: Json[];
  request: { operation: string; object?: Json; oldObject?: Json; subresource?: string };
  allowed: boolean;
  message?: string;
  messageContains?: string;
  messageCandidates?: string[];
  usedAfter?: Record<string, Record<string, string>>;
}

/** The resource each kind of the corpus is served as (the API server's RESTMapper, for these kinds). */
const resources: Record<string, string> = {
  Pod: 'pods', Service: 'services', PersistentVolumeClaim: 'persistentvolumeclaims', ConfigMap: 'configmaps',
  Secret: 'secrets', ReplicationController: 'replicationcontrollers', ResourceQuota: 'resourcequotas',
  Deployment: 'deployments', StatefulSet: 'statefulsets', ReplicaSet: 'replicasets', Job: 'jobs', CronJob: 'cronjobs',
};

function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The AdmissionReview a kube-apiserver would send for the case's request. */
export function reviewFor(uid: string, request: QuotaCase['request'], dryRun = false): Json {
  const obj = request.object ?? request.oldObject ?? {};
  const gv = groupVersion(String(obj.apiVersion ?? 'v1'));
  const kind = String(obj.kind ?? '');
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { ...gv, kind },
      resource: { ...gv, resource: resources[kind] ?? `${kind.toLowerCase()}s` },
      ...(request.subresource ? { subResource: request.subresource } : {}),
      name: obj.metadata?.name ?? '',
      namespace: obj.metadata?.namespace ?? '',
      operation: request.operation,
      userInfo: { username: 'conformance', groups: ['system:authenticated'] },
      object: request.object ?? null,
      oldObject: request.oldObject ?? null,
      dryRun,
    },
  };
}

async function must(client: WardenClient, method: string, url: string, body: unknown, what: string): Promise<Json> {
  const r = await client.request(method, url, body);
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body?.message ?? ''}`);
  return r.body;
}

/** Creates the case's namespaces and quotas, and sets each quota's usage through `/status`. */
async function setUp(client: WardenClient, c: QuotaCase): Promise<string[]> {
  const objNs = (c.request.object ?? c.request.oldObject)?.metadata?.namespace ?? 'default';
  const namespaces = new Set([objNs, ...c.quotas.map((q) => q.metadata?.namespace ?? objNs)]);
  for (const ns of namespaces) {
    // kube-apiserver's own namespaces (default, kube-system, ...) exist already.
    const r = await client.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    if (r.status >= 300 && r.body?.reason !== 'AlreadyExists') throw new Error(`namespace ${ns}: ${r.status} ${r.body?.message ?? ''}`);
  }
  for (const q of c.quotas) {
    const ns = q.metadata?.namespace ?? objNs;
    const base = `/api/v1/namespaces/${ns}/resourcequotas`;
    const created = await must(client, 'POST', base, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: q.metadata.name }, spec: q.spec ?? {} }, `quota ${q.metadata.name}`);
    await must(client, 'PUT', `${base}/${q.metadata.name}/status`, { ...created, status: { used: q.status?.used ?? {} } }, `status of quota ${q.metadata.name}`);
  }
  return [...namespaces];
}

function messageProblem(c: QuotaCase, message: string | undefined): string | undefined {
  if (c.message !== undefined && message !== c.message) return `message ${JSON.stringify(message)}, want ${JSON.stringify(c.message)}`;
  if (c.messageCandidates && !c.messageCandidates.includes(message ?? '')) return `message ${JSON.stringify(message)} is none of the ${c.messageCandidates.length} candidates`;
  if (c.messageContains !== undefined && !(message ?? '').includes(c.messageContains)) return `message ${JSON.stringify(message)} lacks ${JSON.stringify(c.messageContains)}`;
  return undefined;
}

async function usedProblem(client: WardenClient, c: QuotaCase): Promise<string | undefined> {
  const objNs = (c.request.object ?? c.request.oldObject)?.metadata?.namespace ?? 'default';
  for (const [name, want] of Object.entries(c.usedAfter ?? {})) {
    const q = c.quotas.find((x) => x.metadata.name === name);
    const got = (await must(client, 'GET', `/api/v1/namespaces/${q?.metadata?.namespace ?? objNs}/resourcequotas/${name}`, undefined, `quota ${name}`)).status?.used ?? {};
    if (JSON.stringify(sorted(got)) !== JSON.stringify(sorted(want))) return `quota ${name} used ${JSON.stringify(sorted(got))}, want ${JSON.stringify(sorted(want))}`;
  }
  return undefined;
}

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

async function runCase(client: WardenClient, c: QuotaCase, i: number): Promise<string | undefined> {
  const namespaces = await setUp(client, c);
  try {
    const r = await client.post('/webhooks/admission', reviewFor(`case-${i}`, c.request));
    if (r.status !== 200) return `HTTP ${r.status}: ${r.body?.message}`;
    const resp = r.body?.response ?? {};
    if (resp.uid !== `case-${i}`) return `response uid ${JSON.stringify(resp.uid)}`;
    if (resp.allowed !== c.allowed) return `allowed=${resp.allowed}, want ${c.allowed}${resp.status?.message ? ` (${resp.status.message})` : ''}`;
    if (!c.allowed) return messageProblem(c, resp.status?.message);
    return await usedProblem(client, c);
  } finally {
    for (const ns of namespaces) await client.removeNamespace(ns);
  }
}

export const quotaCasesSuite: Suite = {
  file: 'quota/cases.json',
  async run(client: WardenClient, corpusDir: string): Promise<SuiteResult[]> {
    const cases = JSON.parse(readFileSync(path.join(corpusDir, this.file), 'utf8')) as QuotaCase[];
    const failures: string[] = [];
    await client.reset();
    for (const [i, c] of cases.entries()) {
      let problem: string | undefined;
      try {
        problem = await runCase(client, c, i);
      } catch (err) {
        problem = `setup failed: ${(err as Error).message}`;
      }
      if (problem) failures.push(`${c.name}: ${problem}`);
    }
    return [{ file: this.file, unit: 'admission reviews', total: cases.length, passed: cases.length - failures.length, failures }];
  },
};
