/**
 * A small HTTP load generator that runs in a child process of its own, so
 * its CPU never mixes with the caller's or the server's; and the servers it
 * measures, each in a child process that reports its CPU time and memory.
 *
 * `runLoad(spec)` forks this file, hands it the spec over IPC and resolves
 * with the result. The child keeps `concurrency` requests in flight over a
 * keep-alive agent (one socket per worker) for `warmupMs` (not measured)
 * and then `durationMs` (measured), and reports requests per second,
 * latency quantiles, status counts and its own CPU use.
 *
 * Requests are either a fixed list, taken in turn by all workers, or one
 * template. In a template, `{{seq}}` is replaced by a sequence number unique
 * in the run and `{{name}}` by `vars[name][seq % vars[name].length]`. A
 * template may carry a check: every `every`-th successful request is
 * followed, on the same worker and before its next request, by the check
 * request (same substitutions), whose status and body are verified.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
}

export interface LoadCheck {
  every: number;
  request: LoadRequest;
  expectStatus: number;
  /** A substring the check's response body must contain. */
  expectBody?: string;
}

export interface LoadSpec {
  /** `http://host:port`. */
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  requests?: LoadRequest[];
  template?: { request: LoadRequest; vars?: Record<string, string[]>; check?: LoadCheck };
}

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Measured requests (the warm-up excluded), whatever their status. */
  requests: number;
  seconds: number;
  rps: number;
  /** Milliseconds, over the measured requests. */
  latency: Latency;
  /** Responses by status code; `error` counts transport failures. */
  statuses: Record<string, number>;
  /** Measured check requests: how many ran, how many failed, their latency. */
  checks?: { sent: number; failed: number; firstFailure?: string; latency: Latency };
  /** The generator's own CPU time over the measured window, as a share of one core. */
  clientCpu: number;
}

/** Quantiles of `samples` (milliseconds); sorts in place. */
export function latencyOf(samples: Float64Array | number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const at = (q: number) => (n ? sorted[Math.min(n - 1, Math.floor(q * n))] : 0);
  let sum = 0;
  for (const x of sorted) sum += x;
  return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: n ? sorted[n - 1] : 0, mean: n ? sum / n : 0 };
}

/**
 * Runs `spec` in a fresh child process. `onMeasureStart` is called when the
 * warm-up ends (to sample the server's own counters at the same moment).
 */
export function runLoad(spec: LoadSpec, onMeasureStart?: () => void): Promise<LoadResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: childExecArgv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let done = false;
    child.on('message', (m: { type: string; result?: LoadResult; error?: string }) => {
      if (m.type === 'measuring') onMeasureStart?.();
      else if (m.type === 'result') {
        done = true;
        resolve(m.result!);
      } else if (m.type === 'error') {
        done = true;
        reject(new Error(`load generator: ${m.error}`));
      }
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`load generator exited with code ${code} before reporting`));
    });
    child.send({ type: 'spec', spec });
  });
}

