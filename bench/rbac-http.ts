/**
 * RBAC over HTTP on a real Warden, at platform scale (bench/platform.ts
 * defaults plus the bootstrap ClusterRoles), stored in PostgreSQL. Prints:
 *
 * - import time of the platform into a fresh database;
 * - the server's start, snapshot rebuild (full load + engine build, timed
 *   once inside the server process) and RSS after load;
 * - SubjectAccessReview throughput and latency (admin token, varied
 *   subjects and attributes, every request a question never asked before,
 *   the object's name unique per request) beside a bare express 5 endpoint
 *   answering a constant copy of a real SAR response, same load generator,
 *   requests and concurrency, and their ratio; then 20,000 reviews cycled
 *   and 500 asked over and over; each Warden figure with the share of
 *   decisions its memo answered (from /metrics);
 * - namespaced who-can (ResourceAccessReview) latency, one request at a time,
 *   for whole answers and for first pages of 100 subjects;
 * - RoleBinding creates by concurrent clients, one request at a time each,
 *   sampled for read-your-write: right after a create returns, a SAR for the
 *   new binding's subject on the same server must be allowed;
 * - the server's RSS and heap at the end, and its peak RSS.
 *
 * Servers and load generators each run in a child process. The database is
 * created on the server named by WARDEN_BENCH_DATABASE_URL and dropped at the
 * end; without a reachable server the part prints a "skipped" line.
 * Figures also go to a parent process over IPC (see bench/run.ts).
 *
 * Run: node --import tsx bench/rbac-http.ts [--duration ms] [--warmup ms]
 *   [--concurrency n] [--writers n] [--who-can-duration ms] [--check-every n]
 *   [--loader sql|store] [--phases sar,who-can,writes] [--profile dir]   (CPU profile of the Warden process)
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import pg from 'pg';
import pino from 'pino';
import { installBootstrapPolicy } from '../api/bootstrap.ts';
import { loadConfig } from '../api/config.ts';
import { loadPolicies } from '../api/policies.ts';
import { stampNew } from '../api/resources/commit.ts';
import { kindOf } from '../api/resources/registry.ts';
import { startWarden } from '../api/server.ts';
import type { KubeObject } from '../engine/meta.ts';
import type { Attributes, ClusterRole } from '../engine/rbac/types.ts';
import { buildSnapshot } from '../engine/snapshot.ts';
import { openDatabase } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/schema-engine.ts';
import { loadFull } from '../prisma/snapshot-loader.ts';
import { kindTables, toObject, toRow, type StoredKind } from '../prisma/store/kinds.ts';
import { writeBatch } from '../prisma/store/write.ts';
import { ServerChild, answerStats, cpuPerRequest, latencyOf, measure, type Measured } from './load.ts';
import { generatePlatform, generateRequests, resourceVocabulary, seededRandom, type Platform } from './platform.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const num = (name: string, fallback: number): number => Number(arg(name, String(fallback)));

const serverUrl = process.env.WARDEN_BENCH_DATABASE_URL || 'postgres://warden:warden@127.0.0.1:5432/postgres';
const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
const self = fileURLToPath(import.meta.url);
const sarPath = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const whoCanPath = '/apis/authorization.warden.dev/v1/resourceaccessreviews';

/** A figure for bench/run.ts's summary; printed lines stay the human record. */
function figure(name: string, value: number, unit: string, target?: { op: '<=' | '>='; value: number }): void {
  process.send?.({ type: 'figure', name, value, unit, ...(target ? { target } : {}) });
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const ms = (x: number): string => x.toFixed(x < 10 ? 2 : 1);
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

// ---- servers -------------------------------------------------------------------------------

async function serveWarden(): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: process.env.BENCH_WARDEN_DATABASE_URL, WARDEN_ADMIN_TOKEN: process.env.BENCH_WARDEN_ADMIN_TOKEN,
    HOST: '127.0.0.1', PORT: '0', WARDEN_TLS_PORT: 'off', WARDEN_DATA_DIR: 'memory://', WARDEN_LOG_LEVEL: 'warn',
  });
  const t0 = performance.now();
  const warden = await startWarden(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
  const startMs = performance.now() - t0;
  const rssAfterStart = process.memoryUsage().rss;
  // One-off rebuild, as a replica does when it cannot replay changes: a full load and an engine build.
  const casbinModel = (await loadPolicies()).casbinModel;
  const l0 = performance.now();
  const input = await loadFull(warden.deps.db.prisma);
  const b0 = performance.now();
  const { revision } = buildSnapshot(input, { casbinModel });
  const [loadMs, buildMs, objects] = [b0 - l0, performance.now() - b0, input.objects.length];
  const rssDuringRebuild = process.memoryUsage().rss;
  globalThis.gc?.();
  answerStats(() => ({ decisions: warden.deps.decisions?.stats() as unknown as Record<string, unknown> }));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void warden.close().finally(() => process.exit(0));
  });
  process.send!({ type: 'ready', url: warden.url, startMs, loadMs, buildMs, objects, revision, rssAfterStart, rssDuringRebuild });
}

