/** Probes: /livez answers while the process serves; /readyz once the first snapshot is loaded and the last refresh succeeded. */
import type { Request, Response } from 'express';
import type { AppDeps } from './context.ts';
import type { Health } from './schema-types.ts';

export function livez(_req: Request, res: Response) {
  const body: Health = { status: 'ok' };
  res.status(200).json(body);
}

export function readyz(deps: AppDeps) {
  return (_req: Request, res: Response) => {
    const h = deps.snapshots.health();
    const body: Health = { status: h.ready ? 'ok' : 'not ready', revision: h.revision };
    if (h.lastError) body.lastError = `snapshot refresh failed at ${h.lastErrorAt}: ${h.lastError}`;
    res.status(h.ready ? 200 : 503).json(body);
  };
}
