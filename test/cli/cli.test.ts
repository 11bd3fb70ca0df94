/**
 * The `warden` CLI as a user runs it: the package built (ESM in dist/, no
 * sources beside it, as published) and its bin run as a process against a
 * real Warden; stdout, stderr and exit codes of every command, `-o json`
 * and `-o yaml` parsed back, connection from flags, environment and
 * kubeconfig, and the bad inputs (unknown verb, bad resource spelling,
 * missing token, unreachable server, malformed kubeconfig).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { Warden } from '@warden/sdk';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { freePort, root } from '../support/process.ts';

let w: TestWarden;
let pkg: string;
let home: string;

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the built CLI with only the environment given (and a HOME without a kubeconfig). */
function warden(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(pkg, 'bin/warden.js'), ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

let env: Record<string, string>;
const rbac = 'rbac.authorization.k8s.io';

before(async () => {
  // Build the package as it is published: dist/ (no src/), bin/ and the entry files, inside the repository so its dependencies resolve.
  const scratch = path.join(root, 'tmp');
  await mkdir(scratch, { recursive: true });
  pkg = await mkdtemp(path.join(scratch, 'warden-cli-'));
  home = await mkdtemp(path.join(scratch, 'warden-home-'));
  await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'sdk/tsconfig.build.json'), '--outDir', path.join(pkg, 'dist')]);
  for (const f of ['package.json', 'entry.js', 'index.js', 'node.js', 'bin']) await cp(path.join(root, 'sdk', f), path.join(pkg, f), { recursive: true });
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1' } });
  env = { WARDEN_URL: w.warden.url!, WARDEN_TOKEN: w.adminToken };
  const sdk = new Warden({ baseUrl: w.warden.url!, token: w.adminToken });
  await sdk.apply(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
- {apiGroups: [""], resources: [secrets], resourceNames: [public], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: shop}
subjects: [{kind: User, name: alice}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
`);
});

after(async () => {
  await w?.close();
  if (pkg) await rm(pkg, { recursive: true, force: true });
  if (home) await rm(home, { recursive: true, force: true });
});

describe('commands', () => {
  test('can-i prints yes or no first and exits 0 or 1; --explain adds the reason', async () => {
    assert.deepEqual(await warden(['can-i', 'list', 'pods', '-n', 'shop', '--as', 'alice'], env), { code: 0, stdout: 'yes\n', stderr: '' });
    assert.deepEqual(await warden(['can-i', 'delete', 'pods', '-n', 'shop', '--as', 'alice'], env), { code: 1, stdout: 'no\n', stderr: '' });
    const yes = await warden(['can-i', 'get', 'pods', 'web-1', '-n', 'shop', '--as', 'alice', '--explain'], env);
    assert.equal(yes.code, 0);
    assert.match(yes.stdout, /^yes\nRBAC: allowed by RoleBinding "readers\/shop" of Role "pod-reader" to User "alice"\n$/);
    const no = await warden(['can-i', 'delete', 'pods', '-n', 'shop', '--as', 'alice', '--explain'], env);
    assert.equal(no.code, 1);
    assert.match(no.stdout, /^no\n.+\n\nBindings that applied:\n  RoleBinding shop\/readers -> Role pod-reader\n      get,list on pods\n/);
    assert.match(no.stdout, /\nMissing: a rule allowing "delete" on resource "pods" in API group "" in namespace "shop"\n$/);
    assert.equal((await warden(['can-i', 'delete', 'namespaces'], env)).stdout, 'yes\n', 'without --as: the caller itself');
    assert.equal((await warden(['can-i', 'get', 'pods', '--as', 'nobody', '--as-group', 'system:masters'], env)).code, 0);
    assert.equal((await warden(['can-i', 'get', 'deployments.apps/scale', '-n', 'shop', '--as', 'alice'], env)).stdout, 'no\n');
  });

  test('who-can prints a table, and -o json a list of subjects with their bindings', async () => {
    const t = await warden(['who-can', 'get', 'pods', '-n', 'shop'], env);
    assert.equal(t.code, 0);
    assert.match(t.stdout, /^KIND\s+NAME\s+NAMESPACE\s+BINDINGS\n/);
    assert.match(t.stdout, /\nUser\s+alice\s+RoleBinding\/shop\/readers\n/);
    const j = await warden(['who-can', 'get', 'pods', '-n', 'shop', '-o', 'json'], env);
    const subjects = JSON.parse(j.stdout) as { kind: string; name: string; bindings: { name: string }[] }[];
    assert.deepEqual(subjects.find((s) => s.name === 'alice')?.bindings.map((b) => b.name), ['readers']);
    assert.ok(subjects.some((s) => s.kind === 'Group' && s.name === 'system:masters'));
  });

  test('rules lists what a subject may do, as kubectl auth can-i --list', async () => {
    const t = await warden(['rules', '--as', 'alice', '-n', 'shop'], env);
    assert.equal(t.code, 0);
    assert.match(t.stdout, /\npods\s+\[\]\s+\[\]\s+\[get list\]\n/);
    assert.match(t.stdout, /\nsecrets\s+\[\]\s+\[public\]\s+\[get\]\n/);
    const y = YAML.parse((await warden(['rules', '--as', 'alice', '-n', 'shop', '-o', 'yaml'], env)).stdout);
    assert.ok(y.resourceRules.some((r: { resources: string[] }) => r.resources.includes('pods')));
  });

  test('traffic answers yes or no for two endpoints', async () => {
    const r = await warden(['traffic', 'shop/app=web', 'shop/app=db', '--port', '5432'], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^yes\n/);
    const j = JSON.parse((await warden(['traffic', 'shop/app=web', '10.0.0.9', '--port', '443', '-o', 'json'], env)).stdout);
    assert.equal(j.allowed, true);
    const bad = await warden(['traffic', 'Shop!', '10.0.0.9', '--port', '443'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid endpoint/);
  });

  test('what-if shows the permission delta and answers --can before and after; nothing is written', async () => {
    const file = path.join(home, 'change.yaml');
    await writeFile(file, `apiVersion: ${rbac}/v1\nkind: RoleBinding\nmetadata: {name: bob-edit, namespace: shop}\nsubjects: [{kind: User, name: bob}]\nroleRef: {apiGroup: ${rbac}, kind: ClusterRole, name: edit}\n`);
    const t = await warden(['what-if', '-f', file, '--can', 'delete pods -n shop --as bob'], env);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^SUBJECT\s+NAMESPACE\s+GAINED\s+LOST\nUser\/bob\s+shop\s+/);
    assert.match(t.stdout, /\nQUESTION\s+NOW\s+AFTER\ndelete pods -n shop --as bob\s+no\s+yes\n/);
    const j = JSON.parse((await warden(['what-if', '-f', file, '--can', 'delete pods -n shop --as bob', '-o', 'json'], env)).stdout);
    assert.equal(j.answers[0].after, true);
    assert.equal((await warden(['can-i', 'delete', 'pods', '-n', 'shop', '--as', 'bob'], env)).stdout, 'no\n');
  });

  test('apply from a file and from stdin, with --dry-run', async () => {
    const file = path.join(home, 'sa.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: from-file, namespace: shop}\n');
    assert.deepEqual(await warden(['apply', '-f', file, '--dry-run'], env), { code: 0, stdout: 'serviceaccount/from-file applied (dry run)\n', stderr: '' });
    assert.deepEqual(await warden(['apply', '-f', '-'], env, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: from-stdin, namespace: shop}\n'), { code: 0, stdout: 'serviceaccount/from-stdin applied\n', stderr: '' });
    const j = JSON.parse((await warden(['apply', '-f', file, '-o', 'json'], env)).stdout);
    assert.equal(j[0].metadata.name, 'from-file');
    const bad = await warden(['apply', '-f', '-'], env, `apiVersion: ${rbac}/v1\nkind: Role\nmetadata: {name: broken, namespace: shop}\nrules: [{apiGroups: [""], resources: [pods]}]\n`);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^Error from server \(Invalid\): .*verbs/);
    const missing = await warden(['apply', '-f', path.join(home, 'nope.yaml')], env);
    assert.deepEqual([missing.code, missing.stderr], [2, `error: ${path.join(home, 'nope.yaml')}: no such file\n`]);
  });

  test('history and decisions list newest first, filtered', async () => {
    const h = await warden(['history', '--kind', 'ServiceAccount', '-n', 'shop', '--since', '1h'], env);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^REVISION\s+TIME\s+ACTOR\s+OPERATION\s+KIND\s+NAMESPACE\s+NAME\n\d+\s+\S+\s+warden:admin\s+create\s+ServiceAccount\s+shop\s+from-/);
    const changes = JSON.parse((await warden(['history', '--name', 'readers', '-o', 'json'], env)).stdout);
    assert.deepEqual(changes.map((c: { object: { name: string } }) => c.object.name), ['readers']);
    await warden(['can-i', 'get', 'pods', '-n', 'shop', '--as', 'audited'], env);
    let list: { spec: { subject: { user: string } }; status: { allowed: boolean } }[] = [];
    for (let i = 0; i < 30 && !list.length; i++) {
      list = YAML.parse((await warden(['decisions', '--user', 'audited', '--denied', '--since', '5m', '-o', 'yaml'], env)).stdout) ?? [];
    }
    assert.equal(list.length, 1);
    assert.equal(list[0].status.allowed, false);
    const t = await warden(['decisions', '--user', 'audited'], env);
    assert.match(t.stdout, /^TIME\s+KIND\s+USER\s+VERB\s+RESOURCE\s+NAMESPACE\s+ALLOWED\s+REASON\n\S+\s+SubjectAccessReview\s+audited\s+get\s+pods\s+shop\s+no\s+/);
    assert.equal((await warden(['history', '--since', 'yesterday'], env)).code, 2);
  });

  test('matrix shows yes, no and partial per resource and verb, or subjects per verb', async () => {
    const t = await warden(['matrix', '-n', 'shop', '--as', 'alice'], env);
    assert.equal(t.code, 0);
    assert.match(t.stdout, /^NAME\s+GET\s+LIST\s+WATCH\s+CREATE\s+UPDATE\s+PATCH\s+DELETE\n/);
    assert.match(t.stdout, /\npods\s+yes\s+yes\s+no\s+no\s+no\s+no\s+no\n/);
    assert.match(t.stdout, /\nsecrets\s+partial\s+no\s+/);
    const j = JSON.parse((await warden(['matrix', '-n', 'shop', '--as', 'alice', '-o', 'json'], env)).stdout);
    assert.deepEqual(j.find((r: { resource: string }) => r.resource === 'pods'), { resource: 'pods', get: 'yes', list: 'yes', watch: 'no', create: 'no', update: 'no', patch: 'no', delete: 'no' });
    const s = JSON.parse((await warden(['matrix', '-n', 'shop', '--subjects-of', 'pods', '--verbs', 'get,delete', '-o', 'json'], env)).stdout);
    assert.deepEqual(s.find((r: { name: string }) => r.name === 'alice'), { kind: 'User', name: 'alice', get: 'yes', delete: 'no' });
    assert.equal((await warden(['matrix', '-n', 'shop'], env)).code, 2, 'one of --as or --subjects-of');
  });

  test('risks lists findings', async () => {
    const r = await warden(['risks', '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout)));
    assert.equal((await warden(['risks', '-n', 'shop'], env)).code, 0);
  });

  test('--help on every command exits 0 with an example', async () => {
    const top = await warden(['--help']);
    assert.equal(top.code, 0);
    const commands = ['can-i', 'who-can', 'rules', 'traffic', 'what-if', 'apply', 'history', 'decisions', 'matrix', 'risks'];
    for (const c of commands) assert.match(top.stdout, new RegExp(`\\n  ${c} `));
    for (const c of commands) {
      const r = await warden([c, '--help']);
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, /\nExample:\n  warden /, c);
    }
  });
});

describe('connection and bad input', () => {
  test('an unknown verb or resource spelling exits 2 with a message and sends nothing', async () => {
    const port = await freePort();
    const none = { WARDEN_URL: `http://127.0.0.1:${port}`, WARDEN_TOKEN: 't' };
    const verb = await warden(['can-i', 'frobnicate', 'pods'], none);
    assert.deepEqual([verb.code, verb.stdout], [2, '']);
    assert.match(verb.stderr, /^error: unknown verb "frobnicate"/);
    const res = await warden(['can-i', 'get', 'Pods!'], none);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^error: invalid resource "Pods!"/);
    const usage = await warden(['can-i', 'get'], none);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /missing required argument 'resource'/);
    const unknown = await warden(['frobnicate'], none);
    assert.equal(unknown.code, 2);
  });

  test('a missing token or server says what to give', async () => {
    const r = await warden(['can-i', 'get', 'pods'], { WARDEN_URL: w.warden.url! });
    assert.deepEqual([r.code, r.stdout], [2, '']);
    assert.match(r.stderr, /^error: no token: give --token, set WARDEN_TOKEN/);
    const s = await warden(['can-i', 'get', 'pods']);
    assert.match(s.stderr, /^error: no server: give --server, set WARDEN_URL/);
    const bad = await warden(['can-i', 'get', 'pods'], { ...env, WARDEN_TOKEN: 'wrong' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Error from server \(Unauthorized\)/);
  });

  test('an unreachable server is a clear one-line error within the timeout', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await warden(['who-can', 'get', 'pods', '--server', `http://127.0.0.1:${port}`, '--token', 't', '--request-timeout', '3s']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(Date.now() - started < 6000);
  });

  test('flags come before the environment, which comes before the kubeconfig', async () => {
    assert.equal((await warden(['can-i', 'list', 'pods', '-n', 'shop', '--as', 'alice', '--token', w.adminToken], { ...env, WARDEN_TOKEN: 'wrong' })).code, 0);
    const kubeconfig = path.join(home, 'kubeconfig');
    await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\ncurrent-context: w\ncontexts:\n- name: w\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: '${w.warden.url}'}\nusers:\n- name: u\n  user: {token: ${w.adminToken}}\n`);
    assert.equal((await warden(['can-i', 'list', 'pods', '-n', 'shop', '--as', 'alice', '--kubeconfig', kubeconfig])).stdout, 'yes\n');
    assert.equal((await warden(['can-i', 'list', 'pods', '-n', 'shop', '--as', 'alice'], { KUBECONFIG: kubeconfig })).stdout, 'yes\n');
    const envWins = await warden(['can-i', 'list', 'pods', '-n', 'shop', '--as', 'alice'], { KUBECONFIG: kubeconfig, WARDEN_TOKEN: 'wrong' });
    assert.match(envWins.stderr, /Unauthorized/);
    // The context's namespace is the default -n, as in kubectl.
    const withNamespace = path.join(home, 'kubeconfig-ns');
    await writeFile(withNamespace, (await readFile(kubeconfig, 'utf8')).replace('context: {cluster: c, user: u}', 'context: {cluster: c, user: u, namespace: shop}'));
    assert.equal((await warden(['can-i', 'list', 'pods', '--as', 'alice', '--kubeconfig', withNamespace])).stdout, 'yes\n');
    assert.equal((await warden(['can-i', 'list', 'pods', '--as', 'alice', '-n', 'default', '--kubeconfig', withNamespace])).stdout, 'no\n');
    const ctx = await warden(['can-i', 'list', 'pods', '--kubeconfig', kubeconfig, '--context', 'nope']);
    assert.equal(ctx.code, 2);
    assert.match(ctx.stderr, /context "nope" does not exist/);
  });

  test('a malformed kubeconfig is exit 2 naming the file and the problem', async () => {
    const file = path.join(home, 'bad-kubeconfig');
    await writeFile(file, 'clusters: [unclosed\n');
    const r = await warden(['can-i', 'get', 'pods', '--kubeconfig', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^error: kubeconfig ${file}: not YAML`));
    await writeFile(file, 'current-context: x\ncontexts: 3\n');
    assert.match((await warden(['can-i', 'get', 'pods'], { KUBECONFIG: file })).stderr, /contexts: must be a list/);
  });
});
