/**
 * Writes a response: JSON by default, YAML when the client accepts only YAML;
 * converted (a Table for `kubectl get`) in the form api/negotiation.ts chose
 * when the request asked a conversion; warnings as kube's
 * `Warning: 299 - "..."` headers; the policy revision the answer reflects
 * as `X-Warden-Revision`.
 */
import type { Request, Response } from 'express';
import YAML from 'yaml';
import { contextOf } from './context.ts';
import { transformBody } from './tables/table.ts';

export const revisionHeader = 'X-Warden-Revision';

function wantsYaml(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return /application\/yaml/.test(accept) && !/application\/json|\*\/\*/.test(accept);
}

/** The query string of the request as sent (handlers may have replaced `req.query` with decoded values). */
function searchOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/**
 * Writes `body` with status `code`. A successful answer to a request that
 * negotiated a conversion is converted first; that may throw (a bad
 * `includeObject` is 400) before anything is written.
 */
export function send(req: Request, res: Response, code: number, body: unknown, revision?: number): void {
  const ctx = contextOf(res);
  const out = ctx?.output;
  if (out?.conversion && code < 400) body = transformBody(body, out.conversion, out.version!, searchOf(req), Date.now());
  if (ctx?.warnings?.length) {
    res.setHeader('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  }
  if (revision !== undefined) res.setHeader(revisionHeader, String(revision));
  const yaml = out ? out.format === 'yaml' : wantsYaml(req);
  const text = yaml ? YAML.stringify(body) : JSON.stringify(body);
  res.statusCode = code;
  res.setHeader('Content-Type', yaml ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
