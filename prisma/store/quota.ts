/**
 * ResourceQuota usage as admission keeps it.
 *
 * A plain read sees the quotas of a namespace as last committed. A charge
 * re-reads them under row locks inside a write transaction, lets the
 * caller decide on exactly those rows, and stores the new `status.used` in
 * that same transaction, with the revision bump and change rows every write
 * has (`writeBatchWith`). Concurrent charges therefore decide one after
 * another, each on the usage the previous one left: usage never passes
 * `hard` by a race, whichever replica the requests reach.
 *
 * Every write takes the policy revision's row lock until it commits, so
 * charges could go no faster than one commit (a disk flush) at a time. This
 * replica therefore gathers the charges that arrive while its previous
 * charge transaction runs and commits them together (group commit): one
 * transaction decides them in arrival order, each on the usage the ones
 * before it left, and stores every changed quota's usage in one statement.
 * When no charge is running, a request is first decided on the committed
 * quotas: one that would change nothing (a denial, a namespace without
 * quotas) is answered from that read, true of a committed state, and takes
 * no lock.
 *
 * A namespace of a tenant whose Tenant has a quota is also decided on the
 * tenant's usage, its row locked alongside, and charged in the same
 * transaction: the sum over all the tenant's namespaces never passes it.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { PrismaClient } from '../generated/client.ts';
import { kindTables, toObject, type Row } from './kinds.ts';
import { sqlOf, type Sql } from './raw.ts';
import { writeBatchWith, type Plan, type PlannedUpdate } from './write.ts';

/** The new `status.used` of one quota, by name. */
export interface UsageUpdate {
  quota: string;
  used: Record<string, string>;
}

/** A decision taken on locked quotas: the usage to store (none when nothing changes) and a value to return. */
export interface ChargePlan<T> {
  updates: UsageUpdate[];
  /** The tenant's new tenant-wide usage, when the request changes it. */
  tenantUsed?: Record<string, string>;
  value: T;
}

/** The tenant a namespace belongs to, with its quota and its tenant-wide usage as locked. */
export interface TenantUsage {
  name: string;
  hard: Record<string, unknown>;
  used: Record<string, string>;
}

export interface ChargeOutcome<T> {
  value: T;
  /** The revision of the write that stored this plan's usage; absent when it had none. */
  revision?: number;
}

/**
 * Decides on the namespace's quotas (ordered by name) and, when the
 * namespace's tenant has a quota, on the tenant's usage; must be pure (it
 * may be asked twice), not throw, not keep the array.
 */
export type Decide<T> = (quotas: KubeObject[], tenant?: TenantUsage) => ChargePlan<T>;

const table = kindTables.ResourceQuota;
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const maxBatch = 256;

/** The quotas of `namespaces`, by namespace, each list ordered by name; `lock` takes their row locks. */
async function selectQuotas(sql: Sql, namespaces: readonly string[], lock: boolean): Promise<Map<string, KubeObject[]>> {
  const params = namespaces.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await sql.query<Row>(
    `SELECT uid, namespace, name, labels, annotations, meta, spec, status,
            resource_version AS "resourceVersion", created_at AS "createdAt"
       FROM resource_quota WHERE namespace IN (${params})${lock ? ' FOR UPDATE' : ''}`,
    ...namespaces,
  );
  const out = new Map<string, KubeObject[]>(namespaces.map((ns) => [ns, []]));
  for (const r of rows) {
    out.get(r.namespace!)!.push(toObject(table, { ...r, resourceVersion: BigInt(r.resourceVersion), createdAt: new Date(r.createdAt) }));
  }
  for (const list of out.values()) list.sort((a, b) => byCodePoint(a.metadata.name!, b.metadata.name!));
  return out;
}

/** The quotas of `namespace` as last committed, ordered by name (no locks). */
export async function readQuotas(prisma: PrismaClient, namespace: string): Promise<KubeObject[]> {
  return (await selectQuotas(await sqlOf(prisma), [namespace], false)).get(namespace)!;
}

const tenantTable = kindTables.Tenant;

/** Tenants by name with their objects, `lock` taking their row locks. */
async function selectTenants(sql: Sql, names: readonly string[], lock: boolean): Promise<Map<string, KubeObject>> {
  if (!names.length) return new Map();
  const params = names.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await sql.query<Row>(
    `SELECT uid, name, labels, annotations, meta, spec, used, resource_version AS "resourceVersion", created_at AS "createdAt"
       FROM tenant WHERE name IN (${params})${lock ? ' FOR UPDATE' : ''}`,
    ...names,
  );
  return new Map(rows.map((r) => [r.name, toObject(tenantTable, { ...r, resourceVersion: BigInt(r.resourceVersion), createdAt: new Date(r.createdAt) })]));
}