class Samples {
  #data = new Float64Array(1 << 16);
  #n = 0;
  push(x: number): void {
    if (this.#n === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#n++] = x;
  }
  values(): Float64Array {
    return this.#data.subarray(0, this.#n);
  }
}

interface Response {
  status: number;
  body: string;
}

function send(agent: http.Agent, url: URL, headers: Record<string, string>, r: LoadRequest, wantBody: boolean): Promise<Response> {
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.from(r.body);
    const req = http.request({
      agent, host: url.hostname, port: url.port, method: r.method, path: r.path,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (wantBody) chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: wantBody ? Buffer.concat(chunks).toString('utf8') : '' }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function fill(r: LoadRequest, seq: number, vars: Record<string, string[]>): LoadRequest {
  const sub = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (name === 'seq') return String(seq);
    const list = vars[name];
    if (!list?.length) throw new Error(`template variable ${name} has no values`);
    return list[seq % list.length];
  });
  return { method: r.method, path: sub(r.path), body: r.body === undefined ? undefined : sub(r.body) };
}

async function generate(spec: LoadSpec, announce: () => void): Promise<LoadResult> {
  if (!spec.requests?.length && !spec.template) throw new Error('a load spec needs requests or a template');
  const url = new URL(spec.url);
  const headers = spec.headers ?? {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const latencies = new Samples();
  const checkLatencies = new Samples();
  const statuses: Record<string, number> = {};
  const checks = { sent: 0, failed: 0, firstFailure: undefined as string | undefined };
  const vars = spec.template?.vars ?? {};
  const check = spec.template?.check;
  let next = 0;
  let measuring = false;
  const start = performance.now();
  const measureFrom = start + (spec.warmupMs ?? 0);
  const end = measureFrom + spec.durationMs;
  let cpuAtMeasure = process.cpuUsage();

  const worker = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= end) return;
      if (!measuring && now >= measureFrom) {
        measuring = true;
        cpuAtMeasure = process.cpuUsage();
        announce();
      }
      const seq = next++;
      const r = spec.template ? fill(spec.template.request, seq, vars) : spec.requests![seq % spec.requests!.length];
      const counted = measuring;
      const t0 = performance.now();
      let status = 'error';
      try {
        status = String((await send(agent, url, headers, r, false)).status);
      } catch {
        // Counted as a transport error below.
      }
      const t1 = performance.now();
      if (counted && t1 <= end) {
        latencies.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
      if (check && status.startsWith('2') && seq % check.every === 0) {
        const c = fill(check.request, seq, vars);
        const c0 = performance.now();
        let failure: string | undefined;
        try {
          const res = await send(agent, url, headers, c, true);
          if (res.status !== check.expectStatus || (check.expectBody !== undefined && !res.body.includes(check.expectBody))) {
            failure = `${c.method} ${c.path} after request ${seq}: status ${res.status}, body ${res.body.slice(0, 300)}`;
          }
        } catch (err) {
          failure = `${c.method} ${c.path} after request ${seq}: ${err instanceof Error ? err.message : String(err)}`;
        }
        if (counted) {
          checkLatencies.push(performance.now() - c0);
          checks.sent++;
          if (failure) {
            checks.failed++;
            checks.firstFailure ??= failure;
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const cpu = process.cpuUsage(cpuAtMeasure);
  agent.destroy();
  const seconds = spec.durationMs / 1000;
  const requests = latencies.values().length;
  return {
    requests, seconds, rps: requests / seconds, latency: latencyOf(latencies.values()), statuses,
    ...(check ? { checks: { ...checks, latency: latencyOf(checkLatencies.values()) } } : {}),
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

/** What a measured server reports about itself. */
export interface ServerStats { rss: number; maxRss: number; heapUsed: number; cpuMicros: number; [extra: string]: unknown }

/**
 * A server under measurement, in a child process of its own: `file` run with
 * `args` first sends `{ type: 'ready', url, ... }`, then answers `stats`
 * (see `answerStats`) and exits on `stop`.
 */
export class ServerChild {
  private constructor(readonly proc: ChildProcess, readonly ready: Record<string, unknown> & { url: string }) {}

  static start(file: string, args: string[], env: Record<string, string>, execArgv: string[] = []): Promise<ServerChild> {
    const proc = fork(file, args, { env: { ...process.env, ...env }, execArgv: [...childExecArgv(), ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${file} ${args.join(' ')} exited with code ${code} before it was ready`));
      proc.once('exit', onExit);
      proc.once('message', (m: { type: string; url: string }) => {
        proc.off('exit', onExit);
        if (m.type === 'ready') resolve(new ServerChild(proc, m));
        else reject(new Error(`${file} ${args.join(' ')}: ${JSON.stringify(m)}`));
      });
    });
  }

  /** With `gc`, a server started with --expose-gc collects garbage first. */
  stats(gc = false): Promise<ServerStats> {
    return new Promise((resolve) => {
      this.proc.once('message', (m: ServerStats) => resolve(m));
      this.proc.send({ type: 'stats', gc });
    });
  }

  /** Asks the server to stop; kills it after 30 s. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.proc.send({ type: 'stop' });
    });
  }
}

/** In a server child: answers `stats` with CPU time and memory (plus `extra()`), and ends with the parent. */
export function answerStats(extra: () => Record<string, unknown> = () => ({})): void {
  process.on('disconnect', () => process.exit(1));
  process.on('message', (m: { type: string; gc?: boolean }) => {
    if (m.type !== 'stats') return;
    if (m.gc) globalThis.gc?.();
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    process.send!({ rss: mem.rss, maxRss: process.resourceUsage().maxRSS * 1024, heapUsed: mem.heapUsed, cpuMicros: cpu.user + cpu.system, ...extra() });
  });
}

export interface Measured { result: LoadResult; serverCpu: number }

/** Runs `spec` against `server` and samples the server's CPU over the measured window (share of one core). */
export async function measure(server: ServerChild, spec: LoadSpec): Promise<Measured> {
  let cpuAtStart: Promise<ServerStats> | undefined;
  const result = await runLoad(spec, () => { cpuAtStart = server.stats(); });
  const end = await server.stats();
  const start = await (cpuAtStart ?? server.stats());
  return { result, serverCpu: (end.cpuMicros - start.cpuMicros) / 1e6 / result.seconds };
}

/** Server CPU milliseconds per answered request: the cost that bounds throughput once the server owns a core. */
export const cpuPerRequest = (m: Measured): number => (m.serverCpu * 1000) / Math.max(1, m.result.rps);

if (process.argv.includes('--child') && process.send) {
  process.on('disconnect', () => process.exit(1));
  process.once('message', (m: { type: string; spec: LoadSpec }) => {
    generate(m.spec, () => process.send!({ type: 'measuring' })).then(
      (result) => process.send!({ type: 'result', result }, undefined, {}, () => process.exit(0)),
      (err: unknown) => process.send!({ type: 'error', error: err instanceof Error ? err.message : String(err) }, undefined, {}, () => process.exit(1)),
    );
  });
}

/** This process's execArgv without CPU-profiling flags, for children that must not profile themselves. */
export function childExecArgv(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i];
    if (a === '--cpu-prof-dir' || a === '--cpu-prof-name' || a === '--cpu-prof-interval') i++;
    else if (!a.startsWith('--cpu-prof')) out.push(a);
  }
  return out;
}
