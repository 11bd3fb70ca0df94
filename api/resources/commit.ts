/**
 * Commits a batch of writes and returns once this replica's snapshot has the
 * new revision, so the caller's next decision on this replica sees its write.
 * Store outcomes become kube Status errors here.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../engine/meta.ts';
import { StoreError } from '../../prisma/store/errors.ts';
import type { WriteOp, WriteResult } from '../../prisma/store/write.ts';
import type { CommitCheck } from '../../prisma/store/store.ts';
import { actorOf, type AppDeps, type RequestContext } from '../context.ts';
import { alreadyExists, conflict, notFound } from '../status.ts';
import { apiKinds, type ApiKind } from './registry.ts';

const byKind = new Map(apiKinds.map((k) => [k.kind as string, k]));

/** How long a write waits for its own replica's snapshot before answering anyway. */
const snapshotWaitMs = 5_000;

export const staleMessage = 'the object has been modified; please apply your changes to the latest version and try again';

export function storeErrorStatus(err: StoreError) {
  const k = byKind.get(err.kind);
  const target = { resource: k?.plural ?? err.kind.toLowerCase(), group: k?.group, name: err.objectName };
  switch (err.reason) {
    case 'NotFound': return notFound(target);
    case 'AlreadyExists': return alreadyExists(target);
    case 'Conflict': return conflict(target, staleMessage);
  }
}

/**
 * Adds the writes that must land with `ops` in the same transaction (a
 * tenant namespace's managed bindings, a cascade's deletes). Runs before
 * the transaction, on the snapshot in force (and may read the store). It
 * replaces ops in place or appends: the i-th op stays the i-th request's.
 */
export type OpExpander = (deps: AppDeps, ctx: RequestContext, ops: WriteOp[]) => WriteOp[] | Promise<WriteOp[]>;
/**
 * A check that must see the database as the transaction will commit it:
 * it runs inside the transaction, after the revision lock is taken (so no
 * other write can interleave), and throws a Status to refuse.
 */
export type CommitGuard = CommitCheck;

export async function commit(deps: AppDeps, ctx: RequestContext, requested: WriteOp[]): Promise<WriteResult> {
  let ops = requested;
  for (const e of deps.writes.expanders) ops = await e(deps, ctx, ops);
  let result: WriteResult;
  const guards = deps.writes.guards;
  try {
    result = await deps.store.write(ops, actorOf(ctx), guards.length ? async (reads, batch) => { for (const g of guards) await g(reads, batch); } : undefined);
  } catch (err) {
    if (err instanceof StoreError) throw storeErrorStatus(err);
    throw err;
  }
  await deps.snapshots.waitFor(result.revision, snapshotWaitMs);
  return result;
}

/** Server-set metadata of a new object: uid, creationTimestamp, and a name from generateName. */
export function stampNew(k: ApiKind, o: KubeObject, now: Date): KubeObject {
  const metadata = { ...o.metadata };
  if (!metadata.name && metadata.generateName) metadata.name = metadata.generateName + randomSuffix();
  metadata.uid = randomUUID();
  metadata.creationTimestamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  delete metadata.resourceVersion;
  delete metadata.deletionTimestamp;
  delete metadata.deletionGracePeriodSeconds;
  delete metadata.generation;
  return k.prepare({ ...o, metadata });
}

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
