/**
 * `@kubernetes/client-node`'s informer (`makeInformer`, a ListWatch) on
 * Roles and RoleBindings, in one namespace and cluster-wide, against a
 * listening Warden over HTTPS (its self-signed certificate pinned as the
 * CA): the initial list, then add, update and delete for changes made
 * through the API; and across Warden restarts on the same database, a
 * resume from the informer's resourceVersion (changes made while it was
 * away arrive, with no relist) and, past a short watch history, the 410
 * Expired relist that shows what changed meanwhile.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  CoreV1Api, KubeConfig, makeInformer, RbacAuthorizationV1Api,
  type Informer, type KubernetesObject, type ObjectCache, type KubernetesListObject, type V1Role, type V1RoleBinding,
} from '@kubernetes/client-node';
import { freePort } from '../support/process.ts';
import { pgliteImage } from '../support/templates.ts';
import { createTestDatabase, startTestWarden, testServerUrl, type TestWarden } from '../support/warden.ts';

const rbacPath = '/apis/rbac.authorization.k8s.io/v1';
const ns = 'informed';
const other = 'elsewhere';
const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;

let dir: string;
let db: { url: string; drop(): Promise<void> } | undefined;
let tlsPort: number;
let w: TestWarden | undefined;
let kc: KubeConfig;
let rbac: RbacAuthorizationV1Api;

/** Warden on the same data directory (PGlite, and the TLS certificate) or Postgres database and HTTPS port every time. */
async function startWarden(env: Record<string, string> = {}): Promise<TestWarden> {
  return startTestWarden({
    listen: true,
    dataDir: dir,
    databaseUrl: db?.url,
    env: { PORT: '0', WARDEN_TLS_PORT: String(tlsPort), HOST: '127.0.0.1', WARDEN_ADMIN_TOKEN: adminToken, ...env },
  });
}

async function restartWarden(env: Record<string, string> = {}): Promise<void> {
  await w!.close();
  w = undefined;
  w = await startWarden(env);
}

/**
 * One informer and what it reported, as "add ns/name" lines. The informer
 * reports a lost connection (Warden down) as an error and stops; as the
 * client's documentation does, it is started again after a moment, unless
 * reconnecting is held back.
 */
class Watched {
  readonly events: string[] = [];
  readonly errors: unknown[] = [];
  lists = 0;
  readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  #hold = false;
  #waiting = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(path: string, list: () => Promise<KubernetesListObject<KubernetesObject>>) {
    this.informer = makeInformer(kc, path, () => { this.lists++; return list(); });
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.informer.on(verb, (o) => { this.events.push(`${verb} ${o.metadata?.namespace}/${o.metadata?.name}`); });
    }
    this.informer.on('error', (err) => {
      if (this.#stopped) return;
      this.errors.push(err);
      if (this.#hold) this.#waiting = true;
      else this.#restartSoon();
    });
  }

  #restartSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => { if (!this.#stopped) void this.informer.start(); }, 100);
  }

  /** Holds back reconnecting after the next lost connection. */
  hold(): void {
    this.#hold = true;
  }

  /** Reconnects now if it waited, and from then on after every lost connection. */
  release(): void {
    this.#hold = false;
    if (this.#waiting) {
      this.#waiting = false;
      this.#restartSoon();
    }
  }

  get waiting(): boolean {
    return this.#waiting;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.informer.stop();
  }

  /** Resolves once the events since `from` are `expected`; fails with what came otherwise. */
  async expect(from: number, expected: string[], what: string, ms = 8000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.events.length - from < expected.length && Date.now() < deadline) await sleep(25);
    // Anything beyond what is expected (a duplicate, a stray event) would show within a moment.
    await sleep(150);
    assert.deepEqual(this.events.slice(from), expected, `${what} (errors: ${this.errors.map(String).join('; ')})`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}

const roleBody = (name: string, verbs = ['get']): V1Role => ({ metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs }] });
const bindingBody = (name: string, user: string): V1RoleBinding => ({
  metadata: { name },
  subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
});

