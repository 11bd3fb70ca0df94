/**
 * The one way the SDK reaches Warden: every request openapi-fetch builds
 * goes through `Transport.fetch`, which adds the bearer token, the minimum
 * revision of read-your-writes, a deadline and retries, and turns a call
 * that got no answer into a WardenError.
 *
 * Contract:
 * - Read-your-writes: the highest `X-Warden-Revision` a successful write
 *   returned is sent as `X-Warden-Min-Revision` on every later request, so
 *   any replica answers at that revision or later (it waits briefly, else
 *   503 with Retry-After, which is retried).
 * - Retries: only idempotent calls (GET, HEAD, and reviews, which write
 *   nothing), on 429, 503 and connection failures, with exponential backoff
 *   and full jitter, or after `Retry-After` when the answer names it; never
 *   past the call's deadline.
 * - Deadline: `timeoutMs` covers the whole call, retries and body included;
 *   for a watch it covers the wait for the answer to start.
 * - A caller's AbortSignal aborts the call at once with the signal's reason.
 */
import { WardenError } from './errors.js';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  token?: string;
  fetch?: FetchLike;
  /** Deadline of one call, in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** How many times an idempotent call is retried (default 4). */
  retries?: number;
  /** First backoff step in milliseconds (default 200); each retry doubles it, up to 5 s. */
  retryBaseMs?: number;
  /** Send the highest revision this client's writes returned as the minimum revision of later requests (default true). */
  readYourWrites?: boolean;
}

export const revisionHeader = 'x-warden-revision';
export const minRevisionHeader = 'x-warden-min-revision';
const maxBackoffMs = 5000;

/** A review creates nothing: retrying it is safe. */
const reviewPath = /\/(?:[a-z]+reviews|[a-z]+reviewbatches)$/;

function idempotent(method: string, url: URL): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  return method === 'POST' && reviewPath.test(url.pathname);
}

/** A write whose revision read-your-writes remembers: anything but reads and reviews, and not a dry run. */
function isWrite(method: string, url: URL): boolean {
  return !idempotent(method, url) && !url.searchParams.has('dryRun');
}

/**
 * A 503 whose Status says the replica refused before running the request
 * (it had not reached the minimum revision asked): nothing was written, so
 * even a write may be sent again.
 */
async function refusedBeforeRunning(res: Response): Promise<boolean> {
  try {
    const status = await res.clone().json() as { details?: { causes?: { reason?: string }[] } };
    return status?.details?.causes?.some((c) => c.reason === 'MinRevisionNotReached') ?? false;
  } catch {
    return false;
  }
}

function retryAfterMs(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why a request got no answer, in a sentence: the innermost cause's code and message. */
export function describeFailure(err: unknown): string {
  let e: unknown = err;
  const parts: string[] = [];
  for (let i = 0; i < 4 && e; i++) {
    const x = e as { code?: string; message?: string; cause?: unknown; errors?: unknown[] };
    if (x.code || x.message) parts.push([x.code, x.message].filter(Boolean).join(' '));
    e = x.cause ?? (Array.isArray(x.errors) ? x.errors[0] : undefined);
  }
  return parts[parts.length - 1] || String(err);
}

export class Transport {
  /** The highest revision a write through this client returned (0: none yet). */
  revision = 0;
  readYourWrites: boolean;
  private readonly token?: string;
  private readonly inner: FetchLike;
  readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;

  constructor(opts: TransportOptions = {}) {
    this.token = opts.token;
    this.inner = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 4;
    this.retryBaseMs = opts.retryBaseMs ?? 200;
    this.readYourWrites = opts.readYourWrites ?? true;
  }

  /** Remembers a revision a write returned (the highest wins). */
  observe(revision: number | string | null | undefined): void {
    const n = Number(revision);
    if (Number.isSafeInteger(n) && n > this.revision) this.revision = n;
  }

  /** The fetch openapi-fetch calls. */
  fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const watch = url.searchParams.get('watch') === 'true';
    const headers = new Headers(request.headers);
    if (this.token && !headers.has('authorization')) headers.set('authorization', `Bearer ${this.token}`);
    if (this.readYourWrites && this.revision > 0 && !headers.has(minRevisionHeader)) headers.set(minRevisionHeader, String(this.revision));
    const body = request.body ? await request.arrayBuffer() : undefined;
    const canRetry = idempotent(method, url);

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new WardenError(0, 'Timeout', `no answer from ${url.origin} within ${this.timeoutMs} ms`)), this.timeoutMs);
    const signal = AbortSignal.any([request.signal, deadline.signal]);
    try {
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await this.inner(url.href, { method, headers, body, signal, redirect: request.redirect });
          if (!watch) {
            // Read the whole body under the deadline, so a slow body times out too.
            const buf = await res.arrayBuffer();
            res = new Response(res.status === 204 || res.status === 304 ? null : buf, { status: res.status, statusText: res.statusText, headers: res.headers });
          }
        } catch (err) {
          if (request.signal.aborted) throw request.signal.reason;
          if (deadline.signal.aborted) throw deadline.signal.reason;
          if (err instanceof WardenError) throw err;
          const failure = new WardenError(0, 'Unreachable', `cannot reach ${url.origin}: ${describeFailure(err)}`, { cause: err });
          if (!canRetry || attempt >= this.retries) throw failure;
          await this.backoff(attempt, undefined, signal, deadline.signal);
          continue;
        }
        if ((canRetry || (res.status === 503 && await refusedBeforeRunning(res))) && attempt < this.retries && (res.status === 429 || res.status === 503)) {
          const wait = retryAfterMs(res);
          if (await this.backoff(attempt, wait, signal, deadline.signal)) continue;
        }
        if (res.ok && isWrite(method, url)) this.observe(res.headers.get(revisionHeader));
        return res;
      }
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Waits before the next attempt: `hinted` (Retry-After) when given, else
   * full-jitter exponential backoff. False when the wait would pass the
   * deadline (the caller then returns the answer it has).
   */
  private async backoff(attempt: number, hinted: number | undefined, signal: AbortSignal, deadline: AbortSignal): Promise<boolean> {
    const cap = Math.min(maxBackoffMs, this.retryBaseMs * 2 ** attempt);
    const ms = hinted ?? Math.random() * cap;
    if (hinted !== undefined && hinted > this.timeoutMs) return false;
    try {
      await sleep(ms, signal);
    } catch (err) {
      if (deadline.aborted) throw deadline.reason;
      throw err;
    }
    return true;
  }
}
