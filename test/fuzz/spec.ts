/**
 * The operations of openapi.yaml as the fuzzer needs them: method, path
 * template, parameters with their schemas ($refs resolved), request body
 * media types and schemas, and the schema of the object a patch applies to.
 * Promises: every (method, path) of the document appears exactly once, in
 * document order; nothing here talks to a server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { root } from '../support/process.ts';

export type Schema = Record<string, any>;
export type Document = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema>; parameters: Record<string, any> } };

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, e.g. `/api/v1/namespaces/{namespace}/serviceaccounts/{name}`. */
  template: string;
  params: Parameter[];
  /** Media type -> schema of the request body; empty when the operation takes none. */
  body: Record<string, Schema>;
  bodyRequired: boolean;
  /** The schema of a 200/201 answer ($ref kept), the object a PATCH or PUT is about. */
  result?: Schema;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function loadDocument(file = path.join(root, 'openapi.yaml')): Document {
  return YAML.parse(readFileSync(file, 'utf8')) as Document;
}

/** The object a local `#/components/...` reference names. */
export function resolveRef(doc: Document, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local references are followed: ${ref}`);
  let node: any = doc;
  for (const part of ref.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`unresolved reference ${ref}`);
  return node as Schema;
}

/** Follows `$ref` chains until a schema that is not a bare reference. */
export function deref(doc: Document, s: Schema): Schema {
  let out = s;
  for (let i = 0; out && typeof out.$ref === 'string' && i < 32; i++) out = resolveRef(doc, out.$ref);
  return out;
}

/** The component name a schema refers to (`#/components/schemas/Role` -> `Role`), if it is a reference. */
export function refName(s: Schema | undefined): string | undefined {
  const ref = s?.$ref;
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

function parameter(doc: Document, p: any): Parameter {
  const r = p.$ref ? resolveRef(doc, p.$ref) : p;
  return { name: r.name, in: r.in, required: !!r.required, schema: r.schema ?? { type: 'string' } };
}

export function operations(doc: Document = loadDocument()): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const shared: Parameter[] = (item.parameters ?? []).map((p: any) => parameter(doc, p));
    for (const m of methods) {
      const op = item[m];
      if (!op) continue;
      const own: Parameter[] = (op.parameters ?? []).map((p: any) => parameter(doc, p));
      const params = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      const content: Record<string, any> = op.requestBody?.content ?? {};
      const body: Record<string, Schema> = {};
      for (const [media, c] of Object.entries(content)) body[media] = c.schema ?? {};
      const ok = op.responses?.['200'] ?? op.responses?.['201'];
      const result = ok?.content?.['application/json']?.schema as Schema | undefined;
      out.push({
        id: op.operationId, method: m.toUpperCase() as Operation['method'], template, params, body,
        bodyRequired: !!op.requestBody?.required, result,
      });
    }
  }
  return out;
}

/** The literal and parameter segments of a template, in order. */
export function segments(template: string): { literal: boolean; text: string }[] {
  return template.split('/').slice(1).map((s) => {
    const m = /^\{(.+)\}$/.exec(s);
    return m ? { literal: false, text: m[1] } : { literal: true, text: s };
  });
}

/** `apiVersion` of the objects served under a template: `v1` for /api/v1, `group/version` for /apis/group/version. */
export function apiVersionOf(template: string): string | undefined {
  const s = template.split('/');
  if (s[1] === 'api' && s[2] && !s[2].startsWith('{')) return s[2];
  if (s[1] === 'apis' && s[2] && s[3] && !s[2].startsWith('{') && !s[3].startsWith('{')) return `${s[2]}/${s[3]}`;
  return undefined;
}
