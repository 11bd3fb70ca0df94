/** The field manager of a write: `?fieldManager=`, else the client's name from its User-Agent, as kube-apiserver derives it. */
import type { Request } from 'express';
import { badRequest } from '../status.ts';

export function managerOf(req: Request): string {
  const m = req.query.fieldManager;
  if (typeof m === 'string' && m !== '') {
    if (m.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    return m;
  }
  const ua = req.headers['user-agent'] ?? '';
  const prefix = ua.split('/')[0].trim();
  return prefix.slice(0, 128) || 'unknown';
}
