/**
 * openapi.yaml, the one source of the HTTP contract, loaded once. The
 * request validator, the unknown-field check and the route/spec agreement
 * test all read it from here.
 */
import { readFileSync } from 'node:fs';
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
