/** GET of one object and of collections (kube's get and list handlers). */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type ParsedSelector } from '../../engine/labels/parse.ts';
import { forbidden, notSupported, type FieldError } from '../../engine/validation/field-error.ts';
import { goQuote } from '../../engine/validation/go-quote.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { send } from '../respond.ts';
import { badRequest, expired, invalid, notFound } from '../status.ts';
import { serveWatch, watchTimeoutSeconds } from '../watch/stream.ts';
import { queryFlag } from '../request-info.ts';
import { param } from './decode.ts';
import { apiVersionOf, type ApiKind } from './registry.ts';

export function targetOf(k: ApiKind, name?: string) {
  return { resource: k.plural, group: k.group, name };
}

/** The stored object or a 404 Status. */
export async function mustGet(deps: AppDeps, k: ApiKind, namespace: string | undefined, name: string): Promise<KubeObject> {
  const o = await deps.store.getObject(k.kind, k.namespaced ? namespace : undefined, name);
  if (!o) throw notFound(targetOf(k, name));
  return o;
}

export function read(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const o = await mustGet(deps, k, param(req, 'namespace'), param(req, 'name')!);
    send(req, res, 200, k.decorate ? k.decorate(o, deps.snapshots.current) : o);
  };
}

/**
 * The value of a query parameter as kube's url.Values conversion reads it:
 * the first one given, '' when absent.
 */
function queryValue(query: Record<string, unknown>, name: string): string {
  const v = query[name];
  const one = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : one === undefined || one === null ? '' : String(one);
}

/** A boolean query parameter as kube converts one (queryFlag), or undefined when absent. */
function queryBoolean(query: Record<string, unknown>, name: string): boolean | undefined {
  return query[name] === undefined ? undefined : queryFlag(query[name]);
}

/**
 * ValidateListOptions of apimachinery's metainternalversion validation: a
 * list request whose options contradict each other is 422 Invalid, kind
 * `ListOptions.meta.k8s.io`, before anything is read.
 */