let rolesHere: Watched;
let rolesAll: Watched;
let bindingsHere: Watched;
let bindingsAll: Watched;
let all: Watched[];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'warden-informer-'));
  if (testServerUrl) db = await createTestDatabase();
  else {
    // The data directory starts as a copy of the migrated image, which is much faster than a first start's initdb.
    const seed = new PGlite(path.join(dir, 'pgdata'), { loadDataDir: await pgliteImage() });
    await seed.waitReady;
    await seed.close();
  }
  tlsPort = await freePort();
  w = await startWarden();
  assert.ok(w.warden.tlsCertFile, 'the self-signed certificate is kept in the data directory');
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'warden', server: `https://127.0.0.1:${tlsPort}`, caFile: w.warden.tlsCertFile }],
    users: [{ name: 'admin', token: adminToken }],
    contexts: [{ name: 'warden', cluster: 'warden', user: 'admin' }],
    currentContext: 'warden',
  });
  rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [ns, other]) await core.createNamespace({ body: { metadata: { name } } });
  await rbac.createNamespacedRole({ namespace: ns, body: roleBody('before') });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: bindingBody('before', 'ann') });

  rolesHere = new Watched(`${rbacPath}/namespaces/${ns}/roles`, () => rbac.listNamespacedRole({ namespace: ns }));
  rolesAll = new Watched(`${rbacPath}/roles`, () => rbac.listRoleForAllNamespaces());
  bindingsHere = new Watched(`${rbacPath}/namespaces/${ns}/rolebindings`, () => rbac.listNamespacedRoleBinding({ namespace: ns }));
  bindingsAll = new Watched(`${rbacPath}/rolebindings`, () => rbac.listRoleBindingForAllNamespaces());
  all = [rolesHere, rolesAll, bindingsHere, bindingsAll];
  await Promise.all(all.map((x) => x.informer.start()));
});

after(async () => {
  await Promise.all((all ?? []).map((x) => x.stop()));
  await w?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

test('the informers list what exists, then see add, update and delete of Roles and RoleBindings', async () => {
  await rolesHere.expect(0, [`add ${ns}/before`], 'the namespaced role informer\'s initial list');
  await rolesAll.expect(0, [`add ${ns}/before`], 'the cluster-wide role informer\'s initial list');
  await bindingsHere.expect(0, [`add ${ns}/before`], 'the namespaced binding informer\'s initial list');
  await bindingsAll.expect(0, [`add ${ns}/before`], 'the cluster-wide binding informer\'s initial list');
  const from = all.map((x) => x.events.length);

  await rbac.createNamespacedRole({ namespace: ns, body: roleBody('reader') });
  await rbac.createNamespacedRole({ namespace: other, body: roleBody('remote') });
  const current = await rbac.readNamespacedRole({ name: 'reader', namespace: ns });
  await rbac.replaceNamespacedRole({ name: 'reader', namespace: ns, body: { ...roleBody('reader', ['get', 'list']), metadata: current.metadata } });
  await rbac.deleteNamespacedRole({ name: 'reader', namespace: ns });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: bindingBody('readers', 'bob') });
  await rbac.createNamespacedRoleBinding({ namespace: other, body: bindingBody('remote', 'carl') });
  await rbac.patchNamespacedRoleBinding({ name: 'readers', namespace: ns, body: [{ op: 'add', path: '/metadata/labels', value: { team: 'web' } }] });
  await rbac.deleteNamespacedRoleBinding({ name: 'readers', namespace: ns });

  await rolesHere.expect(from[0], [`add ${ns}/reader`, `update ${ns}/reader`, `delete ${ns}/reader`], 'roles in one namespace');
  await rolesAll.expect(from[1], [`add ${ns}/reader`, `add ${other}/remote`, `update ${ns}/reader`, `delete ${ns}/reader`], 'roles in every namespace');
  await bindingsHere.expect(from[2], [`add ${ns}/readers`, `update ${ns}/readers`, `delete ${ns}/readers`], 'bindings in one namespace');
  await bindingsAll.expect(from[3], [`add ${ns}/readers`, `add ${other}/remote`, `update ${ns}/readers`, `delete ${ns}/readers`], 'bindings in every namespace');
  // The cache holds what the API holds.
  assert.deepEqual(rolesAll.informer.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort(), [`${other}/remote`, `${ns}/before`]);
  assert.equal(rolesHere.informer.get('before', ns)?.metadata?.name, 'before');
  assert.equal(bindingsHere.informer.get('readers', ns), undefined);
  assert.ok(all.every((x) => x.lists === 1), 'one list each, then the watch');
  assert.deepEqual(all.flatMap((x) => x.errors), []);
});

