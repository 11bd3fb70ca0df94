/**
 * Watch over real HTTP streams on real Wardens, each in a child process of
 * its own (so memory and CPU figures are the server's). Prints, in the
 * order it measures them:
 *
 * - 1,000 idle watches (informer-style: from the current resourceVersion,
 *   with bookmarks) on one Warden, measured first: RSS and heap growth
 *   after they open and after 10 s idle, and the server's CPU time over
 *   10 s idle with and without them;
 * - commit-to-event delay: 500 role writes (creates, updates, deletes) from
 *   4 concurrent clients, spread evenly over two replicas on one PostgreSQL,
 *   each timed from the write's response to its event's arrival at a
 *   cluster-wide watcher on the other replica and on the same one; p50, p95
 *   and max, and whether each watcher got every event exactly once. Without
 *   a PostgreSQL server (WARDEN_BENCH_DATABASE_URL, default
 *   postgres://warden:warden@127.0.0.1:5432/postgres) the Warden runs on
 *   in-memory PGlite, one replica only (PGlite serves one process), and
 *   only the same-replica delay is measured;
 * - fan-out: 100 cluster-wide watchers while 8 clients create and delete
 *   roles for 10 s; events delivered per second across all watchers, and
 *   how far behind the writes the last event arrived.
 *
 * Figures also go to a parent process over IPC (see bench/run.ts). The
 * database is created for the run and dropped at the end.
 *
 * Run: node --import tsx bench/watch.ts [--writes n] [--idle n] [--fanout n] [--seconds s]
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../api/config.ts';
import { startWarden } from '../api/server.ts';
import { ServerChild, answerStats, latencyOf, type ServerStats } from './load.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
};

const serverUrl = process.env.WARDEN_BENCH_DATABASE_URL || 'postgres://warden:warden@127.0.0.1:5432/postgres';
const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
const self = fileURLToPath(import.meta.url);
const rbac = '/apis/rbac.authorization.k8s.io/v1';
const namespaces = ['bench-a', 'bench-b', 'bench-c', 'bench-d'];

function figure(name: string, value: number, unit: string, target?: { op: '<=' | '>='; value: number }): void {
  process.send?.({ type: 'figure', name, value, unit, ...(target ? { target } : {}) });
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const ms = (x: number): string => x.toFixed(x < 10 ? 2 : 1);
const mib = (bytes: number): string => `${bytes < 0 ? '-' : '+'}${(Math.abs(bytes) / 2 ** 20).toFixed(1)}`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// ---- the server ------------------------------------------------------------------------------

async function serveWarden(): Promise<void> {
  const url = process.env.BENCH_WARDEN_DATABASE_URL;
  const config = loadConfig({
    ...(url ? { DATABASE_URL: url } : {}), WARDEN_ADMIN_TOKEN: process.env.BENCH_WARDEN_ADMIN_TOKEN,
    HOST: '127.0.0.1', PORT: '0', WARDEN_TLS_PORT: 'off', WARDEN_DATA_DIR: 'memory://', WARDEN_LOG_LEVEL: 'warn',
    WARDEN_WATCH_MAX: '5000', WARDEN_WATCH_MAX_PER_USER: '2000',
  });
  const warden = await startWarden(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
  answerStats(() => ({ watches: warden.deps.watches.open }));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void warden.close().finally(() => process.exit(0));
  });
  process.send!({ type: 'ready', url: warden.url });
}

// ---- clients ---------------------------------------------------------------------------------

const headers = { authorization: `Bearer ${adminToken}` };

interface Answer { status: number; body: Record<string, unknown>; revision?: string; at: number }

async function call(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(url + path, {
    method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json() as Record<string, unknown>;
  return { status: res.status, body: json, revision: res.headers.get('x-warden-revision') ?? undefined, at: performance.now() };
}

async function mustCall(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const a = await call(url, method, path, body);
  if (a.status >= 300) throw new Error(`${method} ${path}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
  return a;
}

const role = (ns: string, name: string, verbs: string[], resourceVersion?: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
  metadata: { name, namespace: ns, ...(resourceVersion ? { resourceVersion } : {}) },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** An open watch stream: lines handed to `onLine` with their arrival time (unparsed when `parse` is false). */
interface Stream {
  lines: number;
  ended: boolean;
  close(): void;
}

