/**
 * /openapi/v2 as kube-apiserver serves it: one Swagger 2.0 document of every
 * served path and kind, cut from the same annotated documents as
 * /openapi/v3 (openapi-v3.ts), so each kind carries
 * `x-kubernetes-group-version-kind` and its lists their
 * `x-kubernetes-patch-merge-key`/`-patch-strategy`/`-list-type`.
 *
 * kubectl reads it for client-side validation (`kubectl apply -f` of a
 * `kind: List`, whose items it validates against these definitions), for
 * `kubectl explain --output plaintext-openapiv2`, and for client-side apply
 * patches. client-go asks for it only as protobuf
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, gnostic's
 * OpenAPIv2 Document, protobuf/openapi-v2.ts); JSON is served to whoever
 * asks for JSON; anything else is 406. Who may read it: as /openapi/v3, any
 * caller RBAC lets get the non-resource URL (`system:discovery` grants
 * `/openapi/*`). It reveals the API's shape only, never objects.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { parseAccept } from './negotiation.ts';
import { groupVersionDocuments } from './openapi-v3.ts';
import { loadSpec, type Schema } from './openapi.ts';
import { encodeOpenAPIv2 } from './protobuf/openapi-v2.ts';
import { notAcceptable } from './status.ts';

type Doc = Record<string, unknown>;

export const openapiV2Protobuf = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const protobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The media types served, in kube-openapi's order of preference. */
const offered = ['application/json', openapiV2Protobuf, protobufContentType];

const schemaKeys = ['type', 'format', 'title', 'description', 'default', 'enum', 'required', 'minimum', 'maximum', 'minLength', 'maxLength',
  'pattern', 'minItems', 'maxItems', 'uniqueItems', 'readOnly', 'example'];
const ref = (r: string) => r.replace('#/components/schemas/', '#/definitions/');
const isPrimitive = (s: unknown) => typeof s === 'object' && s !== null && ['integer', 'number', 'string', 'boolean'].includes((s as Schema).type ?? '');

/**
 * An OpenAPI 3.0 schema as Swagger 2.0 writes it: refs into
 * `#/definitions`, a described one-element `allOf` as a plain `$ref`, a
 * `oneOf` of scalars as kube writes IntOrString (`type: string, format:
 * int-or-string`), other `oneOf`s as any value; `nullable` dropped.
 */
export function toV2Schema(s: Schema): Schema {
  if (s.$ref) return { $ref: ref(s.$ref), ...(typeof s.description === 'string' ? { description: s.description } : {}) };
  const allOf = Array.isArray(s.allOf) ? (s.allOf as Schema[]) : undefined;
  if (allOf?.length === 1 && allOf[0].$ref) {
    const out = toV2Schema(allOf[0]);
    if (typeof s.description === 'string') out.description = s.description;
    for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) out[k] = v;
    return out;
  }
  const out: Schema = {};
  for (const k of schemaKeys) if (s[k] !== undefined) out[k] = s[k];
  const alternatives = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (alternatives && !out.type && alternatives.every(isPrimitive)) {
    out.type = 'string';
    if (alternatives.some((a) => a.type === 'integer' || a.type === 'number')) out.format = 'int-or-string';
  }
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV2Schema(v)]));
  if (s.items) out.items = toV2Schema(s.items);
  else if (s.type === 'array') out.items = {};
  if (typeof s.additionalProperties === 'object') out.additionalProperties = toV2Schema(s.additionalProperties);
  else if (typeof s.additionalProperties === 'boolean') out.additionalProperties = s.additionalProperties;
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

const resolveParameter = (p: unknown): Doc => {
  const r = (p as { $ref?: string }).$ref;
  return (r ? loadSpec().components.parameters[r.replace('#/components/parameters/', '')] : p) as Doc;
};

/** A v3 parameter as a Swagger 2.0 non-body parameter (type and items inline). */
function toV2Parameter(p: Doc): Doc {
  const schema = (p.schema ?? {}) as Schema;
  const out: Doc = { name: p.name, in: p.in };
  if (p.description) out.description = p.description;
  if (p.required || p.in === 'path') out.required = true;
  out.type = schema.type === 'object' ? 'string' : (schema.type ?? 'string');
  if (schema.enum) out.enum = schema.enum;
  if (schema.type === 'array') out.items = { type: schema.items?.type ?? 'string' };
  if (out.type === 'array' && p.in === 'query') out.collectionFormat = 'multi';
  return out;
}

