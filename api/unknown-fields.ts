/**
 * Fields a schema does not know, as kube-apiserver's field validation finds
 * them: paths like `spec.foo` or `rules[0].verbz`. The caller warns
 * (fieldValidation=Warn, the default), rejects (Strict) or ignores them, and
 * stores the pruned object either way.
 */
import { loadSpec, resolveSchema, type Schema } from './openapi.ts';

export interface PruneResult {
  value: unknown;
  unknown: string[];
}

function walk(value: unknown, schema: Schema | undefined, path: string, unknown: string[]): unknown {
  const s = resolveSchema(schema);
  if (!s || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    return s.items ? value.map((v, i) => walk(v, s.items, `${path}[${i}]`, unknown)) : value;
  }
  if (!s.properties) {
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, s.additionalProperties, `${path}[${k}]`, unknown);
      return out;
    }
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = s.properties[k];
    const p = path ? `${path}.${k}` : k;
    if (child) out[k] = walk(v, child, p, unknown);
    else if (s.additionalProperties) out[k] = v;
    else unknown.push(p);
  }
  return out;
}

/** Walks `value` against the named component schema; returns the pruned copy and the unknown paths. */
export function pruneUnknownFields(schemaName: string, value: unknown): PruneResult {
  const unknown: string[] = [];
  const schema = loadSpec().components.schemas[schemaName];
  const pruned = walk(value, schema, '', unknown);
  return { value: pruned, unknown };
}