test('after a Warden restart, the informers resume from their resourceVersion: what changed while they were away arrives, without a relist', async () => {
  for (const x of all) x.hold();
  const from = all.map((x) => x.events.length);
  const errorsBefore = all.map((x) => x.errors.length);
  await restartWarden();
  await until(() => all.every((x) => x.waiting), 'every informer lost its connection');
  // Changed while the informers are away, on the restarted Warden.
  await rbac.createNamespacedRole({ namespace: ns, body: roleBody('while-away') });
  await rbac.patchNamespacedRole({ name: 'while-away', namespace: ns, body: [{ op: 'replace', path: '/rules/0/verbs', value: ['watch'] }] });
  await rbac.deleteNamespacedRoleBinding({ name: 'remote', namespace: other });
  for (const x of all) x.release();
  await rolesHere.expect(from[0], [`add ${ns}/while-away`, `update ${ns}/while-away`], 'roles in one namespace, while away');
  await rolesAll.expect(from[1], [`add ${ns}/while-away`, `update ${ns}/while-away`], 'roles in every namespace, while away');
  await bindingsAll.expect(from[3], [`delete ${other}/remote`], 'bindings in every namespace, while away');
  assert.equal(bindingsHere.events.length, from[2]);
  assert.ok(all.every((x, i) => x.errors.length > errorsBefore[i]), 'each informer saw its connection lost');
  assert.deepEqual(all.map((x) => x.lists), [1, 1, 1, 1], 'resumed from the resourceVersion, no relist');

  // And what changes after they reconnected reaches them live.
  const next = all.map((x) => x.events.length);
  await rbac.deleteNamespacedRole({ name: 'while-away', namespace: ns });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: bindingBody('after-restart', 'dora') });
  await rolesHere.expect(next[0], [`delete ${ns}/while-away`], 'roles in one namespace, after the restart');
  await rolesAll.expect(next[1], [`delete ${ns}/while-away`], 'roles in every namespace, after the restart');
  await bindingsHere.expect(next[2], [`add ${ns}/after-restart`], 'bindings in one namespace, after the restart');
  await bindingsAll.expect(next[3], [`add ${ns}/after-restart`], 'bindings in every namespace, after the restart');
});

test('after a restart with a watch history shorter than their absence, the informers get 410 Expired, relist, and see what changed', async () => {
  for (const x of all) x.hold();
  const from = all.map((x) => x.events.length);
  await restartWarden({ WARDEN_WATCH_HISTORY: '300ms' });
  await until(() => all.every((x) => x.waiting), 'every informer lost its connection');
  await rbac.createNamespacedRole({ namespace: ns, body: roleBody('relisted') });
  await rbac.deleteNamespacedRole({ name: 'remote', namespace: other });
  await rbac.patchNamespacedRoleBinding({ name: 'before', namespace: ns, body: [{ op: 'add', path: '/metadata/labels', value: { seen: 'relist' } }] });
  // The informers' resourceVersions are now older than the history kept.
  await sleep(600);
  for (const x of all) x.release();
  await rolesHere.expect(from[0], [`add ${ns}/relisted`], 'roles in one namespace, relisted');
  // A relist reports what is gone as deleted, then what it lists as added or updated.
  await rolesAll.expect(from[1], [`delete ${other}/remote`, `add ${ns}/relisted`], 'roles in every namespace, relisted');
  await bindingsHere.expect(from[2], [`update ${ns}/before`], 'bindings in one namespace, relisted');
  await bindingsAll.expect(from[3], [`update ${ns}/before`], 'bindings in every namespace, relisted');
  assert.deepEqual(all.map((x) => x.lists), [2, 2, 2, 2], 'each relisted once');
  assert.equal(bindingsAll.informer.get('before', ns)?.metadata?.labels?.seen, 'relist');

  const next = all.map((x) => x.events.length);
  await rbac.deleteNamespacedRole({ name: 'relisted', namespace: ns });
  await rolesHere.expect(next[0], [`delete ${ns}/relisted`], 'roles in one namespace, after the relist');
  await rolesAll.expect(next[1], [`delete ${ns}/relisted`], 'roles in every namespace, after the relist');
});
