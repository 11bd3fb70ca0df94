/**
 * First-start state: the bootstrap admin token. With WARDEN_ADMIN_TOKEN set,
 * only its hash is kept, in memory. Otherwise Warden creates a token for
 * `warden:admin` (group system:masters) once, stores only its hash, prints it
 * once, and writes it to WARDEN_DATA_DIR/admin-token with mode 0600.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../prisma/database.ts';
import type { KubeObject } from '../engine/meta.ts';
import { StoreError } from '../prisma/store/errors.ts';
import { hashToken } from './authn.ts';
import { privilegedGroup } from '../engine/rbac/decision.ts';
import { staleAggregatedRules } from '../engine/rbac/aggregation.ts';
import type { ClusterRole } from '../engine/rbac/types.ts';
import type { Store } from '../prisma/store/store.ts';

export const adminTokenName = 'warden-admin';
export const systemActor = 'system:warden';

/**
 * Installs the bootstrap ClusterRoles and ClusterRoleBindings when the
 * database has never been written (revision 0): once, on first start.
 * Afterwards they are ordinary objects an administrator may change or
 * delete. Replicas starting together race harmlessly: one commits, the
 * others see AlreadyExists.
 */
export async function installBootstrapPolicy(db: Database, objects: KubeObject[], log: Logger): Promise<boolean> {
  if ((await db.store.currentRevision()) !== 0) return false;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ops = objects.map((o) => ({
    op: 'create' as const,
    object: { ...o, metadata: { ...o.metadata, uid: randomUUID(), creationTimestamp: now } },
  }));
  try {
    await db.store.write(ops, systemActor);
  } catch (err) {
    if (err instanceof StoreError && err.reason === 'AlreadyExists') return false;
    throw err;
  }
  log.info({ objects: objects.length }, 'installed the bootstrap ClusterRoles and ClusterRoleBindings');
  return true;
}

/**
 * Rewrites the stored rules of aggregated ClusterRoles that do not match
 * their aggregate (a database written before aggregation was kept in the
 * stored rules); every later write keeps them (prisma/store/aggregation.ts).
 */
export async function materializeAggregation(store: Store, log: Logger): Promise<void> {
  const roles = new Map((await store.listObjects('ClusterRole')).map((o) => [o.metadata.name!, o]));
  const stale = staleAggregatedRules([...roles.values()] as unknown as ClusterRole[]);
  if (!stale.size) return;
  const ops = [...stale].map(([name, rules]) => ({ op: 'update' as const, object: { ...roles.get(name)!, rules }, before: roles.get(name)! }));
  try {
    await store.write(ops, systemActor);
  } catch (err) {
    // Another replica wrote them first.
    if (err instanceof StoreError && err.reason === 'Conflict') return;
    throw err;
  }
  log.info({ clusterRoles: [...stale.keys()] }, 'wrote the aggregated rules of ClusterRoles');
}

export function newTokenSecret(): string {
  return `wdn_${randomBytes(32).toString('base64url')}`;
}

/** Returns the token printed for the operator, or undefined when none was created now. */
export async function ensureAdminToken(db: Database, dataDir: string, log: Logger): Promise<string | undefined> {
  const existing = await db.store.getObject('Token', undefined, adminTokenName);
  if (existing) return undefined;
  const secret = newTokenSecret();
  const object = {
    apiVersion: 'iam.warden.dev/v1',
    kind: 'Token',
    metadata: { name: adminTokenName, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
    spec: { user: 'warden:admin', groups: [privilegedGroup], description: 'bootstrap administrator' },
  };
  try {
    await db.store.write([{ op: 'create', object, columns: { hash: hashToken(secret) } }], systemActor);
  } catch (err) {
    // Another replica created it first: it printed the token.
    if (err instanceof StoreError && err.reason === 'AlreadyExists') return undefined;
    throw err;
  }
  if (dataDir.startsWith('memory://')) {
    log.warn('created the bootstrap admin token (user warden:admin, group system:masters); it is shown once here');
    process.stdout.write(`\nWarden admin token (shown once): ${secret}\n\n`);
    return secret;
  }
  const file = path.join(dataDir, 'admin-token');
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    log.warn({ file }, 'created the bootstrap admin token (user warden:admin, group system:masters); it is shown once here and saved in the file');
  } catch (err) {
    log.warn({ err }, 'created the bootstrap admin token but could not save it to a file; it is shown once here');
  }
  process.stdout.write(`\nWarden admin token (shown once): ${secret}\n\n`);
  return secret;
}
