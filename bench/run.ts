/**
 * `npm run bench`: every benchmark in bench/, one after another, each in a
 * child process of its own (so their memory and JIT state never mix); a
 * header per part, the part's own output as it runs, and a closing summary of
 * every figure against its target.
 *
 * A part reports figures by sending IPC messages when it has a parent:
 *   process.send?.({ type: 'figure', name, value, unit, target?: { op: '<=' | '>=', value } })
 *   process.send?.({ type: 'skipped', reason })
 * A part that only prints is read through the patterns of `printedFigures`;
 * a pattern that no longer matches shows as "missing" in the summary. A line
 * starting with `skipped:` marks a part skipped (e.g. no PostgreSQL).
 *
 * Parts needing PostgreSQL read WARDEN_BENCH_DATABASE_URL (default
 * postgres://warden:warden@127.0.0.1:5432/postgres).
 *
 * Run: node --import tsx bench/run.ts [--only name,name] [--timeout seconds]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { childExecArgv } from './load.ts';

interface Target { op: '<=' | '>='; value: number }
interface Figure { part: string; name: string; value?: number; unit: string; target?: Target; note?: string; shown?: string }

/** Files in bench/ that are libraries, not parts. */
const helpers = new Set(['platform.ts', 'load.ts', 'run.ts']);
/** Known parts in the order they run; any other bench file runs after them. */
const order = ['rbac-engine', 'rbac-http', 'quota-engine', 'quota-admission', 'network-engine', 'network-api', 'watch'];
const titles: Record<string, string> = {
  'rbac-engine': 'RBAC engine, in process (with the plain Casbin enforcer)',
  'rbac-http': 'RBAC over HTTP on PostgreSQL (SAR, who-can, writes, rebuild, RSS)',
  'quota-engine': 'Quota engine, in process',
  'quota-admission': 'Quota admission over HTTP on PostgreSQL',
  'network-engine': 'NetworkPolicy engine, in process (reachability matrix)',
  'network-api': 'NetworkPolicy over HTTP (traffic reviews, matrix)',
  watch: 'Watch over HTTP (commit-to-event delay across two replicas, 1,000 idle watches, fan-out)',
};

/**
 * `group` holds the number; with `max`, a comma-separated list whose largest
 * value counts; with `qualifier`, a group that, when present, turns the
 * figure into text (e.g. "below 500/s").
 */
interface Printed { pattern: RegExp; figures: { group: number; name: string; unit: string; target?: Target; max?: boolean; qualifier?: number }[] }
const le = (value: number): Target => ({ op: '<=', value });
const ge = (value: number): Target => ({ op: '>=', value });

