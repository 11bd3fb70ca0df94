/**
 * ResourceQuota and tenant usage as stored: the rows admission decides on,
 * as last committed or locked in a write transaction, and the shapes of a
 * decision that charges them. Charges themselves are stored by
 * quota-charge.ts.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { PrismaClient } from '../generated/client.ts';
import { kindTables, toObject, type Row } from './kinds.ts';
import { sqlOf, type Sql } from './raw.ts';
import { storable } from './errors.ts';

/** The new `status.used` of one quota, by name. */
export interface UsageUpdate {
  quota: string;
  used: Record<string, string>;
}

/** A decision taken on the quotas read: the usage to store (none when nothing changes) and a value to return. */
export interface ChargePlan<T> {
  updates: UsageUpdate[];
  /** The tenant's new tenant-wide usage, when the request changes it. */
  tenantUsed?: Record<string, string>;
  value: T;
}

/** The tenant a namespace belongs to, with its quota and its tenant-wide usage as read. */
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
export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The quotas of `namespaces`, by namespace, each list ordered by name; `lock` takes their row locks. */
export async function selectQuotas(sql: Sql, namespaces: readonly string[], lock: boolean): Promise<Map<string, KubeObject[]>> {
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
  if (!storable(namespace)) return [];
  return (await selectQuotas(await sqlOf(prisma), [namespace], false)).get(namespace)!;
}

const tenantTable = kindTables.Tenant;

/** Tenants by name with their objects, `lock` taking their row locks. */
export async function selectTenants(sql: Sql, names: readonly string[], lock: boolean): Promise<Map<string, KubeObject>> {
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
export function tenantUsageOf(t: KubeObject | undefined): TenantUsage | undefined {
  const hard = (t?.spec as { resourceQuota?: { hard?: Record<string, unknown> } } | undefined)?.resourceQuota?.hard;
  if (!t || !hard || !Object.keys(hard).length) return undefined;
  return { name: t.metadata.name!, hard, used: ((t.status as { used?: Record<string, string> } | undefined)?.used) ?? {} };
}

/** The tenant usage of `tenant` as last committed (no lock). */
export async function readTenantUsage(prisma: PrismaClient, tenant: string | undefined): Promise<TenantUsage | undefined> {
  if (!tenant) return undefined;
  return tenantUsageOf((await selectTenants(await sqlOf(prisma), [tenant], false)).get(tenant));
}

/**
 * The quotas of `namespaces`, each row locked (`FOR UPDATE`) until the
 * transaction ends. A writer that committed before the lock was granted is
 * seen: under READ COMMITTED a locking read returns the newest row version.
 */
export function lockQuotas(sql: Sql, namespaces: readonly string[]): Promise<Map<string, KubeObject[]>> {
  return selectQuotas(sql, namespaces, true);
}