async function serveBare(): Promise<void> {
  const answer: unknown = JSON.parse(process.env.BENCH_BARE_ANSWER ?? '{}');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post(sarPath, express.json(), (_req, res) => void res.status(201).json(answer));
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  answerStats();
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}` });
}

// ---- import ------------------------------------------------------------------------------

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Bulk rows for the bench only: one transaction per batch bumps the revision
 * and inserts the rows the store's own mapping (`toRow`) gives, plus their
 * change rows, as writeBatch would, in two statements instead of one per
 * object. Tables and columns are the snake_case of the Prisma names; a
 * mismatch fails loudly (then use --loader store).
 */
async function insertRows(client: pg.PoolClient, objects: KubeObject[]): Promise<number> {
  const table = kindTables[objects[0].kind as StoredKind];
  const name = snake(table.delegate);
  const json = (rows: Record<string, unknown>[]) => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  const insert = async (into: string, rows: Record<string, unknown>[]) => {
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].map(snake).join(', ');
    const data = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v])));
    await client.query(`INSERT INTO ${into} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${into}, $1::json)`, [json(data)]);
  };
  await client.query('BEGIN');
  try {
    const bumped = await client.query<{ value: string }>('UPDATE policy_revision SET value = value + 1 WHERE id = 1 RETURNING value');
    const rv = BigInt(bumped.rows[0].value);
    const rows = objects.map((o) => toRow(table, o, rv));
    await insert(name, rows);
    await insert('change', rows.map((row) => {
      const o = toObject(table, row);
      return { revision: rv, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, uid: o.metadata.uid, operation: 'create', actor: 'bench', after: o };
    }));
    await client.query('COMMIT');
    return Number(rv);
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/** Migrates the empty database, installs the bootstrap objects, and stores the platform as the API would have stored it. */
async function importPlatform(url: string, platform: Platform, bootstrap: KubeObject[], loader: 'sql' | 'store') {
  const db = openDatabase({ url, dataDir: 'memory://', poolSize: 2 });
  const client = await db.pool!.connect();
  try {
    await applyMigrations(db.adapterFactory);
    await installBootstrapPolicy(db, bootstrap, pino({ level: 'silent' }));
    const installed = new Set(bootstrap.map((b) => `${b.kind}/${b.metadata.name}`));
    const t0 = performance.now();
    const now = new Date();
    const p = platform.objects;
    const lists = [
      platform.namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      p.clusterRoles.filter((r) => !installed.has(`ClusterRole/${r.metadata.name}`)), p.roles, p.roleBindings, p.clusterRoleBindings,
    ].map((list) => (list as unknown as KubeObject[]).map((o) => stampNew(kindOf(o.apiVersion, o.kind)!, o, now)));
    let revision = 0;
    let objects = 0;
    for (const list of lists) {
      for (let i = 0; i < list.length; i += 2000) {
        const batch = list.slice(i, i + 2000);
        revision = loader === 'sql' ? await insertRows(client, batch) : (await writeBatch(db.prisma, batch.map((object) => ({ op: 'create', object })), 'bench')).revision;
        objects += batch.length;
      }
    }
    return { objects, ms: performance.now() - t0, revision };
  } finally {
    client.release();
    await db.close();
  }
}

// ---- request bodies --------------------------------------------------------------------------

const nonEmpty = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));

function sarBody(a: Attributes): string {
  const attributes = a.isResourceRequest
    ? { resourceAttributes: nonEmpty({ namespace: a.namespace, verb: a.verb, group: a.apiGroup, version: 'v1', resource: a.resource, subresource: a.subresource, name: a.name }) }
    : { nonResourceAttributes: { path: a.path, verb: a.verb } };
  const spec = { user: a.user.name, ...(a.user.groups?.length ? { groups: a.user.groups } : {}), ...attributes };
  return JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
}

function whoCanBodies(namespaces: readonly string[], count: number): string[] {
  const rand = seededRandom(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const groups = Object.keys(resourceVocabulary);
  const verbs = ['get', 'list', 'watch', 'create', 'update', 'delete'];
  return Array.from({ length: count }, () => {
    const group = pick(groups);
    const [resource, subresource = ''] = pick(resourceVocabulary[group]).split('/');
    const ra = nonEmpty({ namespace: pick(namespaces), verb: pick(verbs), group, resource, subresource });
    return JSON.stringify({ apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview', spec: { resourceAttributes: ra } });
  });
}

// ---- measurement -----------------------------------------------------------------------------

function describe(label: string, m: Measured): void {
  const r = m.result;
  const statuses = Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(', ');
  console.log(`${label}: ${Math.round(r.rps)} req/s over ${r.seconds} s; latency p50 ${ms(r.latency.p50)} ms, p90 ${ms(r.latency.p90)} ms, ` +
    `p99 ${ms(r.latency.p99)} ms, max ${ms(r.latency.max)} ms; statuses {${statuses}}; CPU server ${(m.serverCpu * 100).toFixed(0)}% of a core ` +
    `(${ms(cpuPerRequest(m))} ms per request), load generator ${(r.clientCpu * 100).toFixed(0)}%`);
}

async function post(url: string, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

interface Options { duration: number; warmup: number; concurrency: number; writers: number; whoCanDuration: number; checkEvery: number }
const headers = { authorization: `Bearer ${adminToken}` };
const sarRequests = (bodies: string[]) => bodies.map((body) => ({ method: 'POST', path: sarPath, body }));
const rbacGroup = 'rbac.authorization.k8s.io';

/** The decision memo's hits and misses so far, as the server's /metrics reports them. */
async function memoLookups(url: string): Promise<{ hits: number; misses: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers })).text();
  const count = (outcome: string) => Number(new RegExp(`warden_decision_memo_lookups\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hits: count('hit'), misses: count('miss') };
}

