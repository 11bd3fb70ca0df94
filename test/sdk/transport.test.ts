/**
 * The SDK's transport against real HTTP servers: retries of idempotent
 * calls after 503 / 429 (honouring Retry-After) and connection resets,
 * none for writes; a non-Status error body; kubeconfig reading and a
 * server CA over HTTPS.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import selfsigned from 'selfsigned';
import { Warden, WardenError } from '@warden/sdk';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
let handler: Handler;
let hits = 0;
let server: http.Server;
let url: string;

before(async () => {
  server = http.createServer((req, res) => handler(req, res, ++hits));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => { server.closeAllConnections(); server.close(); });

const version = (res: http.ServerResponse) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' })); };
const unavailable = (res: http.ServerResponse, retryAfter?: string) => {
  res.statusCode = 503;
  res.setHeader('content-type', 'application/json');
  if (retryAfter) res.setHeader('retry-after', retryAfter);
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', message: 'try later', code: 503 }));
};

test('an idempotent call is retried after 503 and gets the 200', async () => {
  hits = 0;
  handler = (_q, res, n) => (n < 3 ? unavailable(res) : version(res));
  const v = await new Warden({ baseUrl: url, token: 't', retryBaseMs: 5 }).version();
  assert.equal(v.gitVersion, 'v1.32.0');
  assert.equal(hits, 3);
});

test('Retry-After is honoured', async () => {
  hits = 0;
  let first = 0;
  handler = (_q, res, n) => { if (n === 1) { first = Date.now(); unavailable(res, '1'); } else version(res); };
  await new Warden({ baseUrl: url, token: 't', retryBaseMs: 1 }).version();
  assert.ok(Date.now() - first >= 950, 'waited the second Retry-After named');
});

test('429 and a reset connection are retried; reviews count as idempotent', async () => {
  hits = 0;
  handler = (req, res, n) => {
    if (n === 1) { res.statusCode = 429; res.end(); return; }
    if (n === 2) { req.socket.destroy(); return; }
    res.statusCode = 201;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ kind: 'SubjectAccessReview', status: { allowed: true, reason: 'ok' } }));
  };
  const d = await new Warden({ baseUrl: url, token: 't', retryBaseMs: 5 }).can({ user: 'a', verb: 'get', resource: 'pods' });
  assert.equal(d.allowed, true);
  assert.equal(hits, 3);
});

test('a write is never retried', async () => {
  hits = 0;
  handler = (_q, res) => unavailable(res);
  await assert.rejects(new Warden({ baseUrl: url, token: 't', retryBaseMs: 5 }).namespaces.create({ metadata: { name: 'x' } }), (e: WardenError) => e.status === 503 && e.reason === 'ServiceUnavailable' && e.message === 'try later');
  assert.equal(hits, 1);
});

test('a write refused before it ran (minimum revision not reached) is sent again', async () => {
  hits = 0;
  handler = (_q, res, n) => {
    if (n === 1) {
      res.statusCode = 503;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', message: 'not yet', code: 503, details: { causes: [{ reason: 'MinRevisionNotReached' }] } }));
      return;
    }
    res.statusCode = 201;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', resourceVersion: '5' } }));
  };
  const created = await new Warden({ baseUrl: url, token: 't', retryBaseMs: 5 }).namespaces.create({ metadata: { name: 'x' } });
  assert.equal(created.metadata?.name, 'x');
  assert.equal(hits, 2);
});

test('retries stop after the configured count with the last answer', async () => {
  hits = 0;
  handler = (_q, res) => unavailable(res);
  await assert.rejects(new Warden({ baseUrl: url, token: 't', retries: 2, retryBaseMs: 5 }).version(), (e: WardenError) => e.status === 503);
  assert.equal(hits, 3);
});

test('an answer that is not a Status still becomes a WardenError with the code', async () => {
  handler = (_q, res) => { res.statusCode = 502; res.end('bad gateway from a proxy'); };
  await assert.rejects(new Warden({ baseUrl: url, token: 't' }).version(), (e: WardenError) => e.status === 502 && /bad gateway/.test(e.message));
});

test('the token is sent as a bearer token', async () => {
  let auth: string | undefined;
  handler = (req, res) => { auth = req.headers.authorization; version(res); };
  await new Warden({ baseUrl: url, token: 'secret-1' }).version();
  assert.equal(auth, 'Bearer secret-1');
});

test('fromKubeconfig reads server, CA file and token of the current context, and trusts that CA', async () => {
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] } as never);
  const tls = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: req.headers.authorization ?? '' }));
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-kc-'));
  try {
    await writeFile(path.join(dir, 'ca.crt'), pems.cert);
    const kubeconfig = path.join(dir, 'config');
    await writeFile(kubeconfig, `apiVersion: v1
kind: Config
current-context: w
contexts:
- name: w
  context: {cluster: c, user: u}
- name: other
  context: {cluster: c, user: v}
clusters:
- name: c
  cluster: {server: 'https://127.0.0.1:${(tls.address() as { port: number }).port}', certificate-authority: ca.crt}
users:
- name: u
  user: {token: kc-token}
- name: v
  user: {token: other-token}
`);
    assert.equal((await (await Warden.fromKubeconfig({ path: kubeconfig })).version()).gitVersion, 'Bearer kc-token');
    assert.equal((await (await Warden.fromKubeconfig({ path: kubeconfig, context: 'other' })).version()).gitVersion, 'Bearer other-token');
    const inline = path.join(dir, 'inline');
    await writeFile(inline, (await readFile(kubeconfig, 'utf8')).replace('certificate-authority: ca.crt', `certificate-authority-data: ${Buffer.from(pems.cert).toString('base64')}`));
    process.env.KUBECONFIG = `${path.join(dir, 'absent')}${path.delimiter}${inline}`;
    try {
      assert.equal((await (await Warden.fromKubeconfig()).version()).gitVersion, 'Bearer kc-token', 'KUBECONFIG files, a missing one skipped; the CA inline');
    } finally {
      delete process.env.KUBECONFIG;
    }
    // Without the CA the certificate is refused.
    await assert.rejects(new Warden({ baseUrl: `https://127.0.0.1:${(tls.address() as { port: number }).port}`, token: 'x', retries: 0 }).version(), (e: WardenError) => e.reason === 'Unreachable');
    await assert.rejects(Warden.fromKubeconfig({ path: kubeconfig, context: 'missing' }), (e: WardenError) => /context "missing" does not exist/.test(e.message));
    await writeFile(path.join(dir, 'bad'), 'clusters: {not: a list}\n');
    await assert.rejects(Warden.fromKubeconfig({ path: path.join(dir, 'bad') }), (e: WardenError) => /clusters: must be a list/.test(e.message));
    await writeFile(path.join(dir, 'broken'), 'a: [unclosed\n');
    await assert.rejects(Warden.fromKubeconfig({ path: path.join(dir, 'broken') }), (e: WardenError) => /not YAML/.test(e.message));
    await assert.rejects(Warden.fromKubeconfig({ path: path.join(dir, 'absent') }), (e: WardenError) => /cannot read/.test(e.message));
  } finally {
    tls.closeAllConnections();
    tls.close();
  }
});
