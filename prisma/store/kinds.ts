/**
 * How each stored kind maps between its Kubernetes object and its table row.
 * Identity and filter columns are typed; structured fields are JSON.
 * `toObject(toRow(o))` returns `o` with server-set metadata filled in.
 */
import type { KubeObject, ObjectMeta } from '../../engine/meta.ts';
import { apiVersionOf, kindIdentities, type StoredKind } from '../../engine/kinds.ts';
import { tenantLabel } from '../../engine/tenancy/types.ts';

export type { StoredKind };

export interface Row {
  uid: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  meta: Record<string, unknown>;
  resourceVersion: bigint;
  createdAt: Date;
  [column: string]: unknown;
}

export interface KindTable {
  kind: StoredKind;
  apiVersion: string;
  namespaced: boolean;
  /** The Prisma client property of the model. */
  delegate: string;
  /** The table in the database (the model's @@map); its columns are the model's fields in snake_case (their @map). */
  tableName: string;
  /** Kind-specific columns from the object (everything but metadata). */
  columns(o: KubeObject): Record<string, unknown>;
  /** Kind-specific object fields from a row. */
  fields(row: Row): Record<string, unknown>;
}

const present = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

function roleRefColumns(o: KubeObject) {
  const ref = (o.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
  return { roleRefApiGroup: ref.apiGroup ?? '', roleRefKind: ref.kind ?? '', roleRefName: ref.name ?? '', subjects: o.subjects ?? [] };
}
function bindingFields(row: Row) {
  const out: Record<string, unknown> = {};
  const subjects = row.subjects as unknown[];
  if (subjects && subjects.length) out.subjects = subjects;
  out.roleRef = { apiGroup: row.roleRefApiGroup, kind: row.roleRefKind, name: row.roleRefName };
  return out;
}

/** What a table takes from the kind's one declaration (engine/kinds.ts). */
function identity(kind: StoredKind): Pick<KindTable, 'kind' | 'apiVersion' | 'namespaced'> {
  const k = kindIdentities[kind];
  return { kind, apiVersion: apiVersionOf(k), namespaced: k.namespaced };
}

export const kindTables: Record<StoredKind, KindTable> = {
  Namespace: {
    ...identity('Namespace'),
    delegate: 'namespace',
    tableName: 'namespace',
    columns: (o) => ({
      tenant: o.metadata.labels?.[tenantLabel] ?? null,
      spec: o.spec ?? {},
      status: o.status ?? { phase: 'Active' },
    }),
    fields: (row) => ({ spec: row.spec ?? {}, status: row.status ?? { phase: 'Active' } }),
  },
  Role: {
    ...identity('Role'),
    delegate: 'role',
    tableName: 'role',
    columns: (o) => ({ rules: o.rules ?? [] }),
    fields: (row) => ({ rules: row.rules ?? [] }),
  },
  ClusterRole: {
    ...identity('ClusterRole'),
    delegate: 'clusterRole',
    tableName: 'cluster_role',
    columns: (o) => ({ rules: o.rules ?? [], aggregationRule: o.aggregationRule ?? null }),
    fields: (row) => {
      const out: Record<string, unknown> = { rules: row.rules ?? [] };
      if (present(row.aggregationRule)) out.aggregationRule = row.aggregationRule;
      return out;
    },
  },
  RoleBinding: {
    ...identity('RoleBinding'),
    delegate: 'roleBinding',
    tableName: 'role_binding',
    columns: roleRefColumns,
    fields: bindingFields,
  },
  ClusterRoleBinding: {
    ...identity('ClusterRoleBinding'),
    delegate: 'clusterRoleBinding',
    tableName: 'cluster_role_binding',
    columns: roleRefColumns,
    fields: bindingFields,
  },
  ServiceAccount: {
    ...identity('ServiceAccount'),
    delegate: 'serviceAccount',
    tableName: 'service_account',
    columns: (o) => ({
      secrets: o.secrets ?? null,
      imagePullSecrets: o.imagePullSecrets ?? null,
      automountServiceAccountToken: typeof o.automountServiceAccountToken === 'boolean' ? o.automountServiceAccountToken : null,
    }),
    fields: (row) => {
      const out: Record<string, unknown> = {};
      if (present(row.secrets)) out.secrets = row.secrets;
      if (present(row.imagePullSecrets)) out.imagePullSecrets = row.imagePullSecrets;
      if (present(row.automountServiceAccountToken)) out.automountServiceAccountToken = row.automountServiceAccountToken;
      return out;
    },
  },
  ResourceQuota: {
    ...identity('ResourceQuota'),
    delegate: 'resourceQuota',
    tableName: 'resource_quota',
    columns: (o) => ({ spec: o.spec ?? {}, status: o.status ?? {} }),
    fields: (row) => ({ spec: row.spec ?? {}, status: row.status ?? {} }),
  },
  NetworkPolicy: {
    ...identity('NetworkPolicy'),
    delegate: 'networkPolicy',
    tableName: 'network_policy',
    columns: (o) => ({ spec: o.spec ?? {} }),
    fields: (row) => ({ spec: row.spec ?? {} }),
  },
  // `used` (tenant-wide quota usage) is written by admission only, never from an object.
  Tenant: {
    ...identity('Tenant'),
    delegate: 'tenant',
    tableName: 'tenant',
    columns: (o) => ({ spec: o.spec ?? {} }),
    fields: (row) => ({ spec: row.spec ?? {}, status: { used: row.used ?? {} } }),
  },
  User: {
    ...identity('User'),
    delegate: 'user',
    tableName: 'iam_user',
    columns: (o) => ({ groups: ((o.spec as { groups?: string[] } | undefined)?.groups) ?? [] }),
    fields: (row) => ({ spec: { groups: row.groups ?? [] } }),
  },
  // The secret's hash is a column only: it never appears in an object.
  Token: {
    ...identity('Token'),
    delegate: 'token',
    tableName: 'iam_token',
    columns: (o) => {
      const spec = (o.spec ?? {}) as { user?: string; groups?: string[]; audiences?: string[]; description?: string; expirationTimestamp?: string };
      return {
        user: spec.user ?? '',
        groups: spec.groups ?? [],
        audiences: spec.audiences ?? [],
        description: spec.description ?? '',
        expiresAt: spec.expirationTimestamp ? new Date(spec.expirationTimestamp) : null,
      };
    },
    fields: (row) => {
      const spec: Record<string, unknown> = { user: row.user };
      if ((row.groups as string[])?.length) spec.groups = row.groups;
      if ((row.audiences as string[] | null)?.length) spec.audiences = row.audiences;
      if (row.description) spec.description = row.description;
      if (row.expiresAt) spec.expirationTimestamp = (row.expiresAt as Date).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { spec };
    },
  },
  // `status` (acceptedNames, conditions) is set by the server on every write.
  CustomResourceDefinition: {
    ...identity('CustomResourceDefinition'),
    delegate: 'customResourceDefinition',
    tableName: 'custom_resource_definition',
    columns: (o) => ({ spec: o.spec ?? {}, status: o.status ?? {} }),
    fields: (row) => ({ spec: row.spec ?? {}, status: row.status ?? {} }),
  },
};

export const storedKinds = Object.keys(kindTables) as StoredKind[];
export const namespacedKinds = storedKinds.filter((k) => kindTables[k].namespaced);

/** Metadata fields with their own columns; everything else of metadata goes to `meta`. */
const columnMeta = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'labels', 'annotations']);

/** The row for an object whose uid, creationTimestamp and resourceVersion are already decided. */
export function toRow(table: KindTable, o: KubeObject, resourceVersion: bigint): Row {
  const m = o.metadata;
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (!columnMeta.has(k) && v !== undefined) meta[k] = v;
  const row: Row = {
    uid: m.uid!,
    name: m.name!,
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
    meta,
    resourceVersion,
    createdAt: new Date(m.creationTimestamp!),
    ...table.columns(o),
  };
  if (table.namespaced) row.namespace = m.namespace!;
  return row;
}

export function toObject(table: KindTable, row: Row): KubeObject {
  const metadata: ObjectMeta = { name: row.name };
  if (table.namespaced) metadata.namespace = row.namespace;
  metadata.uid = row.uid;
  metadata.resourceVersion = String(row.resourceVersion);
  Object.assign(metadata, row.meta ?? {});
  metadata.creationTimestamp = row.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (row.labels && Object.keys(row.labels).length) metadata.labels = row.labels;
  if (row.annotations && Object.keys(row.annotations).length) metadata.annotations = row.annotations;
  return { apiVersion: table.apiVersion, kind: table.kind, metadata, ...table.fields(row) };
}
