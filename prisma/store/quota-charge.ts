/**
 * Charging ResourceQuota (and tenant) usage at admission.
 *
 * A plain read sees the quotas of a namespace as last committed. A charge
 * is stored only if every quota row it was decided on is still at the
 * version it read, checked after the revision bump every write starts with
 * (so no other write can run between the check and the commit), together
 * with the new `status.used` and the change rows every write has. Concurrent
 * charges therefore take effect one after another, each on the usage the
 * previous one left: usage never passes `hard` by a race, whichever replica
 * the requests reach. A charge whose rows changed is decided again on the
 * new ones.
 *
 * Every write holds the policy revision's row lock until it commits, so
 * charges could go no faster than one commit (a disk flush) at a time. This
 * replica therefore gathers the charges that arrive while its previous batch
 * is being stored and stores them together: they are decided in arrival
 * order, each on the usage the ones before it left, and stored by one call
 * of the database function `warden_charge` (ChargeQueue). A batch that
 * would change nothing (denials, namespaces without quotas) stores nothing
 * and consumes no revision: the function only checks its rows, so its
 * answers are true of a committed state.
 *
 * A namespace of a tenant whose Tenant has a quota is also decided on the
 * tenant's usage, its row checked alongside, and charged in the same
 * statement: the sum over all the tenant's namespaces never passes it.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { PrismaClient } from '../generated/client.ts';
import {
  byCodePoint, lockQuotas, selectQuotas, selectTenants, tenantUsageOf, type ChargeOutcome, type ChargePlan, type Decide,
} from './quota.ts';
import { sqlOf, type Sql } from './raw.ts';
import { sqlState } from './statements.ts';
import { writeBatchWith, writeStatement, type Plan, type PlannedUpdate } from './write.ts';

/** Most charges one batch takes. */
const maxBatch = 256;

const withUsed = (q: KubeObject, used: Record<string, string>): KubeObject =>
  ({ ...q, status: { ...((q.status ?? {}) as Record<string, unknown>), used } });

/**
 * Stores one JSON column of each `after` at revision `rv`, in one statement,
 * on rows locked by this transaction (so each still has its `before`
 * version): a quota's `status`, or a tenant's `used`.
 */
async function storeLocked(
  sql: Sql, rv: bigint, updates: readonly PlannedUpdate[], table: 'resource_quota' | 'tenant', column: 'status' | 'used', value: (after: KubeObject) => unknown,
): Promise<void> {
  const rows = updates.map((u) => ({ uid: u.before.metadata.uid, rv: u.before.metadata.resourceVersion, value: value(u.after) ?? {} }));
  const count = await sql.execute(
    `UPDATE ${table} AS t SET ${column} = v.value, resource_version = $1::bigint
       FROM jsonb_to_recordset($2::jsonb) AS v(uid text, rv bigint, value jsonb)
      WHERE t.uid = v.uid AND t.resource_version = v.rv`,
    String(rv), JSON.stringify(rows),
  );
  if (count !== rows.length) throw new Error(`${table} usage update matched ${count} of ${rows.length} locked rows`);
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

/** What a batch decided: each charge's outcome, and the quotas and tenants whose usage changed (still at their read version). */
interface Decided {
  outcomes: Settled[];
  quotas: PlannedUpdate[];
  tenants: PlannedUpdate[];
}

/**
 * Decides each pending charge in arrival order on the quotas of its
 * namespace in `lists` (replaced there by what it leaves) and its tenant in
 * `tenants` (likewise), each seeing the usage the ones before it left.
 */
function decideAll(batch: readonly Pending[], lists: Map<string, KubeObject[]>, tenants: Map<string, KubeObject>): Decided {
  const before = new Map<string, KubeObject>();
  const after = new Map<string, KubeObject>();
  const tenantBefore = new Map<string, KubeObject>();
  const outcomes = batch.map((p): Settled => {
    const quotas = lists.get(p.namespace)!;
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
  return {
    outcomes,
    quotas: [...after].map(([key, q]) => ({ before: before.get(key)!, after: q })),
    tenants: [...tenantBefore].map(([name, b]) => ({ before: b, after: tenants.get(name)! })),
  };
}

const stamp = (o: KubeObject, rv: bigint | number): KubeObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } });

/**
 * The locking way: decides the batch on its quotas and tenants locked in a
 * write transaction, and stores the final usage of every quota and tenant
 * that changed.
 */