/** A measured run and the share of its decisions the memo answered. */
async function measureWithMemo(warden: ServerChild, spec: Parameters<typeof measure>[1]): Promise<{ run: Measured; hitRate: number }> {
  const before = await memoLookups(warden.ready.url);
  const run = await measure(warden, spec);
  const after = await memoLookups(warden.ready.url);
  const hits = after.hits - before.hits;
  const lookups = hits + after.misses - before.misses;
  return { run, hitRate: lookups ? hits / lookups : 0 };
}

/**
 * SubjectAccessReviews as a template whose every request is a question not
 * asked before: the attributes of 20,000 generated requests, with the
 * object's name made unique per request (`q-<seq>`), so the decision memo
 * never answers (the hit rate printed beside the figure shows it).
 */
function distinctSarTemplate(requests: readonly Attributes[]) {
  const resource = requests.filter((a) => a.isResourceRequest);
  const col = (f: (a: Attributes) => unknown) => resource.map((a) => JSON.stringify(f(a)));
  const body = '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":{{user}},"groups":{{groups}},' +
    '"resourceAttributes":{"namespace":{{ns}},"verb":{{verb}},"group":{{group}},"version":"v1","resource":{{resource}},"subresource":{{sub}},"name":"q-{{seq}}"}}}';
  return {
    request: { method: 'POST', path: sarPath, body },
    vars: {
      user: col((a) => a.user.name), groups: col((a) => a.user.groups ?? []), ns: col((a) => a.namespace), verb: col((a) => a.verb),
      group: col((a) => a.apiGroup), resource: col((a) => a.resource), sub: col((a) => a.subresource),
    },
  };
}

