/**
 * `Warden`: the SDK's one entry point. Resource clients per stored kind,
 * decisions and reviews, history, bulk apply and identity calls, all over
 * one transport (token, deadline, retries, read-your-writes).
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';
import { revisionOf, unwrap, type CallOptions, type Context } from './context.js';
import { Decisions } from './decisions.js';
import { WardenError } from './errors.js';
import { History } from './history.js';
import { resourceClients, type KindObjects, type ResourceClient, type WriteOptions } from './resources.js';
import { Transport, type FetchLike } from './transport.js';

type Schemas = components['schemas'];

export interface WardenOptions {
  /** Where Warden serves, e.g. `https://warden.example:8443`. */
  baseUrl: string;
  /** A bearer token. */
  token?: string;
  /** PEM certificate(s) to trust for an https baseUrl (Node only; browsers use their own trust store). */
  ca?: string;
  /** Skip TLS verification (Node only; as kubeconfig's insecure-skip-tls-verify). */
  insecureSkipTLSVerify?: boolean;
  /** A fetch to send requests with (default: globalThis.fetch). */
  fetch?: FetchLike;
  /** Deadline of each call in milliseconds, retries included (default 30,000). */
  timeoutMs?: number;
  /** Retries of an idempotent call after 429, 503 or a connection failure (default 4). */
  retries?: number;
  /** First backoff step in milliseconds (default 200). */
  retryBaseMs?: number;
  /** Send the highest revision this client's writes returned as the minimum revision of later calls (default true). */
  readYourWrites?: boolean;
}

export interface KubeconfigOptions {
  /** The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config). */
  path?: string;
  /** The context to use (default: current-context). */
  context?: string;
  timeoutMs?: number;
  readYourWrites?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  /** Take over fields other managers own. */
  force?: boolean;
}

// The Node-only entry, loaded only when a CA or a kubeconfig is used; a variable keeps bundlers from following it.
const nodeEntry = './node/index.js';
async function loadNode(): Promise<typeof import('./node/index.js')> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ nodeEntry);
}

export interface Warden extends ResourceClientsOf {}
type ResourceClientsOf = { readonly [K in keyof KindObjects]: ResourceClient<KindObjects[K]> };

export class Warden {
  readonly baseUrl: string;
  /** The openapi-fetch client every call goes through, for what the SDK has no method for. */
  readonly client: ReturnType<typeof createClient<paths>>;
  private readonly transport: Transport;
  private readonly reviews: Decisions;
  private readonly history: History;

  constructor(opts: WardenOptions) {
    if (!opts || typeof opts.baseUrl !== 'string' || !/^https?:\/\/[^/]/.test(opts.baseUrl)) {
      throw new WardenError(0, 'BadRequest', `baseUrl: must be an http:// or https:// URL, not ${JSON.stringify(opts?.baseUrl)}`);
    }
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    let inner = opts.fetch;
    if (!inner && (opts.ca || opts.insecureSkipTLSVerify)) {
      const made = loadNode().then((m) => m.tlsFetch({ ca: opts.ca, insecureSkipTLSVerify: opts.insecureSkipTLSVerify }));
      made.catch(() => {});
      inner = async (input, init) => (await made)(input, init);
    }
    this.transport = new Transport({
      token: opts.token, fetch: inner, timeoutMs: opts.timeoutMs, retries: opts.retries, retryBaseMs: opts.retryBaseMs,
      readYourWrites: opts.readYourWrites,
    });
    this.client = createClient<paths>({ baseUrl: this.baseUrl, fetch: this.transport.fetch });
    const ctx: Context = { client: this.client, transport: this.transport };
    Object.assign(this, resourceClients(ctx));
    this.reviews = new Decisions(ctx);
    this.history = new History(ctx);
  }

  /** A client for the server, CA and token of a kubeconfig context, read as kubectl reads it (Node only). */
  static async fromKubeconfig(opts: KubeconfigOptions = {}): Promise<Warden> {
    const m = await loadNode();
    const conn = await m.readKubeconfig(opts);
    return new Warden({ ...conn, timeoutMs: opts.timeoutMs, readYourWrites: opts.readYourWrites });
  }

  /** The highest revision a write through this client returned (0 before the first). */
  get revision(): number {
    return this.transport.revision;
  }

  /** Whether later calls carry that revision as their minimum (read-your-writes); may be turned off. */
  get readYourWrites(): boolean {
    return this.transport.readYourWrites;
  }
  set readYourWrites(on: boolean) {
    this.transport.readYourWrites = on;
  }

  // Decisions and reviews.
  can: Decisions['can'] = (a, o) => this.reviews.can(a, o);
  localCan: Decisions['localCan'] = (a, o) => this.reviews.localCan(a, o);
  selfCan: Decisions['selfCan'] = (a, o) => this.reviews.selfCan(a, o);
  canMany: Decisions['canMany'] = (a, o) => this.reviews.canMany(a, o);
  explain: Decisions['explain'] = (a, o) => this.reviews.explain(a, o);
  rules: Decisions['rules'] = (q, o) => this.reviews.rules(q, o);
  selfRules: Decisions['selfRules'] = (q, o) => this.reviews.selfRules(q, o);
  whoCan: Decisions['whoCan'] = (q) => this.reviews.whoCan(q);
  traffic: Decisions['traffic'] = (q, o) => this.reviews.traffic(q, o);
  reachability: Decisions['reachability'] = (q, o) => this.reviews.reachability(q, o);
  whatIf: Decisions['whatIf'] = (c, q, o) => this.reviews.whatIf(c, q, o);
  risks: Decisions['risks'] = (q) => this.reviews.risks(q);

