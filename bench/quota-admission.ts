/**
 * Admission webhook benchmark, through HTTP, on PostgreSQL.
 *
 * Starts Warden (`api/main.ts`) as its own process on a fresh database of
 * the server named by WARDEN_BENCH_DATABASE_URL (or DATABASE_URL), dropped
 * at the end; creates N namespaces, each with two quotas (compute and
 * object counts); then posts AdmissionReviews:
 *
 * - at a steady offered rate (default 500/s, open loop: requests leave on
 *   schedule whether or not earlier ones have answered), printing latency
 *   p50/p90/p99/max and the throughput achieved;
 * - at rising offered rates, printing the highest one sustained (everything
 *   answered within the run plus one second, no errors, p99 under 50 ms).
 *
 * The mix: 70% pod CREATEs (charged), 20% DELETEs of a pod admitted
 * earlier (released), 10% ConfigMap CREATEs (counted); namespaces at random.
 * Beside the steady run, the same load as dry runs (decided on committed
 * usage with one read, no transaction) shows what the charge costs over
 * HTTP, decoding and the read.
 *
 * Run: node --import tsx bench/quota-admission.ts [--namespaces N] [--rate R] [--seconds S]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seededRandom } from './platform.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const namespaceCount = arg('namespaces', 1000);
const steadyRate = arg('rate', 500);
const seconds = arg('seconds', 10);
const serverUrl = process.env.WARDEN_BENCH_DATABASE_URL || process.env.DATABASE_URL;
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
let base = '';
let token = '';

function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(`${base}${url}`, {
      method, agent,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function startServer(databaseUrl: string): Promise<ChildProcess> {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  token = `bench-${randomBytes(16).toString('hex')}`;
  // The heap limit `npm start` and the image run with.
  const child = spawn(process.execPath, ['--max-old-space-size=768', '--import', 'tsx', path.join(root, 'api', 'main.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), WARDEN_TLS_PORT: 'off', WARDEN_ADMIN_TOKEN: token, WARDEN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    const up = await new Promise<boolean>((resolve) => {
      http.get(`${base}/readyz`, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
    });
    if (up) return child;
    if (child.exitCode !== null) throw new Error(`warden exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('warden did not become ready in 60 s');
}

const nsName = (i: number) => `bench-${i}`;

async function seed(): Promise<void> {
  const batch = 250;
  for (let start = 0; start < namespaceCount; start += batch) {
    const items: unknown[] = [];
    for (let i = start; i < Math.min(namespaceCount, start + batch); i++) {
      const namespace = nsName(i);
      items.push(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
        { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace }, spec: { hard: { 'requests.cpu': '100k', 'requests.memory': '100Ti', 'limits.cpu': '200k', pods: '1M' } } },
        { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'objects', namespace }, spec: { hard: { 'count/configmaps': '1M', 'count/pods': '1M' } } },
      );
    }
    const r = await call('POST', '/apis/warden.dev/v1/apply?fieldManager=bench&force=true', { apiVersion: 'v1', kind: 'List', items });
    if (r.status !== 200) throw new Error(`seeding failed: ${r.status} ${r.body?.message}`);
  }
}

const rand = seededRandom(7);
let serial = 0;
/** While set, every review is a dry run: decided on committed usage, charging nothing. */
let dryRun = false;
const admitted: { namespace: string; pod: unknown }[] = [];

function podObject(namespace: string, name: string) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion: '1' },
    spec: {
      containers: [
        { name: 'app', image: 'example.com/app:1', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1' } } },
        { name: 'proxy', image: 'example.com/proxy:1', resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m' } } },
      ],
    },
  };
}

