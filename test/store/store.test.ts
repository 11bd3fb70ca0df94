/**
 * The store port (prisma/store/store.ts), as the API and the snapshot source
 * use it, on PGlite and (with WARDEN_TEST_DATABASE_URL) on PostgreSQL: one
 * suite for every backend. Writes commit whole at one new revision and
 * reach `onCommitted` and `changesSince` in order; a commit check refuses
 * the whole batch; reads see every committed write; the NUL PostgreSQL
 * cannot hold finds nothing; quota charges and the decision log round-trip.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../engine/meta.ts';
import type { Store } from '../../prisma/store/store.ts';
import type { CommittedRevision } from '../../prisma/store/write.ts';
import { StoreError } from '../../prisma/store/errors.ts';
import { backend, startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
let store: Store;
before(async () => {
  w = await startTestWarden();
  store = w.warden.deps.store;
});
after(async () => { await w?.close(); });

const stamp = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, uid: randomUUID(), creationTimestamp: '2026-12-07T00:00:00Z' } });
const namespace = (name: string, labels: Record<string, string> = {}) => stamp({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels }, spec: {}, status: { phase: 'Active' } } as KubeObject);
const role = (ns: string, name: string) => stamp({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules: [] } as KubeObject);

test(`${backend}: a batch commits whole at one new revision, in order for listeners and for changesSince`, async () => {
  const seen: CommittedRevision[] = [];
  const stop = store.onCommitted((c) => seen.push(c));
  const before = await store.currentRevision();
  const result = await store.write([{ op: 'create', object: namespace('st-a') }, { op: 'create', object: role('st-a', 'r1') }], 'test');
  stop();
  assert.equal(result.revision, before + 1);
  assert.equal(await store.currentRevision(), before + 1);
  assert.deepEqual(result.objects.map((o) => [o.kind, o.metadata.name, o.metadata.resourceVersion]), [['Namespace', 'st-a', String(before + 1)], ['Role', 'r1', String(before + 1)]]);
  assert.deepEqual(seen.map((c) => [c.revision, c.changes.length]), [[before + 1, 2]]);
  const batch = await store.changesSince(before);
  assert.equal(batch.revision, before + 1);
  assert.deepEqual(batch.changes.map((c) => c.kind), ['Namespace', 'Role']);
  assert.equal((await store.getObject('Role', 'st-a', 'r1'))?.metadata.resourceVersion, String(before + 1));
  assert.deepEqual((await store.listObjects('Role', 'st-a')).map((o) => o.metadata.name), ['r1']);
});

test(`${backend}: a batch that fails writes nothing, and says why`, async () => {
  const before = await store.currentRevision();
  await assert.rejects(store.write([{ op: 'create', object: role('st-a', 'r2') }, { op: 'create', object: role('st-a', 'r1') }], 'test'),
    (err) => err instanceof StoreError && err.reason === 'AlreadyExists');
  assert.equal(await store.currentRevision(), before);
  assert.equal(await store.getObject('Role', 'st-a', 'r2'), null);
});

test(`${backend}: a commit check sees the database inside the transaction and refuses the whole batch`, async () => {
  await store.write([{ op: 'create', object: stamp({ apiVersion: 'tenancy.warden.dev/v1', kind: 'Tenant', metadata: { name: 'st-t' }, spec: { owners: [], namespaceLimit: 1 } } as KubeObject) }], 'test');
  await store.write([{ op: 'create', object: namespace('st-t-1', { 'tenancy.warden.dev/tenant': 'st-t' }) }], 'test');
  const before = await store.currentRevision();
  const seen: [number | undefined, number][] = [];
  await assert.rejects(store.write([{ op: 'create', object: namespace('st-t-2', { 'tenancy.warden.dev/tenant': 'st-t' }) }], 'test', async (reads) => {
    seen.push([await reads.tenantNamespaceLimit('st-t'), await reads.tenantNamespaceCount('st-t')]);
    throw new Error('over the limit');
  }), /over the limit/);
  assert.deepEqual(seen, [[1, 1]]);
  assert.equal(await store.currentRevision(), before);
  assert.equal(await store.getObject('Namespace', undefined, 'st-t-2'), null);
});

test(`${backend}: a name PostgreSQL cannot hold finds nothing, without an error`, async () => {
  assert.equal(await store.getObject('Namespace', undefined, 'a\u0000b'), null);
  assert.deepEqual(await store.listObjects('Role', '\u0000'), []);
  assert.deepEqual(await store.readQuotas('\u0000'), []);
  assert.deepEqual(await store.listChanges({ name: '\u0000' }, 10), []);
});

test(`${backend}: the change history lists writes newest first, filtered`, async () => {
  const changes = await store.listChanges({ kind: 'Role', namespace: 'st-a' }, 10);
  assert.deepEqual(changes.map((c) => [c.operation, c.name, c.actor]), [['create', 'r1', 'test']]);
});

test(`${backend}: quotas are read as committed and charged through the store`, async () => {
  const quota = stamp({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'st-a' }, spec: { hard: { pods: '2' } }, status: { hard: { pods: '2' }, used: { pods: '0' } } } as KubeObject);
  await store.write([{ op: 'create', object: quota }], 'test');
  assert.deepEqual((await store.readQuotas('st-a')).map((q) => q.metadata.name), ['q']);
  const out = await store.chargeQuotas('st-a', 'test', (quotas) => ({ value: quotas.length, updates: [{ quota: 'q', used: { pods: '1' } }] }));
  assert.equal(out.value, 1);
  assert.deepEqual(((await store.getObject('ResourceQuota', 'st-a', 'q'))!.status as { used: unknown }).used, { pods: '1' });
});

test(`${backend}: decisions are stored, listed newest first, and pruned by age`, async () => {
  const row = (at: Date, user: string) => ({
    at, caller: 'test', subjectUser: user, subjectGroups: ['g'], kind: 'SubjectAccessReview', namespace: 'st-a', verb: 'get', apiGroup: '',
    resource: 'pods', subresource: null, name: null, path: null, question: '{}', allowed: true, reason: 'r', revision: 1n,
  });
  await store.insertDecisions([row(new Date('2026-01-01T00:00:00Z'), 'old'), row(new Date(), 'new')], 5000);
  assert.deepEqual((await store.listDecisions({ namespace: 'st-a' }, 10)).map((d) => d.subjectUser), ['new', 'old']);
  assert.equal(await store.pruneDecisions(new Date('2026-06-01T00:00:00Z'), 5000), 1);
  assert.deepEqual((await store.listDecisions({ namespace: 'st-a' }, 10)).map((d) => d.subjectUser), ['new']);
});