/** SAR throughput beside a bare endpoint answering a copy of a real SAR response. */
async function sarPhase(warden: ServerChild, platform: Platform, opt: Options): Promise<void> {
  const requests = generateRequests(platform, 20_000, 3).filter((a) => !a.user.groups?.includes('system:masters'));
  const bodies = requests.map(sarBody);
  const sample = await post(warden.ready.url, sarPath, bodies[0]);
  if (sample.status !== 201) throw new Error(`a SubjectAccessReview answered ${sample.status}: ${JSON.stringify(sample.json)}`);
  const base = { concurrency: opt.concurrency, durationMs: opt.duration, warmupMs: opt.warmup, headers };
  const template = distinctSarTemplate(requests);
  const bare = await ServerChild.start(self, ['--serve-bare'], { BENCH_BARE_ANSWER: JSON.stringify(sample.json) });
  const bareRun = await measure(bare, { ...base, url: bare.ready.url, template }).finally(() => bare.stop());
  const { run: sarRun, hitRate: firstHits } = await measureWithMemo(warden, { ...base, url: warden.ready.url, template });
  const { run: cycled, hitRate: cycledHits } = await measureWithMemo(warden, { ...base, url: warden.ready.url, requests: sarRequests(bodies) });
  const { run: repeated, hitRate: repeatedHits } = await measureWithMemo(warden, { ...base, url: warden.ready.url, requests: sarRequests(bodies.slice(0, 500)) });
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`SubjectAccessReview, ${opt.concurrency} in flight, keep-alive:`);
  describe('  bare express 5 endpoint (JSON body parsed, constant answer)', bareRun);
  describe(`  Warden, every review a question not asked before (memo hit rate ${pct(firstHits)})`, sarRun);
  describe(`  Warden, ${bodies.length} reviews cycled (memo hit rate ${pct(cycledHits)})`, cycled);
  describe(`  Warden, 500 reviews asked again and again (memo hit rate ${pct(repeatedHits)})`, repeated);
  const ratio = sarRun.result.rps / bareRun.result.rps;
  const costRatio = cpuPerRequest(bareRun) / cpuPerRequest(sarRun);
  console.log(`  Warden (questions not asked before) / bare: ${(ratio * 100).toFixed(1)}% of the bare endpoint's requests per second; ` +
    `by server CPU per request ${(costRatio * 100).toFixed(1)}% (what the ratio tends to when each server saturates a core of its own)`);
  figure('bare express endpoint throughput', Math.round(bareRun.result.rps), 'req/s');
  figure('SAR over HTTP throughput, first asks', Math.round(sarRun.result.rps), 'req/s');
  figure('SAR first asks: decision memo hit rate', Math.round(firstHits * 1000) / 10, '%');
  figure('SAR throughput / bare endpoint, first asks', Math.round(ratio * 1000) / 10, '%', { op: '>=', value: 70 });
  figure('SAR / bare by server CPU per request, first asks', Math.round(costRatio * 1000) / 10, '%');
  figure('SAR / bare, 20,000 reviews cycled', Math.round((cycled.result.rps / bareRun.result.rps) * 1000) / 10, '%');
  figure('SAR 20,000 reviews cycled: decision memo hit rate', Math.round(cycledHits * 1000) / 10, '%');
  figure('SAR / bare, repeated reviews (memoized)', Math.round((repeated.result.rps / bareRun.result.rps) * 1000) / 10, '%');
  figure('SAR over HTTP latency p50, first asks', Number(ms(sarRun.result.latency.p50)), 'ms');
  figure('SAR over HTTP latency p99, first asks', Number(ms(sarRun.result.latency.p99)), 'ms');
}

