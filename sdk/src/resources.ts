/**
 * One typed client per stored kind: list (every page, as an async
 * iterable), get, create, update, patch (merge, JSON, strategic, apply),
 * delete, deleteCollection and watch, on the kube-apiserver paths of
 * `openapi.yaml`. Paths are checked against the spec's path names at
 * compile time and objects are the spec's schemas.
 */
import type { components } from './generated/openapi.js';
import { unwrap, type CallOptions, type Context, type PathWith } from './context.js';
import { WardenError } from './errors.js';
import { watchEvents, type WatchEvent, type WatchOptions } from './watch.js';

type Schemas = components['schemas'];

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

export interface ListOptions extends CallOptions {
  /** For a namespaced kind: one namespace; all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size (default 500): the iterable follows `metadata.continue` through every page. */
  limit?: number;
}

export interface ObjectOptions extends CallOptions {
  namespace?: string;
}

export interface WriteOptions extends CallOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions extends ObjectOptions, WriteOptions {
  /** merge (default): JSON merge patch; json: a JSON patch; strategic: strategic merge patch; apply: server-side apply. */
  type?: PatchType;
  /** For apply: take over fields other managers own. */
  force?: boolean;
}

export const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Where a kind lives in the API (every path a name in `openapi.yaml`). */
export interface KindPaths {
  kind: string;
  apiVersion: string;
  /** The collection: cluster-wide for a cluster-scoped kind, per namespace for a namespaced one. */
  collection: PathWith<'get'> & PathWith<'post'>;
  /** The list across all namespaces of a namespaced kind. */
  all?: PathWith<'get'>;
  item: PathWith<'get'> & PathWith<'put'> & PathWith<'patch'> & PathWith<'delete'>;
}

const rbac = 'rbac.authorization.k8s.io/v1';

/** Every stored kind the SDK has a client for, by its client name. */
export const kinds = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1', collection: '/api/v1/namespaces', item: '/api/v1/namespaces/{name}' },
  serviceAccounts: {
    kind: 'ServiceAccount', apiVersion: 'v1', collection: '/api/v1/namespaces/{namespace}/serviceaccounts',
    all: '/api/v1/serviceaccounts', item: '/api/v1/namespaces/{namespace}/serviceaccounts/{name}',
  },
  roles: {
    kind: 'Role', apiVersion: rbac, collection: '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles',
    all: '/apis/rbac.authorization.k8s.io/v1/roles', item: '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}',
  },
  clusterRoles: {
    kind: 'ClusterRole', apiVersion: rbac, collection: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    item: '/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}',
  },
  roleBindings: {
    kind: 'RoleBinding', apiVersion: rbac, collection: '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings',
    all: '/apis/rbac.authorization.k8s.io/v1/rolebindings', item: '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings/{name}',
  },
  clusterRoleBindings: {
    kind: 'ClusterRoleBinding', apiVersion: rbac, collection: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    item: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{name}',
  },
  resourceQuotas: {
    kind: 'ResourceQuota', apiVersion: 'v1', collection: '/api/v1/namespaces/{namespace}/resourcequotas',
    all: '/api/v1/resourcequotas', item: '/api/v1/namespaces/{namespace}/resourcequotas/{name}',
  },
  networkPolicies: {
    kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', collection: '/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies',
    all: '/apis/networking.k8s.io/v1/networkpolicies', item: '/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}',
  },
  tenants: { kind: 'Tenant', apiVersion: 'tenancy.warden.dev/v1', collection: '/apis/tenancy.warden.dev/v1/tenants', item: '/apis/tenancy.warden.dev/v1/tenants/{name}' },
  users: { kind: 'User', apiVersion: 'iam.warden.dev/v1', collection: '/apis/iam.warden.dev/v1/users', item: '/apis/iam.warden.dev/v1/users/{name}' },
  tokens: { kind: 'Token', apiVersion: 'iam.warden.dev/v1', collection: '/apis/iam.warden.dev/v1/tokens', item: '/apis/iam.warden.dev/v1/tokens/{name}' },
  customResourceDefinitions: {
    kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', collection: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    item: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}',
  },
} as const satisfies Record<string, KindPaths>;

