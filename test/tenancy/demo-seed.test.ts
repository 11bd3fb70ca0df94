/**
 * `npm run seed:demo` (prisma/seed/demo.ts) against a listening Warden, as
 * a user runs it: it creates the two demo tenants and everything in them,
 * a second run changes nothing, the owners see their own tenant alone, and
 * a bad token fails with Warden's message. Where the URL and the token come
 * from is pinned on `seedOptions` itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoStages, describeObject } from '../../prisma/seed/demo-platform.ts';
import { seedOptions } from '../../prisma/seed/demo.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok, type Api } from '../api/client.ts';
import type { Obj } from '../api/builders.ts';
import { as, tenantsPath } from './support.ts';

const run = promisify(execFile);
const script = new URL('../../prisma/seed/demo.ts', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;

let w: TestWarden;
let admin: Api;

before(async () => {
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1' } });
  admin = api(w);
});
after(async () => { await w?.close(); });

const seed = (...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { ...process.env, WARDEN_ADMIN_TOKEN: '' } });

const pathOf = (o: Obj): string => {
  const m = o.metadata as { name: string; namespace?: string };
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  const plural: Record<string, string> = {
    User: 'users', Tenant: 'tenants', Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', Role: 'roles',
    RoleBinding: 'rolebindings', ResourceQuota: 'resourcequotas', NetworkPolicy: 'networkpolicies',
  };
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return `${base}${m.namespace ? `/namespaces/${m.namespace}` : ''}/${plural[String(o.kind)]}/${m.name}`;
};

const everything = demoStages.flat();

/** Every demo object's resourceVersion, read back through the admin. */
async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of everything) out[describeObject(o)] = ok(await admin.get(pathOf(o))).metadata.resourceVersion;
  return out;
}

describe('the demo seed against a running Warden', () => {
  let first: Record<string, string>;

  test('the first run creates every demo object and says so, with commands to try', async () => {
    const { stdout } = await seed('--url', w.warden.url!, '--token', w.adminToken);
    assert.match(stdout, new RegExp(`^Applied ${everything.length} objects to ${w.warden.url}:`));
    for (const o of everything) assert.ok(stdout.includes(`  ${describeObject(o)}\n`), describeObject(o));
    assert.match(stdout, /kw --as alice get namespaces/);
    first = await versions();
  });

  test('a second run changes nothing: every object keeps its resourceVersion', async () => {
    await seed('--url', w.warden.url!, '--token', w.adminToken);
    assert.deepEqual(await versions(), first);
  });

  test('both tenants exist with their namespaces, and each owner gets admin in its own', async () => {
    const shop = ok(await admin.get(`${tenantsPath}/shop`));
    assert.deepEqual(shop.status.namespaces, ['shop-payments', 'shop-web']);
    assert.deepEqual(ok(await admin.get(`${tenantsPath}/analytics`)).status.namespaces, ['analytics-etl']);
    const binding = ok(await admin.get('/apis/rbac.authorization.k8s.io/v1/namespaces/shop-web/rolebindings/warden-tenant-owners'));
    assert.equal(binding.roleRef.name, 'admin');
    assert.ok(ok(await admin.get('/api/v1/namespaces/shop-web/resourcequotas/compute')).spec.hard.pods);
    assert.equal(ok(await admin.get('/apis/networking.k8s.io/v1/namespaces/shop-payments/networkpolicies')).items.length, 2);
  });

  test('alice sees the shop namespaces alone and is refused in analytics', async () => {
    const alice = as(w, 'alice');
    assert.deepEqual(ok(await alice.get('/api/v1/namespaces')).items.map((n: Obj) => n.metadata.name), ['shop-payments', 'shop-web']);
    assert.equal((await alice.get('/apis/rbac.authorization.k8s.io/v1/namespaces/analytics-etl/roles')).status, 403);
    assert.deepEqual(ok(await alice.get(tenantsPath)).items.map((t: Obj) => t.metadata.name), ['shop']);
  });

  test('a token Warden does not know fails the run with exit code 1 and Warden\'s message', async () => {
    const err = await seed('--url', w.warden.url!, '--token', 'not-a-token').then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.ok(err, 'the run failed');
    assert.equal(err.code, 1);
    assert.match(err.stderr, /Warden refused the demo objects \(HTTP 401\)/);
  });
});

describe('seedOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-seed-'));
  writeFileSync(join(dir, 'admin-token'), 'from-the-file\n');

  const cases: [string, string[], Record<string, string>, { url: string; token: string }][] = [
    ['defaults: the local address and the token file in WARDEN_DATA_DIR', [], { WARDEN_DATA_DIR: dir }, { url: 'http://127.0.0.1:8080', token: 'from-the-file' }],
    ['the environment', [], { WARDEN_URL: 'http://w:9000/', WARDEN_ADMIN_TOKEN: 'env-token' }, { url: 'http://w:9000', token: 'env-token' }],
    ['arguments over the environment', ['--url', 'http://a:1', '--token', 'arg-token'], { WARDEN_URL: 'http://w:9000', WARDEN_ADMIN_TOKEN: 'env-token' }, { url: 'http://a:1', token: 'arg-token' }],
    ['a token file named on the command line', ['--token-file', join(dir, 'admin-token')], {}, { url: 'http://127.0.0.1:8080', token: 'from-the-file' }],
  ];
  for (const [name, argv, env, want] of cases) test(name, () => assert.deepEqual(seedOptions(argv, env), want));

  test('no token anywhere is an error naming the ways to give one', () => {
    assert.throws(() => seedOptions([], { WARDEN_DATA_DIR: join(dir, 'missing') }), /no admin token: pass --token, set WARDEN_ADMIN_TOKEN/);
  });
});
