/**
 * Output negotiation for requests that ask the server to convert what it
 * answers (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, as
 * `kubectl get` sends), as kube-apiserver negotiates
 * (k8s.io/apiserver endpoints/handlers/negotiation): the Accept clauses in
 * order of preference (goautoneg: by q, then specific before wildcard),
 * each tried against the media types Warden answers; a clause whose
 * conversion the endpoint cannot make is skipped, so a client listing
 * `application/json` after the Table clauses falls back to the plain
 * object; when no clause is acceptable the answer is 406 NotAcceptable.
 *
 * Conversions: `Table` (v1 or v1beta1 of meta.k8s.io) in JSON or YAML, and
 * `PartialObjectMetadata`/`PartialObjectMetadataList`, of the stored kinds'
 * endpoints (their main resource and `status`); nothing else converts
 * (reviews, discovery, subresources such as `serviceaccounts/token`).
 * Requests that ask no conversion keep the plain negotiation of respond.ts.
 *
 * kube-apiserver reads TableOptions and checks the shape of a metadata
 * conversion only when it writes the answer, after a create or an update
 * has committed; Warden refuses such a write before it runs (a bad
 * `includeObject` 400, the wrong shape 406, with kube's messages), so a
 * refused request has written nothing. Reads keep kube's order (a missing
 * object is 404 whatever its `includeObject`).
 */
import type { NextFunction, Request, Response } from 'express';
import { contextOf } from './context.ts';
import type { RequestInfo } from './request-info.ts';
import { findKind } from './resources/registry.ts';
import { notAcceptable } from './status.ts';
import { refusedShape, tableOptionsOf, type Conversion, type MetaVersion } from './tables/table.ts';

/** What a request's answer is written as: JSON or YAML, possibly converted. */
export interface OutputMedia {
  format: 'json' | 'yaml';
  conversion?: Conversion;
  version?: MetaVersion;
}

export interface AcceptClause { type: string; subType: string; q: number; params: Map<string, string> }

/** strings.Trim(s, " "): spaces only, as goautoneg trims. */
const trimSpaces = (s: string) => s.replace(/^ +| +$/g, '');

/**
 * goautoneg.ParseAccept: clauses split on `,` and `;`, spaces trimmed, a
 * malformed range skipped, a parameter split at its first `=` (one without
 * is skipped), `q` read as a number (0 when it does not parse), sorted by q
 * and then specific types before wildcards.
 */
export function parseAccept(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const raw of header.split(',')) {
    const [range, ...paramParts] = raw.split(';');
    const sp = range.split('/');
    const type = trimSpaces(sp[0]);
    let subType: string;
    if (sp.length === 1 && type === '*') subType = '*';
    else if (sp.length === 2) subType = trimSpaces(sp[1]);
    else continue;
    const clause: AcceptClause = { type, subType, q: 1, params: new Map() };
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const token = trimSpaces(p.slice(0, eq));
      const value = p.slice(eq + 1);
      if (token === 'q') {
        // strconv.ParseFloat of the untrimmed text; what does not parse is 0.
        clause.q = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) ? Number(value) : 0;
      } else {
        clause.params.set(token, trimSpaces(value));
      }
    }
    clauses.push(clause);
  }
  // goautoneg's order, which is not a strict one (a wildcard goes after a specific type whatever their q):
  // applied by insertion sort, as Go's sort.Sort applies it to the dozen clauses a header has.
  const less = (a: AcceptClause, b: AcceptClause) => a.q > b.q || (a.type !== '*' && b.type === '*') || (a.subType !== '*' && b.subType === '*');
  for (let i = 1; i < clauses.length; i++) {
    for (let j = i; j > 0 && less(clauses[j], clauses[j - 1]); j--) [clauses[j], clauses[j - 1]] = [clauses[j - 1], clauses[j]];
  }
  return clauses;
}

/** The media types Warden answers, in kube's order; protobuf is accepted and answered in JSON, as before. */
const serializers = [
  { type: 'application', subType: 'json', stream: true, format: 'json' as const },
  { type: 'application', subType: 'yaml', stream: false, format: 'yaml' as const },
  { type: 'application', subType: 'vnd.kubernetes.protobuf', stream: true, format: 'json' as const },
];
export const acceptedMediaTypes = serializers.map((s) => `${s.type}/${s.subType}`);

/** Whether an Accept header asks for a conversion (`as`, `g` or `v` parameters). */
export function asksConversion(accept: string | undefined): accept is string {
  return accept !== undefined && /;\s*(as|g|v)\s*=/.test(accept);
}

