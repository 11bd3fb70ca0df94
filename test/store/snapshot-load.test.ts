/**
 * The snapshot's full load (prisma/snapshot-loader.ts) reads rows with plain
 * statements; it must give exactly the objects, in exactly the order, that
 * the Prisma client's models give: every snapshot kind, timestamps (a
 * token's expiry), booleans, text arrays, JSON columns, and the revision the
 * rows were read at. Run on PGlite and, with WARDEN_TEST_DATABASE_URL, on a
 * PostgreSQL server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../engine/meta.ts';
import { loadFull, snapshotKinds } from '../../prisma/snapshot-loader.ts';
import { kindTables, toObject } from '../../prisma/store/kinds.ts';
import { currentRevision } from '../../prisma/store/read.ts';
import { delegateOf } from '../../prisma/store/write.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { clusterRole, clusterRoleBinding, group, namespace, role, roleBinding, roleRef, rule, serviceAccount, tenant, user, type Obj } from '../api/builders.ts';
import { api, ok, type Api } from '../api/client.ts';
import { issue, secondsFromNow, userObject } from '../iam/support.ts';

let w: TestWarden;
let a: Api;
before(async () => {
  w = await startTestWarden();
  a = api(w);
});
after(async () => { await w?.close(); });

/** Labels and annotations, with quotes and non-ASCII text, for objects that carry them. */
const marked = { labels: { team: 'a', 'app.kubernetes.io/name': 'x' }, annotations: { note: 'quote " and \u00e9' } };

/** Every snapshot kind as the Prisma client reads it, in the order of its `findMany` by namespace and name. */
async function throughClient(): Promise<{ objects: KubeObject[]; tokenHashes: Map<string, string> }> {
  const prisma = w.warden.deps.db.prisma;
  const objects: KubeObject[] = [];
  const tokenHashes = new Map<string, string>();
  for (const kind of snapshotKinds) {
    const table = kindTables[kind];
    const rows = await delegateOf(prisma, table).findMany({ orderBy: table.namespaced ? [{ namespace: 'asc' }, { name: 'asc' }] : [{ name: 'asc' }] });
    for (const row of rows) {
      objects.push(toObject(table, row));
      if (kind === 'Token') tokenHashes.set(row.name, row.hash as string);
    }
  }
  return { objects, tokenHashes };
}

test('a full load gives the objects, order, token hashes and revision the client gives, for every snapshot kind', async () => {
  const items: Obj[] = [
    namespace('load-b', marked), namespace('load-a'),
    role('reader', [{ ...rule(['get', 'list'], ['pods']), resourceNames: ['web'] }], { namespace: 'load-a', ...marked }),
    role('b-role', [rule(['*'])], { namespace: 'load-b' }),
    clusterRole('load-viewer', [rule(['get'], ['deployments/scale'], ['apps']), { verbs: ['get'], nonResourceURLs: ['/healthz*'] }], marked),
    roleBinding('rb-2', roleRef('Role', 'reader'), [user('ann'), group('devs')], { namespace: 'load-a' }),
    roleBinding('rb-10', roleRef('ClusterRole', 'load-viewer'), [{ kind: 'ServiceAccount', name: 'ci' }], { namespace: 'load-a', ...marked }),
    roleBinding('a-binding', roleRef('Role', 'b-role'), [user('bob')], { namespace: 'load-b' }),
    // Names whose order depends on the collation: the load keeps the order the client's findMany gives.
    ...['rb.z', 'rb-z', 'rbz', 'RB-Z'].map((name) => roleBinding(name, roleRef('Role', 'b-role'), [user('bob')], { namespace: 'load-b' })),
    clusterRoleBinding('load-viewers', roleRef('ClusterRole', 'load-viewer'), [group('system:authenticated')]),
    serviceAccount('ci', { namespace: 'load-a' }, { automountServiceAccountToken: false, secrets: [{ name: 'ci-token' }] }),
    serviceAccount('builder', { namespace: 'load-b' }),
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: 'load-a' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    tenant('load-tenant', [user('ann')]),
    userObject('load-user', ['devs', 'ops']),
    userObject('load-nogroups'),
    {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com', ...marked },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    },
  ];
  ok(await a.post('/apis/warden.dev/v1/apply?fieldManager=load-test&force=true', { apiVersion: 'v1', kind: 'List', items }));
  await issue(a, 'load-expiring', { user: 'load-user', expirationTimestamp: secondsFromNow(3600), description: 'laptop' });
  await issue(a, 'load-forever', { user: 'load-nogroups' });

  const prisma = w.warden.deps.db.prisma;
  const loaded = await loadFull(prisma);
  const expected = await throughClient();
  assert.equal(loaded.revision, await currentRevision(prisma));
  assert.deepEqual(loaded.objects, expected.objects);
  assert.deepEqual(loaded.tokenHashes, expected.tokenHashes);

  // Every kind is there, with the fields that have their own columns.
  const kinds = new Set(loaded.objects.map((o) => o.kind));
  for (const kind of snapshotKinds) assert.ok(kinds.has(kind), `no ${kind} loaded`);
  const find = (kind: string, name: string) => loaded.objects.find((o) => o.kind === kind && o.metadata.name === name)!;
  const token = find('Token', 'load-expiring') as Obj;
  assert.match(token.spec.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(new Date(token.spec.expirationTimestamp).getTime() > Date.now(), true);
  assert.equal((find('ServiceAccount', 'ci') as Obj).automountServiceAccountToken, false);
  assert.deepEqual((find('User', 'load-user') as Obj).spec.groups, ['devs', 'ops']);
  assert.match(find('Namespace', 'load-b').metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(find('Namespace', 'load-b').metadata.annotations, { note: 'quote " and \u00e9' });
  assert.equal(loaded.tokenHashes.size, 2);
});

test('a full load reads one revision while writes commit around it', async () => {
  const prisma = w.warden.deps.db.prisma;
  for (let i = 0; i < 12; i++) {
    // The write is sent with the load: it commits after the load read its revision and, often, before it read the namespaces.
    const write = a.post('/apis/warden.dev/v1/apply?fieldManager=load-test&force=true', { apiVersion: 'v1', kind: 'List', items: [namespace(`load-race-${i}`)] });
    const [written, loaded] = await Promise.all([write, loadFull(prisma)]);
    ok(written);
    const newest = Math.max(0, ...loaded.objects.map((o) => Number(o.metadata.resourceVersion)));
    assert.ok(newest <= loaded.revision, `an object at ${newest} in a load at revision ${loaded.revision}`);
  }
});

test('a full load finds its tables through the search path when another schema comes first in it', async () => {
  const prisma = w.warden.deps.db.prisma;
  const before = await loadFull(prisma);
  // A schema named after the user is first in PostgreSQL's default search path ("$user", public); PGlite has one
  // session, whose search path is set here.
  const [{ user }] = await prisma.$queryRawUnsafe<{ user: string }[]>('SELECT current_user::text AS user');
  const ident = `"${user.replaceAll('"', '""')}"`;
  await prisma.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
  try {
    const first = async () => (await prisma.$queryRawUnsafe<{ schema: string }[]>('SELECT current_schema()::text AS schema'))[0].schema;
    if ((await first()) !== user) await prisma.$executeRawUnsafe(`SET search_path TO ${ident}, public`);
    assert.equal(await first(), user, 'another schema is first in the search path');
    const after = await loadFull(prisma);
    assert.deepEqual(after.objects, before.objects);
  } finally {
    await prisma.$executeRawUnsafe(`DROP SCHEMA ${ident}`);
    await prisma.$executeRawUnsafe('RESET search_path');
  }
});