  // History.
  decisions: History['decisions'] = (f) => this.history.decisions(f);
  changes: History['changes'] = (f) => this.history.changes(f);

  /**
   * Applies many objects in one all-or-nothing transaction: objects, a v1
   * List, or YAML (one or many documents). The answer is each object as
   * stored, in order.
   */
  async apply(objectsOrYaml: string | Schemas['Object'] | Schemas['Object'][] | Schemas['List'], opts: ApplyOptions = {}): Promise<Schemas['Object'][]> {
    const query: { dryRun?: string[]; fieldManager?: string; force?: boolean } = {};
    if (opts.dryRun) query.dryRun = ['All'];
    if (opts.fieldManager) query.fieldManager = opts.fieldManager;
    if (opts.force) query.force = true;
    const yaml = typeof objectsOrYaml === 'string';
    const { data } = await unwrap(this.client.POST('/apis/warden.dev/v1/apply', {
      params: { query },
      body: objectsOrYaml as Schemas['List'],
      ...(yaml ? { bodySerializer: (b: unknown) => b as string, headers: { 'Content-Type': 'application/yaml' } } : {}),
      signal: opts.signal,
    }));
    return data.items ?? [];
  }

  /** The caller as Warden authenticated it (SelfSubjectReview). */
  async whoAmI(opts: CallOptions = {}): Promise<Schemas['UserInfo']> {
    const { data } = await unwrap(this.client.POST('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, signal: opts.signal,
    }));
    return data.status?.userInfo ?? {};
  }

  /** Who a bearer token belongs to (TokenReview). */
  async reviewToken(token: string, opts: CallOptions & { audiences?: string[] } = {}): Promise<NonNullable<Schemas['TokenReview']['status']>> {
    const spec: { token: string; audiences?: string[] } = { token };
    if (opts.audiences) spec.audiences = opts.audiences;
    const { data } = await unwrap(this.client.POST('/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec }, signal: opts.signal,
    }));
    return data.status ?? {};
  }

  /** A bearer token for a service account (TokenRequest). */
  async serviceAccountToken(name: string, opts: CallOptions & { namespace: string; expirationSeconds?: number; audiences?: string[] }): Promise<{ token: string; expirationTimestamp?: string }> {
    const spec: { expirationSeconds?: number; audiences?: string[] } = {};
    if (opts.expirationSeconds) spec.expirationSeconds = opts.expirationSeconds;
    if (opts.audiences) spec.audiences = opts.audiences;
    const { data } = await unwrap(this.client.POST('/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token', {
      params: { path: { namespace: opts.namespace, name } },
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }, signal: opts.signal,
    }));
    return { token: data.status?.token ?? '', expirationTimestamp: data.status?.expirationTimestamp };
  }

  /** A ResourceQuota's status (`status.hard` and `status.used`). */
  async quotaStatus(name: string, opts: CallOptions & { namespace: string }): Promise<Schemas['ResourceQuota']> {
    const { data } = await unwrap(this.client.GET('/api/v1/namespaces/{namespace}/resourcequotas/{name}/status', {
      params: { path: { namespace: opts.namespace, name } }, signal: opts.signal,
    }));
    return data;
  }

  /** Replaces a ResourceQuota's status. */
  async updateQuotaStatus(quota: Schemas['ResourceQuota'], opts: CallOptions = {}): Promise<Schemas['ResourceQuota']> {
    const name = quota.metadata?.name ?? '';
    const namespace = quota.metadata?.namespace ?? '';
    const { data } = await unwrap(this.client.PUT('/api/v1/namespaces/{namespace}/resourcequotas/{name}/status', {
      params: { path: { namespace, name } }, body: { apiVersion: 'v1', kind: 'ResourceQuota', ...quota }, signal: opts.signal,
    }));
    return data;
  }

  /** Merge-patches a ResourceQuota's status. */
  async patchQuotaStatus(name: string, patch: Record<string, unknown>, opts: CallOptions & { namespace: string }): Promise<Schemas['ResourceQuota']> {
    const { data } = await unwrap(this.client.PATCH('/api/v1/namespaces/{namespace}/resourcequotas/{name}/status', {
      params: { path: { namespace: opts.namespace, name } }, body: patch as never, headers: { 'Content-Type': 'application/merge-patch+json' }, signal: opts.signal,
    }));
    return data;
  }

  /** The server's version (anonymous). */
  async version(opts: CallOptions = {}): Promise<Schemas['VersionInfo']> {
    const { data } = await unwrap(this.client.GET('/version', { signal: opts.signal }));
    return data;
  }

  /** Whether the server is live and ready (its first snapshot loaded); false for a 503. */
  async ready(opts: CallOptions = {}): Promise<{ live: boolean; ready: boolean }> {
    const live = await this.client.GET('/livez', { signal: opts.signal, parseAs: 'text' });
    const ready = await this.client.GET('/readyz', { signal: opts.signal, parseAs: 'text' });
    return { live: live.response.ok, ready: ready.response.ok };
  }

  /** The revision of the last answer, from its header: for callers using `client` directly. */
  static revisionOf(response: Response): number {
    return revisionOf(response);
  }
}
