/**
 * A watch stream read as a client reads one: a real HTTP request to a
 * listening Warden, its newline-delimited events collected as they arrive.
 */
import http from 'node:http';

export interface WatchEventLine {
  type: string;
  object: { kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number; reason?: string; message?: string; [k: string]: unknown };
}

export interface OpenWatch {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: WatchEventLine[];
  /** Set when the server ended the stream. */
  ended: boolean;
  /** Resolves with the events once `n` have arrived (or rejects after `timeoutMs`). */
  count(n: number, timeoutMs?: number): Promise<WatchEventLine[]>;
  /** Resolves once the server ends the stream. */
  end(timeoutMs?: number): Promise<void>;
  /** The body of a refused request (not a stream). */
  body(): Promise<Record<string, unknown>>;
  close(): void;
}

export function openWatch(baseUrl: string, path: string, token: string, headers: Record<string, string> = {}): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let buffer = '';
      let raw = '';
      const waiters = new Set<() => void>();
      const wake = () => { for (const w of [...waiters]) w(); };
      const w: OpenWatch = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        ended: false,
        count(n, timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const check = () => {
              if (w.events.length >= n) { waiters.delete(check); clearTimeout(t); ok(w.events.slice(0, n)); } else if (w.ended) { waiters.delete(check); clearTimeout(t); fail(new Error(`stream ended after ${w.events.length} of ${n} events: ${JSON.stringify(w.events.map((e) => [e.type, e.object.metadata?.name]))}`)); }
            };
            const t = setTimeout(() => { waiters.delete(check); fail(new Error(`only ${w.events.length} of ${n} events within ${timeoutMs} ms: ${JSON.stringify(w.events.map((e) => [e.type, e.object.metadata?.name]))}`)); }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        end(timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const check = () => { if (w.ended) { waiters.delete(check); clearTimeout(t); ok(); } };
            const t = setTimeout(() => { waiters.delete(check); fail(new Error(`the stream did not end within ${timeoutMs} ms`)); }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        async body() {
          await w.end();
          return JSON.parse(raw) as Record<string, unknown>;
        },
        close() { req.destroy(); },
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let i: number;
        while (res.statusCode === 200 && (i = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          if (line.trim()) w.events.push(JSON.parse(line) as WatchEventLine);
        }
        wake();
      });
      const done = () => { w.ended = true; wake(); };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
      resolve(w);
    });
    req.on('error', reject);
  });
}
