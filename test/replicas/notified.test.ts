/**
 * Revision notifications: a replica refreshes for a revision it does not
 * hold yet (another replica's write), and not for one it already holds (its
 * own writes, applied at commit, come back as notifications too).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqlOf } from '../../prisma/store/raw.ts';
import { writeStatement } from '../../prisma/store/write.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
// No poll within the test: only notifications may refresh.
before(async () => { w = await startTestWarden({ env: { WARDEN_POLL_INTERVAL_MS: '600000', WARDEN_MAX_STALENESS: '20m' } }); });
after(async () => { await w.close(); });

const sarFor = (user: string) => ({
  apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: { verb: 'list', resource: 'nodes' } },
});

/** Another replica's write, as it lands in the database: the revision bumped and its change row, no notification here. */
async function writeElsewhere(user: string): Promise<number> {
  const sql = await sqlOf(w.warden.deps.db.prisma);
  return sql.transaction(async (tx) => {
    const [{ value }] = await tx.query<{ value: string }>('UPDATE policy_revision SET value = value + 1 WHERE id = 1 RETURNING value::text');
    const crb = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: `elsewhere-${user}`, uid: `uid-${user}`, resourceVersion: value },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    };
    await tx.execute(
      `INSERT INTO change (revision, kind, namespace, name, uid, operation, actor, after)
       VALUES ($1::bigint, 'ClusterRoleBinding', '', $2, $3, 'create', 'elsewhere', $4::jsonb)`,
      value, crb.metadata.name, crb.metadata.uid, JSON.stringify(crb),
    );
    return Number(value);
  });
}

async function allowed(user: string): Promise<boolean> {
  const r = await w.http.post('/apis/authorization.k8s.io/v1/subjectaccessreviews').set('Authorization', w.auth).send(sarFor(user));
  assert.equal(r.status, 201);
  return r.body.status.allowed;
}

async function revisionReaches(revision: number, ms: number): Promise<boolean> {
  const snapshots = w.warden.deps.snapshots;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(5)) if (snapshots.current.revision >= revision) return true;
  return snapshots.current.revision >= revision;
}

test('a notification of a revision already held does not refresh; a newer one does', async () => {
  const snapshots = w.warden.deps.snapshots;
  const held = snapshots.current.revision;
  const rev = await writeElsewhere('ana');
  assert.equal(rev, held + 1);
  snapshots.notified(held);
  assert.equal(await revisionReaches(rev, 150), false, 'nothing read for a revision the snapshot holds');
  assert.equal(await allowed('ana'), false);
  snapshots.notified(rev);
  assert.equal(await revisionReaches(rev, 5000), true);
  assert.equal(await allowed('ana'), true);
});

test('a notification without a revision (a reconnect) always refreshes', async () => {
  const rev = await writeElsewhere('bo');
  w.warden.deps.snapshots.notified();
  assert.equal(await revisionReaches(rev, 5000), true);
  assert.equal(await allowed('bo'), true);
});

test('this replica\'s own write is applied at commit, and its notification reads nothing more', async () => {
  const snapshots = w.warden.deps.snapshots;
  const created = await w.http.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings').set('Authorization', w.auth).send({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'cy' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'cy' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  });
  assert.equal(created.status, 201);
  const own = Number(created.body.metadata.resourceVersion);
  assert.equal(snapshots.current.revision, own, 'applied at commit, before any notification');
  assert.equal(await allowed('cy'), true);
  // Another replica writes right after; the late notification of our own revision must not pick that up.
  const next = await writeElsewhere('di');
  snapshots.notified(own);
  assert.equal(await revisionReaches(next, 150), false);
  snapshots.notified(next);
  assert.equal(await revisionReaches(next, 5000), true);
});

test('a notification of this replica\'s own write that arrives before the write\'s reply waits for it, and reads nothing', async () => {
  const snapshots = w.warden.deps.snapshots;
  let next = 0;
  const own = await writeStatement(w.warden.deps.db.prisma, async () => {
    // The write commits (as another replica's would), then a later revision lands elsewhere, and then,
    // before this write's reply is handled, its own notification comes in.
    const rev = await writeElsewhere('eve');
    next = await writeElsewhere('flo');
    snapshots.notified(rev);
    await sleep(50);
    const sql = await sqlOf(w.warden.deps.db.prisma);
    const [change] = await sql.query<{ after: object }>('SELECT after FROM change WHERE revision = $1::bigint', String(rev));
    return { value: rev, committed: { revision: rev, changes: [{ kind: 'ClusterRoleBinding', namespace: '', name: 'elsewhere-eve', object: change.after as never }], complete: true } };
  });
  assert.equal(snapshots.current.revision, own, 'applied when the write was announced');
  assert.equal(await allowed('eve'), true);
  // A refresh on that notification would have read the later revision too.
  assert.equal(await revisionReaches(next, 150), false);
  assert.equal(await allowed('flo'), false);
  snapshots.notified(next);
  assert.equal(await revisionReaches(next, 5000), true);
});
