/**
 * Writes a response: JSON by default, YAML when the client accepts only YAML;
 * warnings as kube's `Warning: 299 - "..."` headers; the policy revision the
 * answer reflects as `X-Warden-Revision`.
 */
import type { Request, Response } from 'express';
import YAML from 'yaml';
import { contextOf } from './context.ts';

export const revisionHeader = 'X-Warden-Revision';

function wantsYaml(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return /application\/yaml/.test(accept) && !/application\/json|\*\/\*/.test(accept);
}

export function send(req: Request, res: Response, code: number, body: unknown, revision?: number): void {
  const ctx = contextOf(res);
  if (ctx?.warnings?.length) {
    res.setHeader('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  }
  if (revision !== undefined) res.setHeader(revisionHeader, String(revision));
  const yaml = wantsYaml(req);
  const text = yaml ? YAML.stringify(body) : JSON.stringify(body);
  res.statusCode = code;
  res.setHeader('Content-Type', yaml ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