function toV2Operation(op: Doc, shared: unknown[]): Doc {
  const out: Doc = {};
  for (const k of ['tags', 'summary', 'description', 'operationId']) if (op[k] !== undefined) out[k] = op[k];
  const body = op.requestBody as { required?: boolean; content?: Record<string, { schema?: Schema }> } | undefined;
  if (body?.content) out.consumes = Object.keys(body.content);
  out.produces = ['application/json', 'application/yaml'];
  const byKey = new Map<string, Doc>();
  for (const p of [...shared, ...((op.parameters as unknown[]) ?? [])].map(resolveParameter)) {
    if (p && (p.in === 'path' || p.in === 'query' || p.in === 'header')) byKey.set(`${p.in}/${p.name}`, toV2Parameter(p));
  }
  const params: Doc[] = [...byKey.values()];
  const bodySchema = body?.content && Object.values(body.content)[0]?.schema;
  if (bodySchema) params.push({ name: 'body', in: 'body', required: body.required ?? false, schema: toV2Schema(bodySchema) });
  if (params.length) out.parameters = params;
  const responses: Doc = {};
  for (const [code, r] of Object.entries((op.responses ?? {}) as Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>)) {
    const schema = r.content?.['application/json']?.schema;
    responses[code] = { description: r.description ?? '', ...(schema ? { schema: toV2Schema(schema) } : {}) };
  }
  out.responses = responses;
  for (const [k, v] of Object.entries(op)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

const methods = ['get', 'put', 'post', 'delete', 'patch'];

interface Representation { body: Buffer; etag: string }
interface Built { json: Representation; protobuf: Representation }
let built: Built | undefined;

/** The Swagger 2.0 document, built once from the /openapi/v3 documents. */
export function swaggerDocument(): Doc {
  const docs = groupVersionDocuments();
  const schemas = ((docs[0]?.components as Doc | undefined)?.schemas ?? loadSpec().components.schemas) as Record<string, Schema>;
  const paths: Doc = {};
  for (const d of docs) {
    for (const [path, item] of Object.entries(d.paths as Record<string, Doc>)) {
      const shared = (item.parameters as unknown[]) ?? [];
      const v2: Doc = {};
      for (const m of methods) if (item[m]) v2[m] = toV2Operation(item[m] as Doc, shared);
      paths[path] = v2;
    }
  }
  const definitions = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, toV2Schema(s)]));
  return { swagger: '2.0', info: { title: 'Warden', version: 'v1' }, paths, definitions };
}

function build(): Built {
  if (built) return built;
  const doc = swaggerDocument();
  // One ETag per representation, so a cache keyed by URL never answers one with the other.
  const representation = (body: Buffer) => ({ body, etag: `"${createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase()}"` });
  built = { json: representation(Buffer.from(JSON.stringify(doc))), protobuf: representation(Buffer.from(encodeOpenAPIv2(doc))) };
  return built;
}

/** The media type of `offered` the Accept header prefers (goautoneg.Negotiate); undefined when none. */
function negotiate(accept: string | undefined): string | undefined {
  if (!accept) return offered[0];
  for (const clause of parseAccept(accept)) {
    if (clause.q <= 0) continue;
    const match = offered.find((o) => {
      const [type, subType] = o.split('/');
      return (clause.type === '*' || clause.type === type) && (clause.subType === '*' || clause.subType === subType);
    });
    if (match) return match;
  }
  return undefined;
}

export function openapiV2(req: Request, res: Response) {
  const type = negotiate(req.headers.accept);
  if (!type) throw notAcceptable(`only the following media types are accepted: ${offered.join(', ')}`);
  const { body, etag } = type === 'application/json' ? build().json : build().protobuf;
  res.setHeader('ETag', etag);
  res.setHeader('Vary', 'Accept');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  // Both protobuf types are answered as kube-openapi answers them: `@` is no token character, and Go's
  // mime.ParseMediaType (client-go reads the Content-Type with it) refuses the name with it.
  res.status(200).setHeader('Content-Type', type === 'application/json' ? type : protobufContentType);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