function openStream(url: string, path: string, onLine?: (line: string, at: number) => void): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { agent, headers }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => reject(new Error(`watch ${path}: ${res.statusCode} ${text.slice(0, 300)}`)));
        return;
      }
      const s: Stream = { lines: 0, ended: false, close: () => req.destroy() };
      let rest = '';
      res.on('data', (chunk: Buffer) => {
        const at = performance.now();
        if (!onLine) {
          for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) s.lines++;
          return;
        }
        rest += chunk.toString('utf8');
        let i: number;
        while ((i = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, i);
          rest = rest.slice(i + 1);
          s.lines++;
          onLine(line, at);
        }
      });
      const end = () => { s.ended = true; };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
      resolve(s);
    });
    req.on('error', reject);
  });
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

async function collectionRevision(url: string, path: string): Promise<string> {
  return ((await mustCall(url, 'GET', path)).body.metadata as { resourceVersion: string }).resourceVersion;
}

// ---- (a) commit-to-event delay ----------------------------------------------------------------

interface Write { key: string; replica: number; at: number }

/** `count` writes from `clients` concurrent clients, alternating replicas: roles created, updated, and every other one deleted. */
async function writeMix(urls: string[], count: number, clients: number): Promise<Write[]> {
  const writes: Write[] = [];
  let turn = 0;
  let next = 0;
  let budget = count;
  const take = () => (budget > 0 ? (budget--, true) : false);
  const client = async () => {
    while (budget > 0) {
      const i = next++;
      const ns = namespaces[i % namespaces.length];
      const name = `delay-${i}`;
      const path = `${rbac}/namespaces/${ns}/roles`;
      const at = () => { const r = turn++ % urls.length; return { r, url: urls[r] }; };
      if (!take()) return;
      let t = at();
      const c = await mustCall(t.url, 'POST', path, role(ns, name, ['get']));
      writes.push({ key: `ADDED ${ns}/${name}`, replica: t.r, at: c.at });
      if (!take()) return;
      t = at();
      const u = await mustCall(t.url, 'PUT', `${path}/${name}`, role(ns, name, ['get', 'list'], (c.body.metadata as { resourceVersion: string }).resourceVersion));
      writes.push({ key: `MODIFIED ${ns}/${name}`, replica: t.r, at: u.at });
      if (i % 2 === 1 || !take()) continue;
      t = at();
      const d = await mustCall(t.url, 'DELETE', `${path}/${name}`);
      writes.push({ key: `DELETED ${ns}/${name}`, replica: t.r, at: d.at });
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return writes;
}

async function commitToEvent(urls: string[], count: number): Promise<void> {
  const rv = await collectionRevision(urls[0], `${rbac}/roles`);
  const arrivals = urls.map(() => new Map<string, number>());
  const doubled = urls.map(() => 0);
  const streams = await Promise.all(urls.map((url, r) => openStream(url, `${rbac}/roles?watch=true&resourceVersion=${rv}`, (line, at) => {
    const e = JSON.parse(line) as { type: string; object: { metadata: { namespace: string; name: string } } };
    const key = `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`;
    if (arrivals[r].has(key)) doubled[r]++;
    else arrivals[r].set(key, at);
  })));
  const t0 = performance.now();
  const writes = await writeMix(urls, count, 4);
  const writeSeconds = (performance.now() - t0) / 1000;
  await until(() => arrivals.every((a) => a.size >= writes.length), 30_000, `every watcher receiving the ${writes.length} events`).catch((err: Error) => {
    console.log(`${err.message}: received ${arrivals.map((a) => a.size).join(' and ')}`);
  });
  await sleep(500);
  for (const s of streams) s.close();
  const perReplica = urls.map((_, r) => writes.filter((w) => w.replica === r).length);
  console.log(`${writes.length} writes (${perReplica.join(' + ')} through ${urls.length === 2 ? 'replicas A + B' : 'the one replica'}, 4 clients) in ${writeSeconds.toFixed(1)} s`);
  const extra = streams.map((s, r) => s.lines - arrivals[r].size);
  const report = (label: string, name: string, pick: (w: Write) => number) => {
    const samples: number[] = [];
    let missing = 0;
    let early = 0;
    for (const w of writes) {
      const at = arrivals[pick(w)].get(w.key);
      if (at === undefined) { missing++; continue; }
      if (at < w.at) early++;
      samples.push(Math.max(0, at - w.at));
    }
    const l = latencyOf(samples);
    console.log(`commit-to-event delay, ${label}: p50 ${ms(l.p50)} ms, p95 ${ms(quantile(samples, 0.95))} ms, max ${ms(l.max)} ms over ${l.count} events` +
      `${early ? ` (${early} arrived before the write's response was read: counted as 0)` : ''}${missing ? `; ${missing} MISSING` : ''}`);
    figure(`commit-to-event delay p50, ${name}`, l.p50, 'ms');
    figure(`commit-to-event delay p95, ${name}`, quantile(samples, 0.95), 'ms', { op: '<=', value: 100 });
    figure(`commit-to-event delay max, ${name}`, l.max, 'ms', { op: '<=', value: 1000 });
  };
  if (urls.length === 2) report('watcher on the other replica', 'other replica', (w) => 1 - w.replica);
  report('watcher on the same replica', 'same replica', (w) => w.replica);
  const exact = arrivals.every((a) => writes.every((w) => a.has(w.key))) && doubled.every((d) => d === 0) && extra.every((x) => x === 0);
  console.log(`each watcher received every event exactly once: ${exact ? 'yes' : `NO (received ${arrivals.map((a) => a.size).join(', ')}; doubled ${doubled.join(', ')}; other lines ${extra.join(', ')})`}`);
}

/** The q-quantile (nearest rank) of `samples`. */
function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : 0;
}

// ---- (b) idle watches ------------------------------------------------------------------------

/** The server's memory once collected and given a moment to return freed pages. */
async function settled(server: ServerChild): Promise<ServerStats> {
  await server.stats(true);
  await sleep(1000);
  return server.stats(true);
}

async function idleWatches(server: ServerChild, count: number): Promise<void> {
  const n = count.toLocaleString('en-US');
  const url = server.ready.url;
  const idleMs = 10_000;
  const paths = [
    `${rbac}/roles`, ...namespaces.map((ns) => `${rbac}/namespaces/${ns}/roles`), ...namespaces.map((ns) => `${rbac}/namespaces/${ns}/rolebindings`),
    `${rbac}/clusterroles`, `${rbac}/clusterrolebindings`, '/api/v1/namespaces',
  ];
  const revisions = await Promise.all(paths.map((p) => collectionRevision(url, p)));
  const cpuIdle = async () => {
    const a = await server.stats();
    await sleep(idleMs);
    const b = await server.stats();
    return (b.cpuMicros - a.cpuMicros) / 1000;
  };
  // Settled first: the idle baseline, then memory with no watch open.
  const cpuWithout = await cpuIdle();
  const before = await settled(server);
  const streams: Stream[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i += 50) {
    streams.push(...await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => {
      const k = (i + j) % paths.length;
      return openStream(url, `${paths[k]}?watch=true&allowWatchBookmarks=true&resourceVersion=${revisions[k]}`);
    })));
  }
  const openMs = performance.now() - t0;
  const opened = await settled(server);
  const cpuWith = await cpuIdle();
  const after = await settled(server);
  const ended = streams.filter((s) => s.ended).length;
  const lines = streams.reduce((n, s) => n + s.lines, 0);
  console.log(`${n} idle watches opened in ${(openMs / 1000).toFixed(1)} s (server counts ${opened.watches} open)`);
  console.log(`idle watches memory: RSS ${mib(opened.rss - before.rss)} MiB (${Math.round(before.rss / 2 ** 20)} -> ${Math.round(opened.rss / 2 ** 20)} MiB), heap ${mib(opened.heapUsed - before.heapUsed)} MiB ` +
    `(${((opened.heapUsed - before.heapUsed) / count / 1024).toFixed(1)} KiB heap per watch); after ${idleMs / 1000} s idle: RSS ${mib(after.rss - before.rss)} MiB (${Math.round(after.rss / 2 ** 20)} MiB), heap ${mib(after.heapUsed - before.heapUsed)} MiB, both against no watches`);
  console.log(`idle watches CPU: ${cpuWith.toFixed(0)} ms server CPU over ${idleMs / 1000} s idle with ${n} watches, ${cpuWithout.toFixed(0)} ms without; ` +
    `${ended} stream(s) ended, ${lines} event(s) received while idle`);
  figure(`${n} idle watches: RSS growth`, (opened.rss - before.rss) / 2 ** 20, 'MiB');
  figure(`${n} idle watches: heap growth`, (opened.heapUsed - before.heapUsed) / 2 ** 20, 'MiB');
  figure(`${n} idle watches: RSS growth, after ${idleMs / 1000} s idle`, (after.rss - before.rss) / 2 ** 20, 'MiB');
  figure(`${n} idle watches: heap growth, after ${idleMs / 1000} s idle`, (after.heapUsed - before.heapUsed) / 2 ** 20, 'MiB');
  figure(`${n} idle watches: server CPU over ${idleMs / 1000} s idle`, cpuWith, 'ms');
  figure(`no watches: server CPU over ${idleMs / 1000} s idle`, cpuWithout, 'ms');
  for (const s of streams) s.close();
  await until(() => streams.every((s) => s.ended), 10_000, 'closing the idle watches');
}

// ---- (c) fan-out -----------------------------------------------------------------------------

async function fanOut(server: ServerChild, watchers: number, seconds: number): Promise<void> {
  const url = server.ready.url;
  const rv = await collectionRevision(url, `${rbac}/roles`);
  const streams = await Promise.all(Array.from({ length: watchers }, () => openStream(url, `${rbac}/roles?watch=true&resourceVersion=${rv}`)));
  const cpu0 = await server.stats();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let writes = 0;
  const client = async (c: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const ns = namespaces[i % namespaces.length];
      const name = `fan-${c}-${i}`;
      await mustCall(url, 'POST', `${rbac}/namespaces/${ns}/roles`, role(ns, name, ['get']));
      await mustCall(url, 'DELETE', `${rbac}/namespaces/${ns}/roles/${name}`);
      writes += 2;
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
  const writesDone = performance.now();
  await until(() => streams.every((s) => s.lines >= writes || s.ended), 60_000, 'every watcher receiving every event').catch((err: Error) => console.log(err.message));
  const last = performance.now();
  const cpu1 = await server.stats();
  const delivered = streams.reduce((n, s) => n + s.lines, 0);
  const ended = streams.filter((s) => s.ended).length;
  const complete = streams.filter((s) => s.lines === writes).length;
  const rate = delivered / ((last - t0) / 1000);
  console.log(`fan-out to ${watchers} watchers: ${writes} writes in ${((writesDone - t0) / 1000).toFixed(1)} s (${Math.round(writes / ((writesDone - t0) / 1000))}/s, 8 clients); ` +
    `${delivered} events delivered in ${((last - t0) / 1000).toFixed(1)} s: ${Math.round(rate)} events/s; the last arrived ${ms(last - writesDone)} ms after the last write's response; ` +
    `${complete} of ${watchers} watchers got every event${ended ? `, ${ended} ENDED by the server` : ''}; server CPU ${(((cpu1.cpuMicros - cpu0.cpuMicros) / 1e6 / ((last - t0) / 1000)) * 100).toFixed(0)}% of a core`);
  figure(`fan-out: events delivered per second to ${watchers} watchers`, rate, 'events/s');
  for (const s of streams) s.close();
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const writes = arg('writes', 500);
  const idle = arg('idle', 1000);
  const fanout = arg('fanout', 100);
  const seconds = arg('seconds', 10);
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  let dbName: string | undefined;
  let dbUrl: string | undefined;
  try {
    await admin.connect();
    dbName = `warden_bench_watch_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    console.log(`two replicas on PostgreSQL at ${redacted(dbUrl)}`);
  } catch (err) {
    console.log(`no PostgreSQL at ${redacted(serverUrl)} (${err instanceof Error ? err.message : String(err)}): one replica on in-memory PGlite; the other-replica delay is not measured`);
  }
  const env = { BENCH_WARDEN_ADMIN_TOKEN: adminToken, ...(dbUrl ? { BENCH_WARDEN_DATABASE_URL: dbUrl } : {}) };
  const servers: ServerChild[] = [];
  try {
    // The first replica migrates the new database; the second starts on it after.
    servers.push(await ServerChild.start(self, ['--serve'], env, ['--expose-gc']));
    if (dbUrl) servers.push(await ServerChild.start(self, ['--serve'], env, ['--expose-gc']));
    const urls = servers.map((s) => s.ready.url);
    for (const name of namespaces) await mustCall(urls[0], 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    // Idle watches first, while the server's memory holds nothing of earlier load.
    await idleWatches(servers[0], idle);
    await commitToEvent(urls, writes);
    if (servers.length > 1) await servers.pop()!.stop();
    await fanOut(servers[0], fanout, seconds);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    agent.destroy();
    if (dbName) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

if (process.argv.includes('--serve')) await serveWarden();
else await main();