async function decideLocked(sql: Sql, rv: bigint, batch: readonly Pending[]): Promise<Plan<Settled[]>> {
  const locked = await lockQuotas(sql, [...new Set(batch.map((p) => p.namespace))]);
  const tenants = await selectTenants(sql, [...new Set(batch.map((p) => p.tenant).filter((t): t is string => !!t))], true);
  const decided = decideAll(batch, locked, tenants);
  const written = decided.quotas.map((u) => ({ before: u.before, after: stamp(u.after, rv) }));
  if (written.length) await storeLocked(sql, rv, written, 'resource_quota', 'status', (q) => q.status);
  const tenantsWritten = decided.tenants.map((u) => ({ before: u.before, after: stamp(u.after, rv) }));
  if (tenantsWritten.length) await storeLocked(sql, rv, tenantsWritten, 'tenant', 'used', (t) => (t.status as { used?: unknown }).used);
  return { ops: [], written: [...written, ...tenantsWritten], value: decided.outcomes };
}

/** The version a row was read at, as `warden_charge` compares it: "uid@resourceVersion". */
const versionOf = (o: KubeObject) => `${o.metadata.uid}@${o.metadata.resourceVersion}`;

/** The quotas a decision read, as `warden_charge` compares them: their versions in uid order, joined; null for none. */
function seenQuotas(quotas: readonly KubeObject[]): string | null {
  return quotas.length ? quotas.map(versionOf).sort(byCodePoint).join(',') : null;
}

/** The SQLSTATE `warden_charge` raises when a row a batch was decided on has changed. */
const changedState = 'WQ001';
/** Most namespaces, and tenants, whose rows a queue remembers. */
const maxKnown = 20_000;

interface BatchResult {
  outcomes: Settled[];
  /** The revision that stored the batch's usage, if it stored any. */
  revision?: number;
}

/**
 * One replica's charges for one database, decided a batch at a time.
 *
 * A batch is decided on the quota and tenant rows as this queue last read
 * or wrote them (reading, without locks, the ones it does not know), and
 * stored by one call of the database function `warden_charge`
 * (prisma/migrations/*_quota_charge): one round trip, where a locking
 * transaction takes six. The function bumps the revision first, as every
 * write does, so no other write runs until it commits; then it checks that
 * every row the batch was decided on is still at the version read. If one is
 * not (another replica, or another kind of write, changed it), it stores
 * nothing, and the batch is decided again on rows read anew and, should they
 * change once more, in a locking transaction. A batch that changes nothing is
 * only checked, consuming no revision: its answers are true of the committed
 * state the check saw.
 */
class ChargeQueue {
  #waiting: Pending[] = [];
  #busy = false;
  /** Quota lists by namespace, each ordered by name, and tenant rows by name (null: none), as last read or written. */
  #known = new Map<string, KubeObject[]>();
  #knownTenants = new Map<string, KubeObject | null>();
  /** False: every batch takes the locking way (`chargeByLocking`). */
  optimistic = true;

