/**
 * How Warden serves the dashboard (api/ui.ts), without a browser: index.html
 * for every path under /ui/ with 200, assets with their types and a long
 * cache, a plain 404 for a missing or malformed asset path (never the page,
 * never a file outside the bundle), strict security headers everywhere,
 * and 503 naming the build command when there is no bundle.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import supertest from 'supertest';
import { uiRouter } from '../../api/ui.ts';

function appWith(dist: string) {
  const app = express();
  app.use(uiRouter(dist));
  app.use((_req, res) => { res.status(418).send('the API'); });
  return supertest(app);
}

const root = mkdtempSync(join(tmpdir(), 'warden-ui-'));
const dist = join(root, 'dist');
mkdirSync(join(dist, 'assets'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/ui/assets/app.js"></script>');
writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(dist, 'assets', 'app.css'), 'body{}');
writeFileSync(join(root, 'secret.txt'), 'do not serve');
const http = appWith(dist);
after(() => rmSync(root, { recursive: true, force: true }));

function assertSecure(res: supertest.Response) {
  assert.match(res.headers['content-security-policy'], /^default-src 'self'; script-src 'self'; style-src 'self';/);
  assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'DENY');
}

test('every path under /ui/ answers the page with 200, no-cache and the security headers', async () => {
  for (const path of ['/ui/', '/ui/check?user=alice&verb=get&resource=pods', '/ui/who-can', '/ui/subjects/User/alice', '/ui/unknown-view']) {
    const res = await http.get(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.text, /\/ui\/assets\/app\.js/);
    assertSecure(res);
  }
  const head = await http.head('/ui/matrix');
  assert.equal(head.status, 200);
  const bare = await http.get('/ui');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.location, '/ui/');
});

test('assets are served with their type and a year of caching; a missing or escaping path is a plain 404', async () => {
  const js = await http.get('/ui/assets/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'], /javascript/);
  assert.match(js.headers['cache-control'], /max-age=31536000, immutable/);
  assertSecure(js);
  assert.match((await http.get('/ui/assets/app.css')).headers['content-type'], /text\/css/);
  for (const path of ['/ui/assets/missing.js', '/ui/assets/..%2f..%2fsecret.txt', '/ui/assets/../../secret.txt', '/ui/assets/%2e%2e/index.html', '/ui/assets/']) {
    const res = await http.get(path);
    assert.ok(res.status === 404 || (res.status === 200 && /^text\/html/.test(res.headers['content-type']) && !res.text.includes('do not serve')), `${path}: ${res.status}`);
    assert.doesNotMatch(res.text, /do not serve/);
    if (path.startsWith('/ui/assets/') && !path.includes('/../')) assert.equal(res.status, 404, path);
  }
});

test('other paths and methods go on to the API', async () => {
  assert.equal((await http.get('/api/v1/namespaces')).status, 418);
  assert.equal((await http.get('/uix')).status, 418);
  assert.equal((await http.post('/ui/check')).status, 418);
  assert.equal((await http.get('/UI/')).status, 418);
});

test('without a bundle, /ui/ answers 503 naming the command that builds it', async () => {
  const res = await appWith(join(root, 'nothing-here')).get('/ui/check');
  assert.equal(res.status, 503);
  assert.match(res.text, /npm run ui:build/);
  assertSecure(res);
});
