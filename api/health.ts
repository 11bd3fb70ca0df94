/**
 * Probes. /livez answers while the process serves. /readyz answers 200 when
 * every readiness check passes: `snapshot` (the first snapshot is loaded),
 * `database` (the last refresh succeeded and confirmed the snapshot within
 * WARDEN_MAX_STALENESS), `shutdown` (no SIGTERM yet). Both are served
 * without authentication, so they name checks and never say why one
 * failed: that is in the log. `?verbose` lists the checks as kube-apiserver's
 * probes do (`[+]name ok`, `[-]name failed: reason withheld`).
 */
import type { Request, Response } from 'express';
import type { AppDeps } from './context.ts';
import type { Health } from './schema-types.ts';

type Check = { name: string; ok: boolean };

function answer(req: Request, res: Response, probe: string, checks: Check[], body: Health): void {
  const ok = checks.every((c) => c.ok);
  res.status(ok ? 200 : 503).setHeader('Cache-Control', 'no-store');
  if (req.query.verbose !== undefined) {
    const lines = checks.map((c) => (c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed: reason withheld`));
    res.type('text/plain; charset=utf-8').send(`${lines.join('\n')}\n${probe} check ${ok ? 'passed' : 'failed'}\n`);
    return;
  }
  res.json(body);
}

export function livez(req: Request, res: Response) {
  answer(req, res, 'livez', [{ name: 'ping', ok: true }], { status: 'ok' });
}

export function readyz(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const h = deps.snapshots.health();
    const checks: Check[] = [
      { name: 'ping', ok: true },
      { name: 'snapshot', ok: deps.snapshots.loaded },
      { name: 'database', ok: h.ready },
      { name: 'shutdown', ok: deps.draining.since === undefined },
    ];
    const ok = checks.every((c) => c.ok);
    const body: Health = {
      status: ok ? 'ok' : 'not ready',
      revision: h.revision,
      checks: Object.fromEntries(checks.map((c) => [c.name, c.ok ? 'ok' : 'failed'])),
    };
    answer(req, res, 'readyz', checks, body);
  };
}
