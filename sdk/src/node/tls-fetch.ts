/**
 * A fetch over node:https that trusts given CA certificates (Node's own
 * fetch cannot be given a CA without a dispatcher from undici). Plain http
 * URLs go to the global fetch.
 */
import https from 'node:https';
import { Readable } from 'node:stream';
import type { FetchLike } from '../transport.js';

export interface TlsOptions {
  ca?: string;
  insecureSkipTLSVerify?: boolean;
}

export function tlsFetch(opts: TlsOptions): FetchLike {
  const agent = new https.Agent({ ca: opts.ca, rejectUnauthorized: !opts.insecureSkipTLSVerify, keepAlive: true });
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:') return globalThis.fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
    const body = init.body === undefined || init.body === null ? undefined : Buffer.from(init.body instanceof ArrayBuffer ? new Uint8Array(init.body) : String(init.body));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
          else if (v !== undefined) h.set(k, v);
        }
        const status = res.statusCode ?? 0;
        const stream = status === 204 || status === 304 || init.method === 'HEAD' ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, statusText: res.statusMessage, headers: h }));
      });
      req.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
      req.end(body);
    });
  };
}
