/**
 * openapi.yaml, the one source of the HTTP contract, loaded once, and the
 * one schema validator compiled over it. The request validator, the shape
 * checks of objects inside requests, the unknown-field check and the
 * route/spec agreement test all read it from here.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const specPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'openapi.yaml');

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  $ref?: string;
  nullable?: boolean;
  [k: string]: unknown;
}

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, unknown> };
}

let cached: OpenApiDoc | undefined;

export function loadSpec(): OpenApiDoc {
  cached ??= YAML.parse(readFileSync(specPath, 'utf8')) as OpenApiDoc;
  return cached;
}

/** Follows `$ref`s (JSON pointers into this document) to the schema they name. */
export function resolveSchema(s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 32; i++) {
    let node: unknown = loadSpec();
    for (const part of cur.$ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    cur = node as Schema | undefined;
  }
  return cur;
}

const specId = 'warden-openapi';
let ajv: Ajv | undefined;

/** The one validator instance, with the spec's components registered (OpenAPI 3.0: x-* are no keywords, formats are informational). */
function compiler(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: specId, components: loadSpec().components });
  }
  return ajv;
}

/** Compiles a schema of the spec (its local refs point into the registered document). */
export function compileSchema(schema: unknown): ValidateFunction {
  const rewritten = JSON.parse(JSON.stringify(schema ?? {}).replaceAll('"#/components/', `"${specId}#/components/`));
  return compiler().compile(rewritten);
}

/** The validator of component schema `name`, or undefined when the spec has none. */
export function componentValidator(name: string): ValidateFunction | undefined {
  return loadSpec().components.schemas[name] ? compiler().getSchema(`${specId}#/components/schemas/${name}`) : undefined;
}

/** `/rules/0/verbs` under `spec.apply[2]` -> `spec.apply[2].rules[0].verbs`. */
export function fieldOf(prefix: string, instancePath: string): string {
  return instancePath.split('/').slice(1).reduce((acc, seg) => {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s;
  }, prefix);
}

/** A validator's errors as kube Status causes with fields under `prefix`, each field and message once. */
export function schemaCauses(errors: ErrorObject[] | null | undefined, prefix = ''): { reason: string; message: string; field: string }[] {
  const seen = new Set<string>();
  const out: { reason: string; message: string; field: string }[] = [];
  for (const e of errors ?? []) {
    const field = fieldOf(prefix, e.instancePath);
    const message = e.keyword === 'additionalProperties' ? `unknown field "${String(e.params.additionalProperty)}"` : e.message ?? 'is not valid';
    if (seen.has(`${field}\0${message}`)) continue;
    seen.add(`${field}\0${message}`);
    out.push({ reason: 'FieldValueInvalid', message, field });
  }
  return out;
}