/** The quota and usage of a tenant object, or undefined when it has no quota. */
function tenantUsageOf(t: KubeObject | undefined): TenantUsage | undefined {
  const hard = (t?.spec as { resourceQuota?: { hard?: Record<string, unknown> } } | undefined)?.resourceQuota?.hard;
  if (!t || !hard || !Object.keys(hard).length) return undefined;
  return { name: t.metadata.name!, hard, used: ((t.status as { used?: Record<string, string> } | undefined)?.used) ?? {} };
}

/** The tenant usage of `tenant` as last committed (no lock). */
export async function readTenantUsage(prisma: PrismaClient, tenant: string | undefined): Promise<TenantUsage | undefined> {
  if (!tenant) return undefined;
  return tenantUsageOf((await selectTenants(await sqlOf(prisma), [tenant], false)).get(tenant));
}

/** Stores tenants' usage at revision `rv` on rows this transaction locked. */
async function storeTenantUsage(sql: Sql, rv: bigint, updates: readonly PlannedUpdate[]): Promise<void> {
  const rows = updates.map((u) => ({ uid: u.before.metadata.uid, rv: u.before.metadata.resourceVersion, used: (u.after.status as { used?: unknown }).used ?? {} }));
  const count = await sql.execute(
    `UPDATE tenant AS t SET used = v.used, resource_version = $1::bigint
       FROM jsonb_to_recordset($2::jsonb) AS v(uid text, rv bigint, used jsonb)
      WHERE t.uid = v.uid AND t.resource_version = v.rv`,
    String(rv), JSON.stringify(rows),
  );
  if (count !== rows.length) throw new Error(`tenant usage update matched ${count} of ${rows.length} locked rows`);
}

/**
 * The quotas of `namespaces`, each row locked (`FOR UPDATE`) until the
 * transaction ends. A writer that committed before the lock was granted is
 * seen: under READ COMMITTED a locking read returns the newest row version.
 */
export function lockQuotas(sql: Sql, namespaces: readonly string[]): Promise<Map<string, KubeObject[]>> {
  return selectQuotas(sql, namespaces, true);
}

const withUsed = (q: KubeObject, used: Record<string, string>): KubeObject =>
  ({ ...q, status: { ...((q.status ?? {}) as Record<string, unknown>), used } });

/**
 * Stores the status of each `after` at revision `rv`, in one statement, on
 * rows locked by this transaction (so each still has its `before` version).
 */
async function storeStatuses(sql: Sql, rv: bigint, updates: readonly PlannedUpdate[]): Promise<void> {
  const rows = updates.map((u) => ({ uid: u.before.metadata.uid, rv: u.before.metadata.resourceVersion, status: u.after.status ?? {} }));
  const count = await sql.execute(
    `UPDATE resource_quota AS q SET status = v.status, resource_version = $1::bigint
       FROM jsonb_to_recordset($2::jsonb) AS v(uid text, rv bigint, status jsonb)
      WHERE q.uid = v.uid AND q.resource_version = v.rv`,
    String(rv), JSON.stringify(rows),
  );
  if (count !== rows.length) throw new Error(`quota usage update matched ${count} of ${rows.length} locked rows`);
}

interface Pending {
  namespace: string;
  /** The namespace's tenant, whose quota is decided on and charged too. */
  tenant?: string;
  actor: string;
  decide: Decide<unknown>;
  resolve(outcome: ChargeOutcome<unknown>): void;
  reject(err: unknown): void;
}

type Settled = { ok: true; value: unknown; wrote: boolean } | { ok: false; error: unknown };

/**
 * Decides each pending charge in arrival order on the locked quotas of its
 * namespace, each seeing the usage the ones before it left, and stores the
 * final usage of every quota that changed.
 */