/**
 * What an endpoint can answer: whether it is a stored kind's (convertible), whether it is a resource
 * endpoint, and whether it answers aggregated discovery (/api and /apis, api/discovery.ts).
 */
export interface Endpoint { convertible: boolean; resource: boolean; aggregatedDiscovery?: boolean }

/**
 * The clause's options if the endpoint can answer it in `serializer`
 * (acceptMediaTypeOptions with the endpoint's restrictions), else undefined.
 */
function optionsFor(clause: AcceptClause, serializer: (typeof serializers)[number], endpoint: Endpoint): OutputMedia | undefined {
  let as: string | undefined;
  let group: string | undefined;
  let version: string | undefined;
  for (const [k, v] of clause.params) {
    if (k === 'as') as = v;
    else if (k === 'g') group = v;
    else if (k === 'v') version = v;
    else if (k === 'stream' && v !== '' && (!serializer.stream || v !== 'watch')) return undefined;
    else if (k === 'sv' && v !== '' && !(endpoint.resource && v === 'v1')) return undefined;
  }
  if (as === undefined && group === undefined && version === undefined) return { format: serializer.format };
  if (endpoint.aggregatedDiscovery && group === 'apidiscovery.k8s.io' && as === 'APIGroupDiscoveryList' && (version === 'v2' || version === 'v2beta1')) {
    return serializer.subType === 'json' ? { format: 'json' } : undefined;
  }
  if (!endpoint.convertible || group !== 'meta.k8s.io' || (version !== 'v1' && version !== 'v1beta1')) return undefined;
  if (as === 'Table') return serializer.subType === 'json' || serializer.subType === 'yaml' ? { format: serializer.format, conversion: 'Table', version } : undefined;
  if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { format: serializer.format, conversion: as, version };
  return undefined;
}

/** NegotiateMediaTypeOptions: the first acceptable clause's output, or undefined when none is. */
export function negotiate(accept: string, endpoint: Endpoint): OutputMedia | undefined {
  for (const clause of parseAccept(accept)) {
    for (const s of serializers) {
      const matches = (clause.type === s.type && (clause.subType === s.subType || clause.subType === '*')) || (clause.type === '*' && clause.subType === '*');
      if (!matches) continue;
      const out = optionsFor(clause, s, endpoint);
      if (out) return out;
    }
  }
  return undefined;
}

/** The endpoint a request reaches: a stored kind's main resource or status converts. */
export function endpointOf(info: RequestInfo | undefined): Endpoint {
  if (!info?.isResourceRequest) return { convertible: false, resource: false, aggregatedDiscovery: /^\/apis?\/?$/.test(info?.path ?? '') };
  const kind = findKind(info.apiGroup, info.apiVersion, info.resource);
  const convertible = kind !== undefined && (info.subresource === '' || (info.subresource === 'status' && kind.status !== undefined));
  return { convertible, resource: true };
}

/**
 * For a write, what converting its answer would refuse, refused before the
 * write: create, update and patch answer one object, deletecollection a
 * list (delete answers a Status or the object, and is left to the answer).
 */
function refuseBeforeWriting(conversion: Conversion, info: RequestInfo, url: string): void {
  const answersList = info.verb === 'deletecollection' ? true : ['create', 'update', 'patch'].includes(info.verb) ? false : undefined;
  if (answersList === undefined) return;
  if (conversion === 'Table') {
    const q = url.indexOf('?');
    tableOptionsOf(q < 0 ? '' : url.slice(q + 1));
    return;
  }
  const kind = findKind(info.apiGroup, info.apiVersion, info.resource)!;
  const refusal = refusedShape(conversion, { apiVersion: info.apiGroup ? `${info.apiGroup}/${info.apiVersion}` : info.apiVersion, kind: answersList ? `${kind.kind}List` : kind.kind }, answersList);
  if (refusal) throw refusal;
}

/**
 * Runs before a route's handler, as kube negotiates before reading or
 * writing anything: a request asking a conversion gets its output decided
 * (for `send` to apply) or 406.
 */
export function outputNegotiation(req: Request, res: Response, next: NextFunction): void {
  const accept = req.headers.accept;
  if (asksConversion(accept)) {
    const ctx = contextOf(res);
    const out = negotiate(accept, endpointOf(ctx.info));
    if (!out) throw notAcceptable(`only the following media types are accepted: ${acceptedMediaTypes.join(', ')}`);
    if (out.conversion && ctx.info) refuseBeforeWriting(out.conversion, ctx.info, req.originalUrl ?? req.url ?? '');
    ctx.output = out;
  }
  next();
}