/** Namespaced who-can, one request at a time: whole answers, then first pages of 100 subjects. */
async function whoCanPhase(warden: ServerChild, platform: Platform, opt: Options): Promise<void> {
  const bodies = whoCanBodies(platform.namespaces, 5000);
  const run = (path: string, durationMs: number) => measure(warden, {
    url: warden.ready.url, headers, concurrency: 1, durationMs, warmupMs: 1000, requests: bodies.map((body) => ({ method: 'POST', path, body })),
  });
  const whole = await run(whoCanPath, opt.whoCanDuration);
  const paged = await run(`${whoCanPath}?limit=100`, opt.whoCanDuration / 2);
  const sizes = [];
  for (const body of bodies.slice(0, 200)) {
    const answer = await post(warden.ready.url, whoCanPath, body);
    sizes.push(((answer.json.status as { subjects?: unknown[] } | undefined)?.subjects ?? []).length);
  }
  const size = latencyOf(sizes);
  describe(`namespaced ResourceAccessReview (who can), one at a time, whole answers (subjects per answer: p50 ${size.p50}, p99 ${size.p99}, max ${size.max})`, whole);
  describe('  the same, first page of 100 subjects (?limit=100)', paged);
  figure('who-can latency p50', Number(ms(whole.result.latency.p50)), 'ms');
  figure('who-can latency p99', Number(ms(whole.result.latency.p99)), 'ms', { op: '<=', value: 20 });
  figure('who-can latency p99, first page of 100', Number(ms(paged.result.latency.p99)), 'ms');
}

/** RoleBinding creates by concurrent clients, sampled for read-your-write on the same server. */
async function writePhase(warden: ServerChild, platform: Platform, opt: Options): Promise<void> {
  const sar = (user: string, namespace: string) => JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: { namespace, verb: 'get', resource: 'pods' } },
  });
  const control = await post(warden.ready.url, sarPath, sar('bench-writer-never', platform.namespaces[0]));
  if ((control.json.status as { allowed?: boolean }).allowed !== false) throw new Error('a subject without bindings was allowed: the visibility check would prove nothing');
  const binding = JSON.stringify({
    apiVersion: `${rbacGroup}/v1`, kind: 'RoleBinding', metadata: { name: 'bench-write-{{seq}}' },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', apiGroup: rbacGroup, name: 'bench-writer-{{seq}}' }],
  });
  const run = await measure(warden, {
    url: warden.ready.url, headers, concurrency: opt.writers, durationMs: opt.duration, warmupMs: 1000,
    template: {
      request: { method: 'POST', path: `/apis/${rbacGroup}/v1/namespaces/{{ns}}/rolebindings`, body: binding },
      vars: { ns: platform.namespaces },
      check: { every: opt.checkEvery, expectStatus: 201, expectBody: '"allowed":true', request: { method: 'POST', path: sarPath, body: sar('bench-writer-{{seq}}', '{{ns}}') } },
    },
  });
  const perSecond = Math.round((run.result.statuses['201'] ?? 0) / run.result.seconds);
  const c = run.result.checks!;
  describe(`RoleBinding creates, ${opt.writers} clients one request at a time each`, run);
  console.log(`  ${perSecond} created/s; read-your-write sampled every ${opt.checkEvery}th create: ${c.sent - c.failed}/${c.sent} allowed ` +
    `right after the create returned (SAR p50 ${ms(c.latency.p50)} ms, p99 ${ms(c.latency.p99)} ms)${c.firstFailure ? `; first failure: ${c.firstFailure}` : ''}`);
  figure('RoleBinding writes on Postgres', perSecond, 'writes/s', { op: '>=', value: 500 });
  figure('writes visible to the next decision (sampled)', c.sent ? Math.round(((c.sent - c.failed) / c.sent) * 1000) / 10 : 0, '%', { op: '>=', value: 100 });
}