/** Figures of parts that only print, read from their lines. */
const printedFigures: Record<string, Printed[]> = {
  'rbac-engine': [
    { pattern: /full build: ([\d.]+) ms; RSS after build (\d+) MiB/, figures: [
      { group: 1, name: 'engine full build', unit: 'ms', target: le(3000) },
      { group: 2, name: 'RSS after build', unit: 'MiB', target: le(1024) }] },
    { pattern: /first ask, engine just built:\s+p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 1, name: 'check p50, first ask, engine just built', unit: 'µs' },
      { group: 2, name: 'check p99, first ask, engine just built', unit: 'µs', target: le(100) }] },
    { pattern: /first ask, engine just built, the process's first checks \(code not yet optimized\): p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 2, name: 'check p99, first ask, engine just built, the process\'s first checks', unit: 'µs' }] },
    { pattern: /first ask, after \d+ other requests:\s+p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 2, name: 'check p99, first ask, warmed engine', unit: 'µs', target: le(100) }] },
    { pattern: /repeated \(memoized decision\):\s+p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 1, name: 'check p50, repeated', unit: 'µs' },
      { group: 2, name: 'check p99, repeated', unit: 'µs', target: le(10) }] },
    { pattern: /per check: mean ([\d.]+) ms over \d+ checks/, figures: [
      { group: 1, name: 'plain Casbin enforcer, mean per check', unit: 'ms' }] },
    { pattern: /speed-up \(mean per check\): vs first ask on a just-built engine (\d+)x/, figures: [
      { group: 1, name: 'speed-up over the plain enforcer (first ask)', unit: '×', target: ge(1000) }] },
    { pattern: /machine floor \(no engine code\): 200 random reads over 256 MiB p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 2, name: 'machine floor: p99 of 200 random reads over 256 MiB', unit: 'µs' }] },
    { pattern: /machine stalls \(no engine code\): .*? lost ([\d.]+)% of its time in (\d+) gaps\/s over 20 µs .*?about ([\d.]+)% of first asks meet a gap/, figures: [
      { group: 1, name: 'machine stalls: share of a spinning loop\'s time lost in gaps over 20 µs', unit: '%' },
      { group: 2, name: 'machine stalls: gaps over 20 µs per second', unit: '/s' },
      { group: 3, name: 'machine stalls: share of first asks a gap takes past 100 µs (estimate)', unit: '%' }] },
  ],
  'quota-engine': [
    { pattern: /checkQuotaRequest \(pod, 5 quotas \+ tenant\): \d+ requests, p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 1, name: 'quota check p50', unit: 'µs' },
      { group: 2, name: 'quota check p99', unit: 'µs' }] },
    { pattern: /checkQuotaRequest [^:]*no quantity memo\): \d+ requests, p50 ([\d.]+) µs, p99 ([\d.]+) µs/, figures: [
      { group: 1, name: 'quota check p50, no quantity memo', unit: 'µs' },
      { group: 2, name: 'quota check p99, no quantity memo', unit: 'µs' }] },
  ],
  'quota-admission': [
    { pattern: /steady \d+ s: offered (\d+)\/s, .*?throughput (\d+)\/s; latency p50 ([\d.]+) ms, p90 [\d.]+ ms, p99 ([\d.]+) ms/, figures: [
      { group: 2, name: 'admission throughput at 500/s offered', unit: 'req/s' },
      { group: 3, name: 'admission latency p50 at 500/s offered', unit: 'ms' },
      { group: 4, name: 'admission latency p99 at 500/s offered', unit: 'ms', target: le(10) }] },
    { pattern: /the same load as dry runs .*?latency p50 ([\d.]+) ms, p90 [\d.]+ ms, p99 ([\d.]+) ms/, figures: [
      { group: 1, name: 'beside it, dry runs (no charge): latency p50', unit: 'ms' },
      { group: 2, name: 'beside it, dry runs (no charge): latency p99', unit: 'ms' }] },
    { pattern: /max sustained: (below )?(\d+)\/s/, figures: [
      { group: 2, qualifier: 1, name: 'admission max sustained rate (p99 < 50 ms)', unit: 'req/s' }] },
  ],
  'network-engine': [
    { pattern: /matrix cold, first run in the process: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix 100 pods × 1,000 policies, first in the process', unit: 'ms' }] },
    { pattern: /matrix cold: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix, policies compiled afresh (median)', unit: 'ms', target: le(200) }] },
    { pattern: /matrix \d+x\d+, \d+ policies, port 8080: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix, numeric port (median)', unit: 'ms', target: le(200) }] },
    { pattern: /matrix, named port "http": median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix, named port (median)', unit: 'ms', target: le(200) }] },
  ],
  'network-api': [
    { pattern: /matrix, port 8080: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix over HTTP, numeric port (median)', unit: 'ms', target: le(200) }] },
    { pattern: /matrix, named port "http": median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix over HTTP, named port (median)', unit: 'ms', target: le(200) }] },
    { pattern: /matrix, first request of the process[^:]*: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix over HTTP, first request of the process', unit: 'ms' }] },
    { pattern: /matrix,? (?:first|right) after a policy write[^:]*: (?:median )?([\d.]+(?:, [\d.]+)*) ms/, figures: [
      { group: 1, max: true, name: 'matrix over HTTP right after a policy write (slowest)', unit: 'ms', target: le(200) }] },
    { pattern: /matrix with a what-if [^:]*: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'matrix over HTTP with a what-if (median)', unit: 'ms', target: le(200) }] },
    { pattern: /one TrafficReview: median ([\d.]+) ms/, figures: [
      { group: 1, name: 'one traffic review over HTTP (median)', unit: 'ms' }] },
  ],
};

/** Parts that need a PostgreSQL server; skipped when none answers. */
const needsPostgres = new Set(['rbac-http', 'quota-admission']);
const databaseUrl = process.env.WARDEN_BENCH_DATABASE_URL || 'postgres://warden:warden@127.0.0.1:5432/postgres';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir).filter((f) => f.endsWith('.ts') && !helpers.has(f)).map((f) => f.slice(0, -3));
const only = arg('only')?.split(',').map((s) => s.trim()).filter(Boolean);
const parts = [...order.filter((p) => available.includes(p)), ...available.filter((p) => !order.includes(p)).sort()]
  .filter((p) => !only || only.includes(p));
const timeoutMs = Number(arg('timeout') ?? 420) * 1000;

const machine = () => `${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`;
let current: ChildProcess | undefined;

/** Ends the part's whole process group (the part and whatever it started). */
function killPart(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

process.on('SIGINT', () => {
  if (current) killPart(current);
  process.exit(130);
});

interface Outcome { figures: Figure[]; skipped?: string; failed?: string; seconds: number }

function runPart(part: string): Promise<Outcome> {
  const figures: Figure[] = [];
  let skipped: string | undefined;
  let output = '';
  const started = performance.now();
  const child = fork(`${benchDir}${part}.ts`, [], {
    execArgv: childExecArgv(), env: { ...process.env, WARDEN_BENCH_DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], detached: true,
  });
  current = child;
  child.stdout!.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString('utf8');
  });
  child.on('message', (m: { type?: string; name?: string; value?: number; unit?: string; target?: Target; reason?: string }) => {
    if (m.type === 'figure' && m.name) figures.push({ part, name: m.name, value: m.value, unit: m.unit ?? '', target: m.target });
    else if (m.type === 'skipped') skipped = m.reason ?? 'skipped';
  });
  const timer = setTimeout(() => {
    console.log(`-- ${part}: still running after ${timeoutMs / 1000} s; stopped`);
    killPart(child);
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      const seconds = (performance.now() - started) / 1000;
      skipped ??= /^skipped: (.*)$/m.exec(output)?.[1];
      for (const p of printedFigures[part] ?? []) {
        const m = p.pattern.exec(output);
        for (const f of p.figures) {
          if (!m) figures.push({ part, name: f.name, unit: f.unit, target: f.target, note: 'missing' });
          else if (f.qualifier && m[f.qualifier]) figures.push({ part, name: f.name, unit: f.unit, shown: `${m[f.qualifier]}${m[f.group]} ${f.unit}` });
          else figures.push({ part, name: f.name, value: f.max ? Math.max(...m[f.group].split(',').map(Number)) : Number(m[f.group]), unit: f.unit, target: f.target });
        }
      }
      const failed = code === 0 ? undefined : `exited with ${signal ?? `code ${code}`}`;
      resolve({ figures, skipped, failed, seconds });
    });
  });
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2));

