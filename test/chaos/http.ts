/**
 * One HTTP exchange with a Warden process that never throws: the answer
 * (status, headers, parsed body, when it was sent and answered), or the
 * transport error's code (ECONNREFUSED, ECONNRESET, a hang-up, a timeout).
 * Chaos tests count and classify these outcomes rather than stop at the first.
 */
import http from 'node:http';

export interface Answer {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: any;
  sentAt: number;
  doneAt: number;
}

export interface Failed {
  ok: false;
  /** `ECONNREFUSED`, `ECONNRESET` (also a hang-up), `timeout`, … */
  error: string;
  /** The request went out on a kept-alive connection rather than a new one. */
  reused: boolean;
  sentAt: number;
  doneAt: number;
}

export type Outcome = Answer | Failed;

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Connection reuse; default: a new connection per request. */
  agent?: http.Agent;
  timeoutMs?: number;
}

/** Sends `method path` to `base` (http://host:port). */
export function send(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<Outcome> {
  const url = new URL(path, base);
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (payload) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const sentAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const fail = (error: string) => {
      if (settled) return;
      settled = true;
      resolve({ ok: false, error, reused: req.reusedSocket, sentAt, doneAt: Date.now() });
    };
    const req = http.request(url, { method, headers, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
      res.on('aborted', () => fail('aborted'));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try { body = JSON.parse(text); } catch { body = undefined; }
        resolve({ ok: true, status: res.statusCode ?? 0, headers: res.headers, text, body, sentAt, doneAt: Date.now() });
      });
    });
    req.setTimeout(opts.timeoutMs ?? 15_000, () => {
      fail('timeout');
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    req.end(payload);
  });
}

/** Answered with a 2xx status. */
export const ok2xx = (o: Outcome): o is Answer => o.ok && o.status >= 200 && o.status < 300;

/** A one-line account of an outcome for assertion messages. */
export function show(o: Outcome): string {
  if (!o.ok) return `transport error ${o.error}`;
  return `HTTP ${o.status} ${o.text.length > 400 ? `${o.text.slice(0, 400)}…` : o.text}`;
}

/** Counts of outcomes by status code or error, e.g. `201×40 503×12 ECONNREFUSED×3`. */
export function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = o.ok ? String(o.status) : o.error;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}×${n}`).join(' ') || 'none';
}

/**
 * Asserts `check` (a reason, or undefined when as required) holds for every
 * sample, and that there is at least one; reports the count through `t` and
 * fails naming the first few that did not hold, each placed by `where`.
 */
export function assertEvery<S extends { o: Outcome }>(
  t: { diagnostic(message: string): void }, what: string, list: S[], check: (s: S) => string | undefined, where: (s: S) => string,
): void {
  const bad = list.map((s) => ({ s, why: check(s) })).filter((x) => x.why !== undefined);
  t.diagnostic(`${what}: ${list.length} requests (${tally(list.map((s) => s.o))}), ${bad.length} not as required`);
  if (list.length === 0) throw new Error(`${what}: no request fell in the window`);
  if (bad.length) {
    throw new Error(`${what}: ${bad.length} of ${list.length} not as required, e.g.\n${bad.slice(0, 3).map((x) => `  ${where(x.s)}: ${x.why}`).join('\n')}`);
  }
}

/**
 * Why `o` is not a 503 with a Retry-After of whole seconds (and, unless
 * `status` is false, a `ServiceUnavailable` Status body); undefined when it is.
 */
export function unavailable(o: Outcome, { status = true } = {}): string | undefined {
  if (!o.ok) return `transport error ${o.error}`;
  if (o.status !== 503) return show(o);
  if (status && (o.body?.kind !== 'Status' || o.body.reason !== 'ServiceUnavailable' || o.body.code !== 503)) return `not a ServiceUnavailable Status: ${o.text}`;
  const retry = o.headers['retry-after'];
  return retry !== undefined && /^[1-9]\d*$/.test(String(retry)) ? undefined : `no Retry-After in seconds (${JSON.stringify(retry)})`;
}
