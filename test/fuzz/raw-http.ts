/**
 * One HTTP request, sent byte for byte as given: node's http.request with
 * the path untouched (no normalization of dot segments, double slashes or
 * percent-encoding), a fresh connection each time (so a reset is never an
 * idle keep-alive socket's), and a deadline.
 *
 * Promises: it never throws. Transport failures (refused, reset, the
 * deadline) come back as `error`; a watch stream (`stream=watch` in the
 * media type, or any answer still streaming after `streamMs`) is read
 * briefly and then closed, and is marked `streamed`. At most `keepBytes` of
 * a body are kept; `bytes` says how many came.
 */
import http from 'node:http';

export interface RawRequest {
  method: string;
  /** The request target exactly as sent (path and query, or an absolute URL). */
  path: string;
  headers: [string, string][];
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  bytes: number;
  ms: number;
  streamed: boolean;
  /** A transport failure: ECONNREFUSED, ECONNRESET, EPIPE, timeout, ... (status is 0 when no answer came). */
  error?: string;
}

export interface SendOptions {
  timeoutMs?: number;
  streamMs?: number;
  keepBytes?: number;
}

export function send(base: URL, req: RawRequest, opts: SendOptions = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const streamMs = opts.streamMs ?? 3_000;
  const keep = opts.keepBytes ?? 64 * 1024;
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    let answer: RawResponse | undefined;
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (r: RawResponse) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      resolve(r);
    };
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of req.headers) {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : ([] as string[]).concat(prev as string | string[], v);
    }
    if (req.body && headers['content-length'] === undefined) headers['content-length'] = String(req.body.length);
    let r: http.ClientRequest;
    try {
      r = http.request({
        host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: false,
        insecureHTTPParser: true, setHost: true,
      });
    } catch (err) {
      // Node refused to send it (an invalid header or path): the case is malformed, not the server.
      resolve({ status: -1, headers: {}, body: '', bytes: 0, ms: 0, streamed: false, error: `client: ${(err as Error).message}` });
      return;
    }
    const deadline = setTimeout(() => {
      r.destroy();
      finish(answer ? { ...answer, body: text(), streamed: true, ms: Date.now() - started, error: 'timeout (body)' } : {
        status: 0, headers: {}, body: '', bytes: 0, ms: Date.now() - started, streamed: false, error: `timeout: no answer within ${timeoutMs} ms`,
      });
    }, timeoutMs);
    const text = () => Buffer.concat(chunks).toString('utf8');
    r.on('response', (res) => {
      answer = { status: res.statusCode ?? 0, headers: res.headers, body: '', bytes: 0, ms: 0, streamed: false };
      const isStream = /stream=watch/i.test(String(res.headers['content-type'] ?? ''));
      const cut = setTimeout(() => {
        // Finished first: closing the stream here makes node report it aborted, which is the client's doing.
        finish({ ...answer!, body: text(), ms: Date.now() - started, streamed: true });
        res.destroy();
      }, isStream ? 150 : streamMs);
      res.on('data', (c: Buffer) => {
        answer!.bytes += c.length;
        if (kept < keep) {
          chunks.push(c.subarray(0, keep - kept));
          kept += Math.min(c.length, keep - kept);
        }
      });
      res.on('end', () => {
        clearTimeout(cut);
        finish({ ...answer!, body: text(), ms: Date.now() - started });
      });
      res.on('error', (err) => {
        clearTimeout(cut);
        finish({ ...answer!, body: text(), ms: Date.now() - started, error: code(err) });
      });
      res.on('aborted', () => {
        clearTimeout(cut);
        finish({ ...answer!, body: text(), ms: Date.now() - started, error: 'aborted' });
      });
    });
    r.on('error', (err) => {
      // A server may answer (say 401 or 413) before it read the whole body and then close: the answer stands.
      if (answer) return;
      finish({ status: 0, headers: {}, body: '', bytes: 0, ms: Date.now() - started, streamed: false, error: code(err) });
    });
    if (req.body) r.end(req.body);
    else r.end();
  });
}

function code(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message;
}