async function decideBatch(sql: Sql, rv: bigint, batch: readonly Pending[]): Promise<Plan<Settled[]>> {
  const locked = await lockQuotas(sql, [...new Set(batch.map((p) => p.namespace))]);
  const tenants = await selectTenants(sql, [...new Set(batch.map((p) => p.tenant).filter((t): t is string => !!t))], true);
  const before = new Map<string, KubeObject>();
  const after = new Map<string, KubeObject>();
  const tenantBefore = new Map<string, KubeObject>();
  const outcomes = batch.map((p): Settled => {
    const quotas = locked.get(p.namespace)!;
    const tenant = p.tenant ? tenants.get(p.tenant) : undefined;
    let plan: ChargePlan<unknown>;
    try {
      plan = p.decide([...quotas], tenantUsageOf(tenant));
    } catch (error) {
      return { ok: false, error };
    }
    let wrote = false;
    if (plan.tenantUsed && tenant) {
      if (!tenantBefore.has(p.tenant!)) tenantBefore.set(p.tenant!, tenant);
      tenants.set(p.tenant!, withUsed(tenant, plan.tenantUsed));
      wrote = true;
    }
    for (const u of plan.updates) {
      const i = quotas.findIndex((q) => q.metadata.name === u.quota);
      if (i < 0) continue;
      const key = `${p.namespace}/${u.quota}`;
      if (!before.has(key)) before.set(key, quotas[i]);
      quotas[i] = withUsed(quotas[i], u.used);
      after.set(key, quotas[i]);
      wrote = true;
    }
    return { ok: true, value: plan.value, wrote };
  });
  const stamp = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } });
  const written = [...after].map(([key, q]) => ({ before: before.get(key)!, after: stamp(q) }));
  if (written.length) await storeStatuses(sql, rv, written);
  const tenantsWritten = [...tenantBefore].map(([name, b]) => ({ before: b, after: stamp(tenants.get(name)!) }));
  if (tenantsWritten.length) await storeTenantUsage(sql, rv, tenantsWritten);
  return { ops: [], written: [...written, ...tenantsWritten], value: outcomes };
}

/** One replica's charges for one database, committed a batch at a time. */
class ChargeQueue {
  #waiting: Pending[] = [];
  #busy = false;

  constructor(private readonly prisma: PrismaClient) {}

  /** True while a charge transaction runs or charges wait for one. */
  get busy(): boolean {
    return this.#busy || this.#waiting.length > 0;
  }

  submit<T>(namespace: string, tenant: string | undefined, actor: string, decide: Decide<T>): Promise<ChargeOutcome<T>> {
    return new Promise<ChargeOutcome<T>>((resolve, reject) => {
      this.#waiting.push({ namespace, tenant, actor, decide, resolve: resolve as Pending['resolve'], reject });
      this.#next();
    });
  }

  /** Starts the next batch: the oldest charges of the first waiting one's actor (change rows name one actor per write). */
  #next(): void {
    if (this.#busy || this.#waiting.length === 0) return;
    this.#busy = true;
    const actor = this.#waiting[0].actor;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.#waiting) (batch.length < maxBatch && p.actor === actor ? batch : rest).push(p);
    this.#waiting = rest;
    void this.#commit(batch, actor).finally(() => {
      this.#busy = false;
      this.#next();
    });
  }

  async #commit(batch: Pending[], actor: string): Promise<void> {
    try {
      const { value: settled, result } = await writeBatchWith(this.prisma, actor, (sql, rv) => decideBatch(sql, rv, batch));
      batch.forEach((p, i) => {
        const s = settled[i];
        if (s.ok) p.resolve({ value: s.value, ...(s.wrote && result ? { revision: result.revision } : {}) });
        else p.reject(s.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}

const queues = new WeakMap<PrismaClient, ChargeQueue>();

/**
 * Decides a request on the quotas of `namespace` and stores the usage it
 * plans, in the transaction that locked the rows it decided on (shared with
 * the charges queued alongside). A plan without updates writes nothing; a
 * batch where no plan has updates consumes no revision. Rejects when the
 * transaction fails, and then nothing of its batch is stored.
 */
export async function chargeQuotas<T>(
  prisma: PrismaClient, namespace: string, actor: string, decide: Decide<T>, tenant?: string,
): Promise<ChargeOutcome<T>> {
  let queue = queues.get(prisma);
  if (!queue) queues.set(prisma, (queue = new ChargeQueue(prisma)));
  if (!queue.busy) {
    const preview = decide(await readQuotas(prisma, namespace), await readTenantUsage(prisma, tenant));
    if (preview.updates.length === 0 && !preview.tenantUsed) return { value: preview.value };
  }
  return queue.submit(namespace, tenant, actor, decide);
}
