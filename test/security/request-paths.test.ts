/**
 * Paths are read once and read alike by routing and authorization: a path
 * segment that is not valid percent-encoding is 400 (never a crash, on the
 * hot review routes too), and paths are case-sensitive, as kube-apiserver's
 * are, so a case-altered path reaches no handler and cannot be authorized
 * as a non-resource URL while served as a resource.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { routes } from '../../api/routes.ts';
import type { AppDeps } from '../../api/context.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import { grant, userWithToken } from '../iam/support.ts';
import { clusterRole, clusterRoleBinding, rbacBase, roleRef } from '../api/builders.ts';

let w: TestWarden;
let admin: Api;
let urlsOnly: string;

/** One request through the real HTTP server with the path exactly as written (no client-side normalizing). */
function send(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const url = new URL(w.warden.url!);
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: url.hostname, port: url.port, method, path,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode!, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', spec: { user: 'x', resourceAttributes: { verb: 'get', resource: 'pods' } } };

before(async () => {
  w = await startTestWarden({ listen: true, env: { WARDEN_TLS_PORT: 'off' } });
  admin = api(w);
  // A user granted every non-resource URL and nothing else.
  urlsOnly = await userWithToken(admin, 'urls-only');
  ok(await admin.post(`${rbacBase}/clusterroles`, clusterRole('all-urls', [{ nonResourceURLs: ['*'], verbs: ['get'] }])), 201);
  ok(await admin.post(`${rbacBase}/clusterrolebindings`, clusterRoleBinding('all-urls', roleRef('ClusterRole', 'all-urls'), [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'urls-only' }])), 201);
  await grant(admin, { kind: 'User', name: 'urls-only' }, ['get'], ['namespaces']);
});
after(async () => { await w.close(); });

describe('bad percent-encoding in a path segment', () => {
  test('on the hot review route, unauthenticated: 401 and the process keeps serving', async () => {
    const r = await send('POST', '/apis/authorization.k8s.io/v1/namespaces/%ZZ/localsubjectaccessreviews', undefined, review);
    assert.equal(r.status, 401);
    assert.equal((await send('GET', '/livez')).status, 200);
  });

  test('authenticated: 400 naming the segment, on the hot lane and on every other route', async () => {
    for (const [method, path] of [
      ['POST', '/apis/authorization.k8s.io/v1/namespaces/%ZZ/localsubjectaccessreviews'],
      ['POST', '/apis/authorization.k8s.io/v1/namespaces/%E0%A4%A/localsubjectaccessreviews'],
      ['GET', '/api/v1/namespaces/%ZZ'],
      ['GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/%/roles'],
      ['DELETE', '/api/v1/namespaces/%C0'],
      ['GET', '/%ZZ'],
    ] as const) {
      const r = await send(method, path, w.adminToken, method === 'POST' ? review : undefined);
      assert.equal(r.status, 400, `${method} ${path}: ${r.text}`);
      assert.equal(r.body.reason, 'BadRequest');
      assert.match(r.body.message, /invalid URL escape in the request path/);
    }
    assert.equal((await send('GET', '/livez')).status, 200);
  });

  test('a well-formed escape still names what it encodes', async () => {
    const r = await send('GET', '/api/v1/namespaces/%64efault-not-there', w.adminToken);
    assert.equal(r.status, 404);
    assert.match(r.body.message, /namespaces "default-not-there" not found/);
  });
});

describe('case-altered paths', () => {
  const altered = [
    '/APIS/iam.warden.dev/v1/tokens',
    '/APIS/audit.warden.dev/v1/changes',
    '/Apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    '/API/v1/namespaces',
    '/api/v1/Namespaces',
    '/apis/RBAC.authorization.k8s.io/v1/clusterrolebindings',
    '/apis/rbac.authorization.k8s.io/V1/clusterroles',
  ];

  test('a user granted only non-resource URLs reads nothing through them: 404 where the path is no API path, 403 where it names another resource', async () => {
    for (const path of altered) {
      const r = await send('GET', path, urlsOnly);
      // As kube-apiserver: /APIS/... is a non-resource URL the user may get, which nothing serves (404);
      // /api/v1/Namespaces is a resource request for "Namespaces", refused before any routing (403).
      const expected = /^\/(API|APIS|Apis)\//.test(path) ? 404 : 403;
      assert.equal(r.status, expected, `${path}: ${r.text}`);
      assert.doesNotMatch(r.text, /"items"/);
    }
  });

  test('the same paths in their own case are resource requests the user is refused', async () => {
    for (const path of ['/apis/iam.warden.dev/v1/tokens', '/apis/audit.warden.dev/v1/changes', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings']) {
      assert.equal((await send('GET', path, urlsOnly)).status, 403, path);
    }
  });

  test('no route answers any case-altered form of its path, even for system:masters', async () => {
    const templates = [...new Set(routes({} as AppDeps).filter((r) => r.method === 'get' && !r.public).map((r) => r.path))];
    let tried = 0;
    for (const t of templates) {
      const concrete = t.replace(/\{namespace\}/g, 'default').replace(/\{name\}/g, 'x').replace(/\{group\}/g, 'rbac.authorization.k8s.io').replace(/\{version\}/g, 'v1');
      const segments = concrete.split('/');
      // Upper-case each literal segment in turn.
      for (let i = 1; i < segments.length; i++) {
        if (!/[a-z]/.test(segments[i]) || t.split('/')[i]?.startsWith('{')) continue;
        const path = segments.map((s, j) => (j === i ? s.toUpperCase() : s)).join('/');
        const r = await send('GET', path, w.adminToken);
        assert.equal(r.status, 404, `${path}: ${r.text}`);
        tried++;
      }
    }
    assert.ok(tried > 50, `tried ${tried} paths`);
  });
});

describe('oversized requests', () => {
  test('a 70 KB URL is answered with a Status, not a reset connection', async () => {
    const r = await send('GET', `/api/v1/namespaces/${'a'.repeat(70 * 1024)}`, w.adminToken);
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, 'Status');
  });

  test('headers past 1 MiB are 431 RequestHeaderFieldsTooLarge, read by the client, and the server keeps serving', async () => {
    const r = await send('GET', `/api/v1/namespaces?labelSelector=${'a'.repeat(1100 * 1024)}`, w.adminToken);
    assert.equal(r.status, 431);
    assert.equal(r.body.reason, 'RequestHeaderFieldsTooLarge');
    assert.equal((await send('GET', '/livez')).status, 200);
  });

  test('a request the HTTP parser cannot read is 400 with a Status', async () => {
    const net = await import('node:net');
    const url = new URL(w.warden.url!);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write('GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => { text += d; });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request/);
    assert.match(answer, /"reason":"BadRequest"/);
  });
});
