/**
 * The access-review dashboard at /ui/: the bundle Vite builds from ui/
 * into ui/dist (npm start builds it when the sources are newer). The page
 * and its assets are public; every API call the page makes carries the
 * signed-in user's token and is authorized as that user. Every path under
 * /ui/ that is not an asset answers index.html (deep links such as
 * /ui/check?user=alice work), with a strict Content-Security-Policy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';

export const uiDist = fileURLToPath(new URL('../ui/dist', import.meta.url));

const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function secure(res: Response) {
  for (const [k, v] of Object.entries(securityHeaders)) res.setHeader(k, v);
}

/** Serves /ui and everything below it; other paths go on to the API. */
export function uiRouter(dist = uiDist): express.Router {
  const router = express.Router({ caseSensitive: true, strict: true });
  let page: { mtime: number; html: Buffer } | undefined;
  const index = (): Buffer | undefined => {
    const file = `${dist}/index.html`;
    if (!existsSync(file)) return undefined;
    const mtime = statSync(file).mtimeMs;
    if (page?.mtime !== mtime) page = { mtime, html: readFileSync(file) };
    return page.html;
  };
  const assets = express.static(`${dist}/assets`, {
    index: false, redirect: false, fallthrough: false, immutable: true, maxAge: '365d',
    setHeaders: (res) => secure(res as Response),
  });
  router.get('/ui', (_req: Request, res: Response) => {
    secure(res);
    res.redirect(301, '/ui/');
  });
  router.use('/ui/assets', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    assets(req, res, () => {
      // A missing (or malformed) asset path is a plain 404, never the page: a stale bundle must not run HTML as script.
      secure(res);
      res.status(404).type('text/plain').send('not found\n');
    });
  });
  router.get(/^\/ui\/.*/, (_req: Request, res: Response) => {
    secure(res);
    res.setHeader('Cache-Control', 'no-cache');
    const html = index();
    if (!html) {
      res.status(503).type('text/plain').send('The dashboard is not built: run `npm run ui:build` (npm start builds it).\n');
      return;
    }
    res.status(200).type('text/html; charset=utf-8').send(html);
  });
  return router;
}
