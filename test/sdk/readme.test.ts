/**
 * The README's CLI and SDK examples, run verbatim against a real Warden:
 * the five-minute tour's `warden` commands and TypeScript script (after the
 * tour's own apply step), and the three examples of sdk/README.md.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Warden } from '@warden/sdk';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { root } from '../support/process.ts';

const run = promisify(execFile);
let w: TestWarden;
let dir: string;
let readme: string;
let env: Record<string, string>;

/** The fenced block of `lang` that first follows the line containing `after`. */
function blockAfter(text: string, after: string, lang: string): string {
  const at = text.indexOf(after);
  assert.ok(at >= 0, `README has ${JSON.stringify(after)}`);
  const open = text.indexOf('```' + lang + '\n', at);
  const close = text.indexOf('\n```', open + 1);
  return text.slice(open + lang.length + 4, close + 1);
}

async function script(name: string, code: string): Promise<{ stdout: string; stderr: string }> {
  const file = path.join(dir, name);
  await writeFile(file, code);
  return run(process.execPath, ['--import', 'tsx', file], { cwd: root, env: { ...process.env, ...env } });
}

before(async () => {
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1' } });
  env = { W: w.warden.url!, T: w.adminToken, WARDEN_URL: w.warden.url!, WARDEN_TOKEN: w.adminToken };
  readme = await readFile(path.join(root, 'README.md'), 'utf8');
  await mkdir(path.join(root, 'tmp'), { recursive: true });
  dir = await mkdtemp(path.join(root, 'tmp', 'readme-'));
  // The tour's first step: its YAML, applied as its curl command does.
  const tourYaml = readme.slice(readme.indexOf("<<'EOF'\n") + 8, readme.indexOf('\nEOF\n'));
  await new Warden({ baseUrl: w.warden.url!, token: w.adminToken }).apply(tourYaml);
});

after(async () => {
  await w?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the tour\'s warden commands run as written', async () => {
  const sh = blockAfter(readme, 'The `warden` CLI asks what kubectl cannot', 'sh');
  assert.match(sh, /npx warden can-i/);
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', sh], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: dir, W: env.W, T: env.T } });
  assert.match(stdout, /^yes\nRBAC: allowed by RoleBinding "readers\/payments" of Role "pod-reader" to User "alice"\n/);
  assert.match(stdout, /\nUser\s+alice\s+RoleBinding\/payments\/readers\n/);
  assert.match(stdout, /\n\d+\s+\S+\s+warden:admin\s+create\s+RoleBinding\s+payments\s+readers\n/);
});

test('the tour\'s SDK script runs as written', async () => {
  const ts = blockAfter(readme, 'And the TypeScript SDK', 'ts');
  const { stdout } = await script('tour.ts', ts);
  assert.equal(stdout, 'yes RBAC: allowed by RoleBinding "bob-reads/payments" of Role "pod-reader" to User "bob"\n');
});

test('sdk/README.md\'s examples run as written', async () => {
  const sdkReadme = await readFile(path.join(root, 'sdk/README.md'), 'utf8');
  const sdk = new Warden({ baseUrl: w.warden.url!, token: w.adminToken });
  await sdk.serviceAccounts.create({ metadata: { name: 'deployer', namespace: 'payments' } });
  await sdk.roleBindings.create({ metadata: { name: 'deployer-edit', namespace: 'payments' }, subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'payments' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' } });
  const gate = await script('gate.ts', blockAfter(sdkReadme, '## Gate a deploy on `can`', 'ts'));
  assert.deepEqual(gate, { stdout: '', stderr: '' }, 'the deployer may update deployments: no refusal');
  await sdk.roleBindings.delete('deployer-edit', { namespace: 'payments' });
  await assert.rejects(script('gate.ts', blockAfter(sdkReadme, '## Gate a deploy on `can`', 'ts')), (e: { code: number; stderr: string }) => e.code === 1 && /^deploy refused: /.test(e.stderr));

  const who = await script('who.ts', blockAfter(sdkReadme, '## List who can read secrets in a namespace', 'ts'));
  assert.match(who.stdout, /^Group system:masters: group system:masters\n/m);

  await sdk.tenants.create({ metadata: { name: 'acme' }, spec: { owners: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'oscar' }] } });
  await sdk.namespaces.create({ metadata: { name: 'acme-web', labels: { 'tenancy.warden.dev/tenant': 'acme' } } });
  const owner = await script('owner.ts', blockAfter(sdkReadme, '## Add a tenant owner and check the effect', 'ts'));
  assert.match(owner.stdout, /^true RBAC: allowed by RoleBinding "warden-tenant-owners\/acme-web" of ClusterRole "admin" to User "olivia"\n$/);
});