async function main(): Promise<void> {
  const opt: Options = {
    duration: num('duration', 10_000), warmup: num('warmup', 2_000), concurrency: num('concurrency', 32), writers: num('writers', 16),
    whoCanDuration: num('who-can-duration', 8_000), checkEvery: num('check-every', 10),
  };
  const loader = arg('loader', 'sql') as 'sql' | 'store';
  const profileDir = arg('profile', '');
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    console.log(`skipped: no PostgreSQL at ${redacted(serverUrl)} (${err instanceof Error ? err.message : String(err)})`);
    process.send?.({ type: 'skipped', reason: `no PostgreSQL at ${redacted(serverUrl)}` });
    return;
  }
  const dbName = `warden_bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  let warden: ServerChild | undefined;
  try {
    const policies = await loadPolicies();
    const platform = generatePlatform({ extraClusterRoles: policies.bootstrap.filter((b) => b.kind === 'ClusterRole') as unknown as ClusterRole[] });
    const o = platform.objects;
    console.log(`platform: ${platform.namespaces.length} namespaces, ${o.roles.length} Roles + ${o.clusterRoles.length} ClusterRoles, ` +
      `${o.roleBindings.length} RoleBindings + ${o.clusterRoleBindings.length} ClusterRoleBindings; database ${dbName} on ${redacted(serverUrl)}`);
    const imported = await importPlatform(dbUrl.toString(), platform, policies.bootstrap, loader);
    console.log(`import (${loader === 'sql' ? 'bulk SQL rows from the store\'s row mapping' : 'writeBatch'}): ${imported.objects} objects in ` +
      `${(imported.ms / 1000).toFixed(1)} s (${Math.round(imported.objects / (imported.ms / 1000))} objects/s), revision ${imported.revision}`);

    warden = await ServerChild.start(self, ['--serve-warden'], { BENCH_WARDEN_DATABASE_URL: dbUrl.toString(), BENCH_WARDEN_ADMIN_TOKEN: adminToken },
      // The heap limit `npm start` and the image run with: V8 otherwise lets a heap grow far past what is live.
      ['--expose-gc', '--max-old-space-size=768', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])]);
    const w = warden.ready as unknown as { startMs: number; loadMs: number; buildMs: number; objects: number; revision: number; rssAfterStart: number; rssDuringRebuild: number };
    const rebuildMs = w.loadMs + w.buildMs;
    console.log(`warden: ready in ${(w.startMs / 1000).toFixed(1)} s; snapshot rebuild ${Math.round(rebuildMs)} ms (full load of ${w.objects} objects ` +
      `${Math.round(w.loadMs)} ms + engine build ${Math.round(w.buildMs)} ms) at revision ${w.revision}; ` +
      `RSS after load ${mib(w.rssAfterStart)} MiB (${mib(w.rssDuringRebuild)} MiB while a second snapshot was built aside)`);
    figure('snapshot rebuild (full load + build)', Math.round(rebuildMs), 'ms', { op: '<=', value: 3000 });
    figure('snapshot full load from the database', Math.round(w.loadMs), 'ms');
    figure('snapshot engine build', Math.round(w.buildMs), 'ms');
    figure('Warden RSS after load', mib(w.rssAfterStart), 'MiB', { op: '<=', value: 1024 });

    const phases = arg('phases', 'sar,who-can,writes').split(',');
    if (phases.includes('sar')) await sarPhase(warden, platform, opt);
    if (phases.includes('who-can')) await whoCanPhase(warden, platform, opt);
    if (phases.includes('writes')) await writePhase(warden, platform, opt);

    const end = await warden.stats();
    const collected = await warden.stats(true);
    console.log(`warden at the end: RSS ${mib(end.rss)} MiB, heap used ${mib(end.heapUsed)} MiB; after a full GC: RSS ${mib(collected.rss)} MiB, ` +
      `heap used ${mib(collected.heapUsed)} MiB; peak RSS ${mib(end.maxRss)} MiB` + (end.decisions ? `; decision log ${JSON.stringify(end.decisions)}` : ''));
    figure('Warden peak RSS over the run', mib(end.maxRss), 'MiB', { op: '<=', value: 1024 });
    figure('Warden heap used at the end, after a full GC', mib(collected.heapUsed), 'MiB');
  } finally {
    await warden?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

if (process.argv.includes('--serve-warden')) await serveWarden();
else if (process.argv.includes('--serve-bare')) await serveBare();
else await main();