/** The object type of each client, from the spec's schemas. */
export interface KindObjects {
  namespaces: Schemas['Namespace'];
  serviceAccounts: Schemas['ServiceAccount'];
  roles: Schemas['Role'];
  clusterRoles: Schemas['ClusterRole'];
  roleBindings: Schemas['RoleBinding'];
  clusterRoleBindings: Schemas['ClusterRoleBinding'];
  resourceQuotas: Schemas['ResourceQuota'];
  networkPolicies: Schemas['NetworkPolicy'];
  tenants: Schemas['Tenant'];
  users: Schemas['User'];
  tokens: Schemas['Token'];
  customResourceDefinitions: Schemas['CustomResourceDefinition'];
}

export type KindName = keyof typeof kinds;

interface Listed<T> {
  items?: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}

// openapi-fetch's methods are typed per path; a client for any kind calls them through this one signature.
type AnyCall = (path: string, init: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export class ResourceClient<T extends { metadata?: ObjectMeta }> {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;

  constructor(private readonly ctx: Context, private readonly paths: KindPaths) {
    this.kind = paths.kind;
    this.apiVersion = paths.apiVersion;
    this.namespaced = paths.collection.includes('{namespace}');
  }

  private method(m: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'): AnyCall {
    return this.ctx.client[m] as unknown as AnyCall;
  }

  private namespaceOf(namespace: string | undefined, what: string): string | undefined {
    if (!this.namespaced) return undefined;
    if (!namespace) throw new WardenError(400, 'BadRequest', `${what}: a ${this.kind} is namespaced: give its namespace`);
    return namespace;
  }

  /** The list path for `namespace` (all namespaces when absent). */
  private listPath(namespace?: string): { path: string; params: Record<string, string> } {
    if (this.namespaced && !namespace) return { path: this.paths.all ?? this.paths.collection, params: {} };
    return { path: this.paths.collection, params: namespace && this.namespaced ? { namespace } : {} };
  }

  /** One page of the list: the items, `continue` and the list's resourceVersion. */
  async page(opts: ListOptions & { continue?: string } = {}): Promise<{ items: T[]; continue?: string; resourceVersion?: string }> {
    const { path, params } = this.listPath(opts.namespace);
    const query: Record<string, unknown> = { limit: opts.limit ?? 500 };
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    if (opts.continue) query.continue = opts.continue;
    const { data } = await unwrap(this.method('GET')(path, { params: { path: params, query }, signal: opts.signal }));
    const list = data as Listed<T>;
    return { items: list.items ?? [], continue: list.metadata?.continue || undefined, resourceVersion: list.metadata?.resourceVersion };
  }

  /** Every object (of one namespace, or all), following continue tokens through every page. */
  async *list(opts: ListOptions = {}): AsyncGenerator<T, void, undefined> {
    let token: string | undefined;
    do {
      const p = await this.page({ ...opts, continue: token });
      yield* p.items;
      token = p.continue;
    } while (token);
  }

  /** Every object, collected into an array. */
  async all(opts: ListOptions = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const o of this.list(opts)) out.push(o);
    return out;
  }

  async get(name: string, opts: ObjectOptions = {}): Promise<T> {
    const namespace = this.namespaceOf(opts.namespace, `get ${name}`);
    const { data } = await unwrap(this.method('GET')(this.paths.item, { params: { path: { name, namespace } }, signal: opts.signal }));
    return data as T;
  }

  /** Creates `object` (its namespace from `object.metadata.namespace`); apiVersion and kind are filled in when absent. */
  async create(object: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = this.namespaceOf(object.metadata?.namespace, 'create');
    const body = { apiVersion: this.apiVersion, kind: this.kind, ...object };
    const { data } = await unwrap(this.method('POST')(this.paths.collection, { params: { path: { namespace }, query: writeQuery(opts) }, body, signal: opts.signal }));
    return data as T;
  }

  /** Replaces the object (PUT); a stale `metadata.resourceVersion` is a 409 Conflict. */
  async update(object: T, opts: WriteOptions = {}): Promise<T> {
    const name = object.metadata?.name;
    if (!name) throw new WardenError(400, 'BadRequest', 'update: metadata.name: Required value');
    const namespace = this.namespaceOf(object.metadata?.namespace, `update ${name}`);
    const body = { apiVersion: this.apiVersion, kind: this.kind, ...object };
    const { data } = await unwrap(this.method('PUT')(this.paths.item, { params: { path: { name, namespace }, query: writeQuery(opts) }, body, signal: opts.signal }));
    return data as T;
  }

  /** Patches the object: a merge patch unless `type` says otherwise (apply uses `fieldManager`, default `warden-sdk`). */
  async patch(name: string, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    const namespace = this.namespaceOf(opts.namespace, `patch ${name}`);
    const type = opts.type ?? 'merge';
    const query = writeQuery(opts);
    if (type === 'apply') {
      query.fieldManager = opts.fieldManager ?? 'warden-sdk';
      if (opts.force) query.force = true;
    }
    const { data } = await unwrap(this.method('PATCH')(this.paths.item, {
      params: { path: { name, namespace }, query },
      body: patch,
      headers: { 'Content-Type': patchContentTypes[type] },
      signal: opts.signal,
    }));
    return data as T;
  }

  /** Deletes the object; the answer is the deleted object (or a Status, as kube-apiserver sends it). */
  async delete(name: string, opts: ObjectOptions & WriteOptions = {}): Promise<T | Schemas['Status']> {
    const namespace = this.namespaceOf(opts.namespace, `delete ${name}`);
    const { data } = await unwrap(this.method('DELETE')(this.paths.item, { params: { path: { name, namespace }, query: writeQuery(opts) }, signal: opts.signal }));
    return data as T | Schemas['Status'];
  }

  /** Deletes every object of one namespace (or of the cluster, for a cluster-scoped kind) the selector matches. */
  async deleteCollection(opts: ListOptions & WriteOptions = {}): Promise<unknown> {
    const namespace = this.namespaceOf(opts.namespace, 'deleteCollection');
    const query: Record<string, unknown> = writeQuery(opts);
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    const { data } = await unwrap(this.method('DELETE')(this.paths.collection, { params: { path: { namespace }, query }, signal: opts.signal }));
    return data;
  }

  /**
   * Events of the kind as they happen (kube's watch): ADDED, MODIFIED,
   * DELETED, BOOKMARK. After a 410 Expired, relists and emits what changed
   * meanwhile, then watches on from the list's resourceVersion. Ends when
   * the loop breaks or `signal` aborts.
   */
  watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    return watchEvents<T>({
      open: async (resourceVersion, signal) => {
        const { path, params } = this.listPath(opts.namespace);
        const query: Record<string, unknown> = { watch: true, allowWatchBookmarks: true };
        if (resourceVersion) query.resourceVersion = resourceVersion;
        if (opts.labelSelector) query.labelSelector = opts.labelSelector;
        if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
        if (opts.timeoutSeconds) query.timeoutSeconds = opts.timeoutSeconds;
        const { data } = await unwrap(this.method('GET')(path, { params: { path: params, query }, parseAs: 'stream', signal }));
        return data as ReadableStream<Uint8Array>;
      },
      relist: async (signal) => {
        const items: T[] = [];
        let token: string | undefined;
        let resourceVersion: string | undefined;
        do {
          const p = await this.page({ namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, continue: token, signal });
          items.push(...p.items);
          resourceVersion ??= p.resourceVersion;
          token = p.continue;
        } while (token);
        return { items, resourceVersion };
      },
    }, opts);
  }
}

function writeQuery(opts: WriteOptions): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (opts.dryRun) q.dryRun = ['All'];
  if (opts.fieldManager) q.fieldManager = opts.fieldManager;
  return q;
}

export type ResourceClients = { [K in KindName]: ResourceClient<KindObjects[K]> };

export function resourceClients(ctx: Context): ResourceClients {
  const out = {} as Record<string, ResourceClient<{ metadata?: ObjectMeta }>>;
  for (const [name, paths] of Object.entries(kinds)) out[name] = new ResourceClient(ctx, paths);
  return out as unknown as ResourceClients;
}