function verdict(f: Figure): string {
  if (f.note) return f.note;
  if (!f.target || f.value === undefined) return '';
  const ok = f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
  return ok ? 'met' : 'NOT MET';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Undefined when the server answers, else why not. */
async function postgresMissing(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (err) {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    return `no PostgreSQL at ${u} (${err instanceof Error ? err.message : String(err)})`;
  }
}

console.log(`Warden benchmarks: ${parts.length} parts (${parts.join(', ')}); node ${process.version}, ${machine()}`);
if (loadavg()[0] > cpus().length) console.log('note: the machine is busy with other work; figures will be noisy');
const all: Figure[] = [];
const notes: string[] = [];
let failures = 0;
for (const [i, part] of parts.entries()) {
  console.log(`\n== [${i + 1}/${parts.length}] ${titles[part] ?? part} (bench/${part}.ts) ==`);
  const missing = needsPostgres.has(part) ? await postgresMissing() : undefined;
  if (missing) console.log(`skipped: ${missing}`);
  const expected = (printedFigures[part] ?? []).flatMap((p) => p.figures.map((f): Figure => ({ part, name: f.name, unit: f.unit, target: f.target, note: 'skipped' })));
  const out: Outcome = missing ? { figures: expected, skipped: missing, seconds: 0 } : await runPart(part);
  console.log(`-- ${part}: ${out.failed ?? (out.skipped ? `skipped: ${out.skipped}` : 'done')} in ${out.seconds.toFixed(1)} s`);
  if (out.failed) {
    failures++;
    notes.push(`${part}: ${out.failed}`);
  }
  if (out.skipped) notes.push(`${part}: skipped: ${out.skipped}`);
  else if (!out.figures.length && !out.failed) notes.push(`${part}: reported no figures`);
  all.push(...out.figures.map((f) => (out.skipped && f.value === undefined ? { ...f, note: 'skipped' } : f)));
}

const rows = [['part', 'figure', 'value', 'target', 'verdict'], ...all.map((f) => [
  f.part, f.name, f.shown ?? (f.value === undefined ? '—' : `${fmt(f.value)} ${f.unit}`),
  f.target ? `${f.target.op === '<=' ? '≤' : '≥'} ${fmt(f.target.value)} ${f.unit}` : '', verdict(f),
])];
console.log(`\n== Summary (${machine()}) ==\n${table(rows)}`);
const count = (v: string) => all.filter((f) => f.target && verdict(f) === v).length;
const unmeasured = all.filter((f) => f.target && f.note).length;
console.log(`\ntargets: ${count('met')} met, ${count('NOT MET')} not met${unmeasured ? `, ${unmeasured} not measured` : ''}`);
for (const n of notes) console.log(`  ${n}`);
process.exitCode = failures ? 1 : 0;
