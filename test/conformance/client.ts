/** A minimal client for conformance runs: JSON over HTTP with the admin token, plus helpers to reset state. */
export interface Reply { status: number; body: any; headers: Headers }

const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);
const namespacedCollections = [
  '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles',
  '/api/v1/namespaces/{ns}/serviceaccounts',
  '/api/v1/namespaces/{ns}/resourcequotas',
  '/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies',
];

/** Every collection a conformance run writes to, as [group path, resource]. */
const everyCollection: [string, string][] = [
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterrolebindings'],
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterroles'],
  ['/apis/rbac.authorization.k8s.io/v1', 'rolebindings'],
  ['/apis/rbac.authorization.k8s.io/v1', 'roles'],
  ['/api/v1', 'serviceaccounts'],
  ['/api/v1', 'resourcequotas'],
  ['/apis/networking.k8s.io/v1', 'networkpolicies'],
  ['/api/v1', 'namespaces'],
];

export class WardenClient {
  constructor(readonly baseUrl: string, readonly token: string) {}

  /** `groups` are sent as repeated Impersonate-Group headers. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, groups: string[] = []): Promise<Reply> {
    const h = new Headers({ Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...headers });
    for (const g of groups) h.append('Impersonate-Group', g);
    const init: RequestInit = { method, headers: h };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!h.has('Content-Type')) h.set('Content-Type', 'application/json');
    }
    const res = await fetch(this.baseUrl + path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get(path: string, headers?: Record<string, string>) { return this.request('GET', path, undefined, headers); }
  post(path: string, body: unknown, headers?: Record<string, string>) { return this.request('POST', path, body, headers); }
  put(path: string, body: unknown, headers?: Record<string, string>) { return this.request('PUT', path, body, headers); }
  delete(path: string) { return this.request('DELETE', path); }

  /** Applies objects in one transaction; throws with the Status message when refused. */
  async apply(objects: unknown[]): Promise<void> {
    if (!objects.length) return;
    const r = await this.post('/apis/warden.dev/v1/apply?fieldManager=conformance&force=true', { apiVersion: 'v1', kind: 'List', items: objects });
    if (r.status !== 200) throw new Error(`apply failed (${r.status}): ${r.body?.message ?? r.body}`);
  }

  /** Deletes every namespace (and so everything in one), ClusterRole and ClusterRoleBinding: an empty platform. */
  async reset(): Promise<void> {
    await this.releaseFinalizers();
    for (const path of ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', '/apis/rbac.authorization.k8s.io/v1/clusterroles']) {
      const r = await this.request('DELETE', path);
      if (r.status !== 200) throw new Error(`reset of ${path} failed (${r.status}): ${r.body?.message}`);
    }
    const list = await this.get('/api/v1/namespaces');
    for (const ns of list.body.items ?? []) await this.removeNamespace(ns.metadata.name);
  }

  /** Removes the finalizers of every object, so that deleting it removes it at once. */
  async releaseFinalizers(): Promise<void> {
    for (const [prefix, plural] of everyCollection) {
      const list = await this.get(`${prefix}/${plural}`);
      if (list.status !== 200) throw new Error(`listing ${prefix}/${plural} failed (${list.status}): ${list.body?.message}`);
      for (const o of list.body.items ?? []) {
        if (!o.metadata?.finalizers?.length) continue;
        const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
        const path = `${prefix}${ns}/${plural}/${o.metadata.name}`;
        const r = await this.request('PATCH', path, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
        if (r.status !== 200 && r.status !== 404) throw new Error(`releasing the finalizers of ${path} failed (${r.status}): ${r.body?.message}`);
      }
    }
  }

  /** Deletes a namespace; kube-apiserver's own, which may not be deleted, are emptied instead. */
  async removeNamespace(name: string): Promise<void> {
    const paths = immortalNamespaces.has(name)
      ? namespacedCollections.map((c) => c.replace('{ns}', name))
      : [`/api/v1/namespaces/${name}`];
    for (const path of paths) {
      const r = await this.delete(path);
      if (r.status !== 200 && r.status !== 404) throw new Error(`reset of ${path} failed (${r.status}): ${r.body?.message}`);
    }
  }
}

export interface SuiteResult {
  /** e.g. `rbac/cases.json` */
  file: string;
  /** What was counted, e.g. "reviews". */
  unit: string;
  total: number;
  passed: number;
  /** One line per failure (the runner prints the first few). */
  failures: string[];
}

export interface Suite {
  /** The corpus file, relative to the corpus folder. */
  file: string;
  run(client: WardenClient, corpusDir: string): Promise<SuiteResult[]>;
}