export function validateListOptions(query: Record<string, unknown>): void {
  const errs: FieldError[] = [];
  const match = queryValue(query, 'resourceVersionMatch');
  const resourceVersion = queryValue(query, 'resourceVersion');
  const sendInitialEvents = queryBoolean(query, 'sendInitialEvents');
  if (queryBoolean(query, 'watch')) {
    if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match !== '') {
      if (sendInitialEvents === undefined) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (queryValue(query, 'continue') !== '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
  } else {
    if (match !== '') {
      if (resourceVersion === '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (queryValue(query, 'continue') !== '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
      if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
      if (match === 'Exact' && resourceVersion === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
    if (sendInitialEvents !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (errs.length) throw invalid('ListOptions', 'meta.k8s.io', '', errs);
}

/**
 * A list's resourceVersion as the storage layer reads it: '' and '0' mean
 * any; anything else must be an unsigned 64-bit integer (400 otherwise,
 * worded as strconv.ParseUint's error).
 */
function parseResourceVersion(rv: string): bigint | undefined {
  if (rv === '' || rv === '0') return undefined;
  const why = !/^[0-9]+$/.test(rv) ? 'invalid syntax' : BigInt(rv) >= 1n << 64n ? 'value out of range' : undefined;
  if (why) {
    throw badRequest(`invalid resource version: resourceVersion: Invalid value: ${goQuote(rv)}: strconv.ParseUint: parsing ${goQuote(rv)}: ${why}`);
  }
  return BigInt(rv);
}

/**
 * Whether a list asked at `resourceVersion` can be served from the current
 * revision, as kube's storage decides: a revision newer than any committed
 * one is 504 Timeout "Too large resource version" with Retry-After, the
 * answer client-go recognizes and relists after (every replica reads the
 * same database, so only a made-up revision gets it); an exact read of an
 * older revision is 410 Expired, as for a compacted one (Warden keeps no
 * older states to read from). `Exact`, and a legacy request with a limit,
 * read exactly that revision; otherwise it is a lower bound.
 */
function checkResourceVersion(query: Record<string, unknown>, current: number, limited: boolean): void {
  const resourceVersion = queryValue(query, 'resourceVersion');
  if (queryValue(query, 'continue') !== '' && resourceVersion !== '' && resourceVersion !== '0') {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  const rv = parseResourceVersion(resourceVersion);
  if (rv === undefined) return;
  // Newer than the database's own revision (read just now), so no replica can wait for it: a client
  // holding it saw a database since restored from a backup, or made it up. kube-apiserver's watch cache
  // answers 504 after waiting; here it is 410 Expired, which client libraries relist after as well.
  if (rv > BigInt(current)) {
    throw expired(`Too large resource version: ${rv}, current: ${current}`, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
  }
  const match = queryValue(query, 'resourceVersionMatch');
  const exact = match === 'Exact' || (match === '' && limited);
  if (exact && rv < BigInt(current)) throw expired('The resourceVersion for the provided list is too old.');
}

interface Selection {
  label?: ParsedSelector;
  field?: FieldSelector;
}

/**
 * The selectors and options of a list (or deletecollection), checked in
 * kube-apiserver's order: selectors that do not parse are 400 (decoding),
 * contradicting options 422 (ValidateListOptions), and a field the kind
 * cannot be selected by 400 (field label conversion).
 */
export function selectionOf(k: ApiKind, query: Record<string, unknown>): Selection {
  const labelText = queryValue(query, 'labelSelector');
  const label = labelText !== '' ? parseLabelSelector(labelText) : undefined;
  if (label && !label.ok) throw badRequest(`unable to parse labelSelector: ${label.message}`);
  const fieldText = queryValue(query, 'fieldSelector');
  const field = fieldText !== '' ? parseFieldSelector(fieldText) : undefined;
  if (field && !field.ok) throw badRequest(`unable to parse fieldSelector: ${field.message}`);
  validateListOptions(query);
  const selectable = k.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  const unsupported = field?.ok ? field.selector.requirements.find((r) => !selectable.includes(r.field)) : undefined;
  if (unsupported) throw badRequest(`unable to parse fieldSelector: field label not supported: ${unsupported.field}`);
  return { label: label?.ok ? label.selector : undefined, field: field?.ok ? field.selector : undefined };
}

function matchesSelection(o: KubeObject, s: Selection): boolean {
  if (s.label && !s.label.matches(o.metadata.labels)) return false;
  if (s.field && !s.field.matches({ 'metadata.name': o.metadata.name, 'metadata.namespace': o.metadata.namespace ?? '' })) return false;
  return true;
}

/** Objects of the collection matching `labelSelector` and `fieldSelector`; a malformed selector or option is refused first. */
export async function selectObjects(deps: AppDeps, k: ApiKind, namespace: string | undefined, query: Record<string, unknown>): Promise<KubeObject[]> {
  const selection = selectionOf(k, query);
  return (await deps.store.listObjects(k.kind, namespace)).filter((o) => matchesSelection(o, selection));
}

/** Where a page ended: the last object's namespace ('' when cluster-scoped) and name. */
interface ContinueToken { namespace: string; name: string }

const positionOf = (o: KubeObject): ContinueToken => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });

/** Objects after the position in list order (namespace, then name), compared as the list is sorted. */
function isAfter(o: KubeObject, t: ContinueToken): boolean {
  const p = positionOf(o);
  return p.namespace !== t.namespace ? p.namespace > t.namespace : p.name > t.name;
}

function decodeContinue(v: unknown): ContinueToken | undefined {
  if (v === undefined || v === '') return undefined;
  try {
    const t = JSON.parse(Buffer.from(String(v), 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t?.namespace !== 'string' || typeof t.name !== 'string') throw new Error('no position');
    return { namespace: t.namespace, name: t.name };
  } catch {
    throw badRequest('continue: Invalid value: the continue token is not valid: it must come from a previous list of the same collection');
  }
}

function pageLimit(v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`limit: Invalid value: ${JSON.stringify(v)}: must be a non-negative integer`);
  return n === 0 ? undefined : n;
}

export function list(deps: AppDeps, k: ApiKind) {
  return async (req: Request, res: Response) => {
    const query = req.query as Record<string, unknown>;
    const selection = selectionOf(k, query);
    if (queryBoolean(query, 'watch')) {
      const resourceVersion = queryValue(query, 'resourceVersion');
      parseResourceVersion(resourceVersion);
      return serveWatch(deps, req, res, {
        kind: k, namespace: k.namespaced ? param(req, 'namespace') : undefined, resourceVersion,
        selection: { matches: (o) => matchesSelection(o, selection) },
        sendInitialEvents: queryBoolean(query, 'sendInitialEvents'), allowWatchBookmarks: queryBoolean(query, 'allowWatchBookmarks') === true,
        timeoutSeconds: watchTimeoutSeconds(query),
      });
    }
    const limit = pageLimit(query.limit);
    const token = decodeContinue(query.continue);
    const revision = await deps.store.currentRevision();
    checkResourceVersion(query, revision, limit !== undefined);
    let items = (await deps.store.listObjects(k.kind, param(req, 'namespace'))).filter((o) => matchesSelection(o, selection));
    // A caller allowed to see only part of a cluster-scope list (tenancy) gets that part.
    const scope = contextOf(res).listScope;
    if (scope) items = items.filter((o) => (scope.by === 'name' ? scope.names.has(o.metadata.name!) : scope.namespaces.has(o.metadata.namespace ?? '')));
    if (k.decorate) {
      const snapshot = deps.snapshots.current;
      items = items.map((o) => k.decorate!(o, snapshot));
    }
    if (token) items = items.filter((o) => isAfter(o, token));
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (limit !== undefined && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      metadata.continue = Buffer.from(JSON.stringify(positionOf(items[items.length - 1]))).toString('base64url');
      metadata.remainingItemCount = remaining;
    }
    send(req, res, 200, { apiVersion: apiVersionOf(k), kind: `${k.kind}List`, metadata, items }, revision);
  };
}