  constructor(private readonly prisma: PrismaClient) {}

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
      const done = this.optimistic
        ? (await this.#checked(batch, actor)) ?? (await this.#checked(batch, actor)) ?? (await this.#locked(batch, actor))
        : await this.#locked(batch, actor);
      batch.forEach((p, i) => {
        const s = done.outcomes[i];
        if (s.ok) p.resolve({ value: s.value, ...(s.wrote && done.revision !== undefined ? { revision: done.revision } : {}) });
        else p.reject(s.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  async #locked(batch: Pending[], actor: string): Promise<BatchResult> {
    const { value: outcomes, result } = await writeBatchWith(this.prisma, actor, (sql, rv) => decideLocked(sql, rv, batch));
    return { outcomes, ...(result ? { revision: result.revision } : {}) };
  }

  /** Reads the rows of `namespaces` and `tenants` that this queue does not know. */
  async #learn(namespaces: readonly string[], tenants: readonly string[]): Promise<void> {
    const quotasMissing = namespaces.filter((ns) => !this.#known.has(ns));
    const tenantsMissing = tenants.filter((t) => !this.#knownTenants.has(t));
    if (!quotasMissing.length && !tenantsMissing.length) return;
    const sql = await sqlOf(this.prisma);
    const [quotas, rows] = await Promise.all([
      quotasMissing.length ? selectQuotas(sql, quotasMissing, false) : new Map<string, KubeObject[]>(),
      selectTenants(sql, tenantsMissing, false),
    ]);
    if (this.#known.size + quotasMissing.length > maxKnown) this.#known.clear();
    if (this.#knownTenants.size + tenantsMissing.length > maxKnown) this.#knownTenants.clear();
    for (const [ns, list] of quotas) this.#known.set(ns, list);
    for (const t of tenantsMissing) this.#knownTenants.set(t, rows.get(t) ?? null);
  }

  /** Decides `batch` on the rows this queue knows and stores it with `warden_charge`; undefined when one of them had changed. */
  async #checked(batch: Pending[], actor: string): Promise<BatchResult | undefined> {
    const namespaces = [...new Set(batch.map((p) => p.namespace))];
    const tenantNames = [...new Set(batch.map((p) => p.tenant).filter((t): t is string => !!t))];
    await this.#learn(namespaces, tenantNames);
    const lists = new Map<string, KubeObject[]>();
    const tenants = new Map<string, KubeObject>();
    const seen = namespaces.map((namespace) => {
      const list = this.#known.get(namespace) ?? [];
      lists.set(namespace, [...list]);
      return { namespace, quotas: seenQuotas(list) };
    });
    const seenTenants = tenantNames.map((name) => {
      const row = this.#knownTenants.get(name) ?? null;
      if (row) tenants.set(name, row);
      return { name, tenant: row ? versionOf(row) : null };
    });
    const decided = decideAll(batch, lists, tenants);
    const changed = [...decided.quotas, ...decided.tenants];
    const plan = {
      seen, seenTenants, actor,
      quotas: decided.quotas.map((u) => ({ uid: u.after.metadata.uid, status: u.after.status ?? {} })),
      tenants: decided.tenants.map((u) => ({ uid: u.after.metadata.uid, used: (u.after.status as { used?: unknown }).used ?? {} })),
      changes: changed.map((u) => ({
        kind: u.after.kind, namespace: u.after.metadata.namespace ?? '', name: u.after.metadata.name, uid: u.after.metadata.uid, before: u.before, after: u.after,
      })),
    };
    /** Each changed row as stored, by its object as decided. */
    const stored = new Map<KubeObject, KubeObject>();
    let revision: number | undefined;
    try {
      revision = await writeStatement(this.prisma, async (sql) => {
        const [row] = await sql.query<{ revision: string | null }>('SELECT warden_charge($1::jsonb)::text AS revision', JSON.stringify(plan));
        if (row.revision === null) return { value: undefined };
        const rv = Number(row.revision);
        for (const u of changed) stored.set(u.after, stamp(u.after, rv));
        const changes = changed.map((u) => ({ kind: u.after.kind, namespace: u.after.metadata.namespace ?? '', name: u.after.metadata.name!, object: stored.get(u.after)! }));
        return { value: rv, committed: { revision: rv, changes, complete: true } };
      });
    } catch (err) {
      if (sqlState(err) !== changedState) throw err;
      for (const ns of namespaces) this.#known.delete(ns);
      for (const t of tenantNames) this.#knownTenants.delete(t);
      return undefined;
    }
    if (revision !== undefined) {
      for (const [namespace, list] of lists) this.#known.set(namespace, list.map((q) => stored.get(q) ?? q));
      for (const u of decided.tenants) this.#knownTenants.set(u.after.metadata.name!, stored.get(u.after)!);
    }
    return { outcomes: decided.outcomes, ...(revision !== undefined ? { revision } : {}) };
  }
}

const queues = new WeakMap<PrismaClient, ChargeQueue>();

function queueOf(prisma: PrismaClient): ChargeQueue {
  let queue = queues.get(prisma);
  if (!queue) queues.set(prisma, (queue = new ChargeQueue(prisma)));
  return queue;
}

/**
 * Makes every later charge on `prisma` take the locking way, which in
 * service is only the fallback of a batch whose rows changed twice, so that
 * tests can hold it to the same guarantees on its own.
 */
export function chargeByLocking(prisma: PrismaClient): void {
  queueOf(prisma).optimistic = false;
}

/**
 * Decides a request on the quotas of `namespace` and stores the usage it
 * plans, on condition that the rows it decided on are still current (shared
 * with the charges queued alongside). A plan without updates writes nothing;
 * a batch where no plan has updates consumes no revision. Rejects when the
 * write fails, and then nothing of its batch is stored.
 */
export async function chargeQuotas<T>(
  prisma: PrismaClient, namespace: string, actor: string, decide: Decide<T>, tenant?: string,
): Promise<ChargeOutcome<T>> {
  return queueOf(prisma).submit(namespace, tenant, actor, decide);
}
