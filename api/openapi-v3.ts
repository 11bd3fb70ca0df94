/**
 * /openapi/v3 as kube-apiserver serves it: an index of one OpenAPI document
 * per group version, each cut from openapi.yaml and marked with
 * `x-kubernetes-group-version-kind` and `x-kubernetes-action`. kubectl reads
 * it to learn that the server validates fields itself (`fieldValidation` on
 * PATCH), so it sends objects without validating them on the client.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { loadSpec } from './openapi.ts';
import { notFound } from './status.ts';
import { apiKinds, type ApiKind } from './resources/registry.ts';

type Doc = Record<string, unknown>;
const actions: Record<string, string> = { get: 'get', post: 'post', put: 'put', patch: 'patch', delete: 'delete' };

function prefixOf(k: Pick<ApiKind, 'group' | 'version'>): string {
  return k.group ? `apis/${k.group}/${k.version}` : `api/${k.version}`;
}

/** The stored kind a path of a kube resource serves (`/…/namespaces/{namespace}/roles/{name}` -> Role). */
function kindForPath(path: string): ApiKind | undefined {
  return apiKinds.find((k) => {
    const base = `/${prefixOf(k)}/`;
    if (!path.startsWith(base)) return false;
    const rest = path.slice(base.length).split('/');
    const plural = rest[0] === 'namespaces' && rest.length >= 3 ? rest[2] : rest[0];
    return plural === k.plural;
  });
}

/** `api/v1` or `apis/{group}/{version}` of a path under them; undefined elsewhere. */
function prefixOfPath(path: string): { prefix: string; group: string; version: string } | undefined {
  const m = /^\/api\/(v1)\/./.exec(path) ?? /^\/apis\/([^/{]+)\/([^/{]+)\/./.exec(path);
  if (!m) return undefined;
  return path.startsWith('/api/') ? { prefix: 'api/v1', group: '', version: 'v1' } : { prefix: `apis/${m[1]}/${m[2]}`, group: m[1], version: m[2] };
}

/** The kind a review-style POST takes: its request body's schema name. */
function bodyKind(op: Record<string, unknown>): string | undefined {
  const content = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)?.content;
  const ref = content?.['application/json']?.schema?.$ref;
  return ref?.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : undefined;
}

function inlineParameter(p: unknown): unknown {
  const ref = (p as { $ref?: string })?.$ref;
  if (!ref) return p;
  return loadSpec().components.parameters[ref.replace('#/components/parameters/', '')] ?? p;
}

let cache: Map<string, { doc: Doc; hash: string }> | undefined;

function documents(): Map<string, { doc: Doc; hash: string }> {
  if (cache) return cache;
  const spec = loadSpec();
  const schemas = structuredClone(spec.components.schemas) as Record<string, Record<string, unknown>>;
  for (const k of apiKinds) {
    const gvk = [{ group: k.group, version: k.version, kind: k.kind }];
    if (schemas[k.kind]) schemas[k.kind]['x-kubernetes-group-version-kind'] = gvk;
    if (schemas[`${k.kind}List`]) schemas[`${k.kind}List`]['x-kubernetes-group-version-kind'] = [{ ...gvk[0], kind: `${k.kind}List` }];
  }
  const byPrefix = new Map<string, Doc>();
  for (const [path, item] of Object.entries(spec.paths)) {
    const where = prefixOfPath(path);
    if (!where) continue;
    const stored = kindForPath(path);
    const doc = byPrefix.get(where.prefix) ?? {
      openapi: '3.0.0',
      info: { title: 'Warden', version: 'v1' },
      paths: {},
      components: { schemas, parameters: spec.components.parameters },
    };
    const annotated: Record<string, unknown> = {};
    for (const [method, op] of Object.entries(item)) {
      if (!actions[method] || typeof op !== 'object' || op === null) {
        annotated[method] = op;
        continue;
      }
      const isCollection = !path.endsWith('{name}');
      const action = method === 'get' && isCollection ? 'list' : method === 'delete' && isCollection ? 'deletecollection' : actions[method];
      // kubectl looks for `fieldValidation` by name among an operation's own parameters, so they are inlined.
      const params = ((op as { parameters?: unknown[] }).parameters ?? []).map(inlineParameter);
      const kind = stored && !path.endsWith('/token') ? stored.kind : method === 'post' ? bodyKind(op as Record<string, unknown>) : undefined;
      const extra: Record<string, unknown> = { 'x-kubernetes-action': action };
      if (kind) {
        extra['x-kubernetes-group-version-kind'] = { group: where.group, version: where.version, kind };
        // A kind taken in a review-style POST is described as that kind, so kubectl can validate it on the client.
        if (!stored && schemas[kind] && !schemas[kind]['x-kubernetes-group-version-kind']) {
          schemas[kind]['x-kubernetes-group-version-kind'] = [{ group: where.group, version: where.version, kind }];
        }
      }
      annotated[method] = { ...op, parameters: params, ...extra };
    }
    (doc.paths as Doc)[path] = annotated;
    byPrefix.set(where.prefix, doc);
  }
  cache = new Map([...byPrefix].map(([prefix, doc]) => [prefix, { doc, hash: createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase() }]));
  return cache;
}

/** Every group version's document, annotated as served (they share one `components`); /openapi/v2 is built from them. */
export function groupVersionDocuments(): Doc[] {
  return [...documents().values()].map((e) => e.doc);
}

export function openapiIndex(_req: Request, res: Response) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [prefix, { hash }] of documents()) paths[prefix] = { serverRelativeURL: `/openapi/v3/${prefix}?hash=${hash}` };
  res.json({ paths });
}

export function openapiDocument(req: Request, res: Response) {
  const group = typeof req.params.group === 'string' ? req.params.group : '';
  const version = String(req.params.version);
  const prefix = group ? `apis/${group}/${version}` : `api/${version}`;
  const entry = documents().get(prefix);
  if (!entry) throw notFound({ resource: 'openapi', name: prefix });
  res.json(entry.doc);
}