function nextReview(): { body: unknown; onAllowed?: () => void } {
  const uid = `bench-${++serial}`;
  const roll = rand();
  const request = (kind: string, resource: string, operation: string, namespace: string, name: string, object: unknown, oldObject: unknown) => ({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid, kind: { group: '', version: 'v1', kind }, resource: { group: '', version: 'v1', resource }, name, namespace, operation,
      userInfo: { username: 'system:serviceaccount:kube-system:deployer', groups: ['system:authenticated'] }, object, oldObject, dryRun,
    },
  });
  if (roll < 0.2 && admitted.length) {
    const victim = admitted.splice(Math.floor(rand() * admitted.length), 1)[0];
    return { body: request('Pod', 'pods', 'DELETE', victim.namespace, 'x', null, victim.pod) };
  }
  const namespace = nsName(Math.floor(rand() * namespaceCount));
  if (roll < 0.3) {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${serial}`, namespace }, data: { k: 'v' } };
    return { body: request('ConfigMap', 'configmaps', 'CREATE', namespace, `cm-${serial}`, cm, null) };
  }
  const pod = podObject(namespace, `p-${serial}`);
  const body = request('Pod', 'pods', 'CREATE', namespace, `p-${serial}`, pod, null);
  return dryRun ? { body } : { body, onAllowed: () => admitted.push({ namespace, pod }) };
}

interface RunResult {
  offered: number; sent: number; answered: number; failed: number; denied: number;
  /** Failures by HTTP status (or the network error's code). */
  failures: Map<string, number>;
  /** Sorted, in ms. */
  latencies: number[];
  /** From the first scheduled request to the last answer. */
  elapsedS: number;
}

/** Offers `rate` reviews per second for `durationS` seconds on schedule; waits up to one more second for answers. */
async function openLoop(rate: number, durationS: number): Promise<RunResult> {
  const total = Math.round(rate * durationS);
  const latencies: number[] = [];
  let answered = 0;
  let failed = 0;
  let denied = 0;
  const failures = new Map<string, number>();
  const fail = (why: string) => {
    failed++;
    failures.set(why, (failures.get(why) ?? 0) + 1);
  };
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  let lastAnswer = t0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const review = nextReview();
    // Latency counts from the scheduled time, so a late sender does not hide queueing.
    const p: Promise<void> = call('POST', '/webhooks/admission', review.body).then((r) => {
      lastAnswer = performance.now();
      latencies.push(lastAnswer - due);
      answered++;
      if (r.status !== 200) fail(`HTTP ${r.status}`);
      else if (r.body?.response?.allowed) review.onAllowed?.();
      else denied++;
    }, (err: NodeJS.ErrnoException) => fail(err.code ?? err.message)).finally(() => pending.delete(p));
    pending.add(p);
  }
  const deadline = t0 + (durationS + 1) * 1000;
  await settledWithin(Promise.all(pending), deadline - performance.now());
  const onTime = answered;
  const elapsedS = (lastAnswer - t0) / 1000;
  const result = { offered: rate, sent: total, answered: onTime, failed, denied, failures, latencies: [...latencies].sort((a, b) => a - b), elapsedS };
  // Let the backlog drain so that the next run starts on an idle server.
  await settledWithin(Promise.all(pending), 120_000);
  return result;
}

/** Waits for `p`, or `ms` at most; the timer goes once `p` settles, so it never keeps the process alive. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => { timer = setTimeout(r, Math.max(0, ms)); })]);
  clearTimeout(timer);
}

const q = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
const ms = (v: number) => `${v.toFixed(2)} ms`;

function report(label: string, r: RunResult): void {
  const l = r.latencies;
  const errors = [...r.failures].map(([why, n]) => `${n}× ${why}`).join(', ');
  console.log(`${label}: offered ${r.offered}/s, ${r.answered}/${r.sent} answered (${r.failed} errors${errors ? `: ${errors}` : ''}, ${r.denied} denied), ` +
    `throughput ${(r.answered / r.elapsedS).toFixed(0)}/s; ` +
    `latency p50 ${ms(q(l, 0.5))}, p90 ${ms(q(l, 0.9))}, p99 ${ms(q(l, 0.99))}, max ${ms(l[l.length - 1] ?? NaN)}`);
}

const sustained = (r: RunResult) => r.answered === r.sent && r.failed === 0 && q(r.latencies, 0.99) < 50;

async function main(): Promise<void> {
  if (!serverUrl) {
    console.error('quota-admission bench: set WARDEN_BENCH_DATABASE_URL (or DATABASE_URL) to a PostgreSQL server URL whose user may create databases');
    process.exit(2);
  }
  const dbName = `warden_bench_${randomBytes(5).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  let child: ChildProcess | undefined;
  try {
    child = await startServer(url.toString());
    let t = performance.now();
    await seed();
    console.log(`seeded ${namespaceCount} namespaces with 2 quotas each in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    report('warm-up (JIT, pools)', await openLoop(steadyRate, 5));
    t = performance.now();
    const steady = await openLoop(steadyRate, seconds);
    report(`steady ${seconds} s`, steady);
    console.log(`target p99 <= 10 ms at ${steadyRate}/s: ${q(steady.latencies, 0.99) <= 10 && steady.answered === steady.sent ? 'met' : 'not met'}`);
    dryRun = true;
    report(`  beside it, the same load as dry runs (one read, no charge transaction) ${seconds} s`, await openLoop(steadyRate, seconds));
    dryRun = false;
    let best = sustained(steady) ? steadyRate : 0;
    for (const rate of [750, 1000, 1250, 1500, 2000, 2500, 3000].filter((x) => x > steadyRate)) {
      const r = await openLoop(rate, 5);
      report(`  ramp ${rate}/s`, r);
      if (!sustained(r)) break;
      best = rate;
    }
    console.log(`max sustained: ${best ? `${best}/s` : `below ${steadyRate}/s`} (every request answered, no errors, p99 < 50 ms)`);
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    agent.destroy();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
