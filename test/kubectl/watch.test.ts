/**
 * The real kubectl watching Warden over HTTPS: `kubectl get roles -A -w`
 * prints a row for each Role as it is created, updated and deleted through
 * the API (kubectl asks for Tables on the watch), and `kubectl wait
 * --for=delete` returns once the object is deleted, or times out with its
 * error when nothing deletes it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { kubectlFor, kubectlSkip as skip, type Kubectl } from '../support/kubectl.ts';

const rbac = '/apis/rbac.authorization.k8s.io/v1';
let w: TestWarden;
let kubectl: Kubectl;
const started: ChildProcess[] = [];

const role = (ns: string, name: string, verbs = ['get']) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});

async function call(method: 'post' | 'patch' | 'delete', path: string, body?: object, type = 'application/json'): Promise<void> {
  let r = w.http[method](path).set('Authorization', w.auth);
  if (body) r = r.set('Content-Type', type).send(JSON.stringify(body));
  const res = await r;
  assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${res.text}`);
}

/** A running kubectl whose output is collected as it streams. */
function running(...args: string[]): { out: () => string; err: () => string; exit: Promise<number | null>; until(re: RegExp, what: string, ms?: number): Promise<void>; stop(): void } {
  const child = kubectl.start(...args);
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    out: () => out,
    err: () => err,
    exit,
    async until(re, what, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > deadline) assert.fail(`kubectl did not print ${what} within ${ms} ms; stdout:\n${out}\nstderr:\n${err}`);
        if (child.exitCode !== null) assert.fail(`kubectl exited with ${child.exitCode} before printing ${what}; stdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

before(async () => {
  if (skip) return;
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: '0', HOST: '127.0.0.1' } });
  kubectl = kubectlFor(w, { prefix: 'warden-kubectl-watch-' });
  for (const name of ['watch-a', 'watch-b']) await call('post', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await call('post', `${rbac}/namespaces/watch-a/roles`, role('watch-a', 'existing'));
});
after(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await w?.close();
});

/** Resolves once Warden has a watch open. */
async function watchOpen(what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (w.warden.deps.watches.open < 1) {
    if (Date.now() > deadline) assert.fail(`no watch open within 5 s: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A row of `kubectl get roles -A`: namespace, name, creation time. */
const row = (ns: string, name: string) => new RegExp(`^${ns}\\s+${name}\\s+\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z\\s*$`, 'm');

test('kubectl get roles -A -w prints the existing roles, then a row for each role created while it runs', { skip }, async () => {
  const watching = running('get', 'roles', '-A', '-w');
  await watching.until(row('watch-a', 'existing'), 'the existing role');
  await watchOpen('kubectl watches once it has listed');
  assert.match(watching.out(), /^NAMESPACE\s+NAME\s+CREATED AT\s*$/m);
  await call('post', `${rbac}/namespaces/watch-b/roles`, role('watch-b', 'appeared'));
  await watching.until(row('watch-b', 'appeared'), 'the role created in watch-b');
  await call('post', `${rbac}/namespaces/watch-a/roles`, role('watch-a', 'second'));
  await watching.until(row('watch-a', 'second'), 'the role created in watch-a');
  // An update prints the row again.
  await call('patch', `${rbac}/namespaces/watch-b/roles/appeared`, { metadata: { labels: { team: 'blue' } } }, 'application/merge-patch+json');
  await watching.until(new RegExp(`${row('watch-b', 'appeared').source}[^]*${row('watch-b', 'appeared').source}`, 'm'), 'the updated role\'s row again');
  watching.stop();
  await watching.exit;
  const lines = watching.out().trim().split('\n');
  assert.equal(lines.filter((l) => /^NAMESPACE/.test(l)).length, 1, 'one header');
  assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join('/')), ['watch-a/existing', 'watch-b/appeared', 'watch-a/second', 'watch-b/appeared']);
  assert.equal(watching.err(), '');
});

test('kubectl get roles -n <ns> -w --output-watch-events prints ADDED, MODIFIED and DELETED', { skip }, async () => {
  const watching = running('get', 'roles', '-n', 'watch-b', '-w', '--output-watch-events');
  await watching.until(/^ADDED\s+appeared\s/m, 'the existing role as ADDED');
  await call('post', `${rbac}/namespaces/watch-b/roles`, role('watch-b', 'evented'));
  await call('patch', `${rbac}/namespaces/watch-b/roles/evented`, { metadata: { labels: { team: 'red' } } }, 'application/merge-patch+json');
  await call('delete', `${rbac}/namespaces/watch-b/roles/evented`);
  await call('post', `${rbac}/namespaces/watch-a/roles`, role('watch-a', 'not-here'));
  await watching.until(/^DELETED\s+evented\s/m, 'the deleted role');
  watching.stop();
  await watching.exit;
  const events = watching.out().trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '));
  assert.deepEqual(events, ['ADDED appeared', 'ADDED evented', 'MODIFIED evented', 'DELETED evented']);
});

test('kubectl wait --for=delete returns 0 once the role is deleted through the API', { skip }, async () => {
  await call('post', `${rbac}/namespaces/watch-a/roles`, role('watch-a', 'doomed'));
  const waiting = running('wait', '--for=delete', 'role/doomed', '-n', 'watch-a', '--timeout=20s');
  // kubectl is watching once it has been running a moment; deleting earlier would be seen by its first read all the same.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(waiting.out(), '', 'still waiting while the role exists');
  await watchOpen('kubectl waits on a watch');
  const deleted = Date.now();
  await call('delete', `${rbac}/namespaces/watch-a/roles/doomed`);
  const code = await waiting.exit;
  assert.equal(code, 0, waiting.err());
  assert.ok(Date.now() - deleted < 5000, 'returned promptly after the delete');
  assert.match(waiting.out(), /role\.rbac\.authorization\.k8s\.io\/doomed condition met/);
});

test('kubectl wait --for=delete times out with its error when nothing deletes the role', { skip }, async () => {
  const waiting = running('wait', '--for=delete', 'role/existing', '-n', 'watch-a', '--timeout=2s');
  const code = await waiting.exit;
  assert.notEqual(code, 0);
  assert.match(waiting.err(), /timed out waiting for the condition on roles\/existing/);
  assert.equal((await w.http.get(`${rbac}/namespaces/watch-a/roles/existing`).set('Authorization', w.auth)).status, 200);
});
