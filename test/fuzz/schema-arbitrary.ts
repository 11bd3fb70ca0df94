/**
 * OpenAPI 3.0 schema objects -> fast-check arbitraries. Follows local $refs
 * into components; handles objects (required and optional properties,
 * additionalProperties as true or a schema), enums, strings (pattern,
 * date-time, length bounds), integers and numbers (bounds), booleans,
 * arrays, nullable, oneOf/anyOf (one branch) and allOf (merged objects).
 *
 * Promises: with the default options every value it generates is valid
 * against the schema (schema-arbitrary.test.ts checks that with ajv);
 * nesting stops at `maxDepth` (only required properties past it), arrays
 * and maps stay within `maxItems`/`maxKeys`. Callers may narrow strings by
 * property path through `stringFor`, which is how the fuzzer plants known
 * names and hostile strings; whatever they return is used as is.
 */
import fc from 'fast-check';
import { deref, type Document, type Schema } from './spec.ts';

export interface ConvertOptions {
  maxDepth: number;
  maxItems: number;
  maxKeys: number;
  /** Strings where no hint applies. */
  string: fc.Arbitrary<string>;
  /** Keys of additionalProperties maps. */
  key: fc.Arbitrary<string>;
  /** A string arbitrary for the property at `path` (e.g. ['metadata', 'name']), or undefined for the default. */
  stringFor?: (path: readonly string[], schema: Schema) => fc.Arbitrary<string> | undefined;
  /** An integer arbitrary for the property at `path`, or undefined for the default within the schema's bounds. */
  integerFor?: (path: readonly string[], schema: Schema) => fc.Arbitrary<number> | undefined;
  /** Keys of the additionalProperties map at `path`, or undefined for `key`. */
  keyFor?: (path: readonly string[]) => fc.Arbitrary<string> | undefined;
  /** Any value for the property at `path`, asked first (for free-form objects such as an admission request's object). */
  valueFor?: (path: readonly string[], schema: Schema) => fc.Arbitrary<unknown> | undefined;
}

export const defaultOptions: ConvertOptions = {
  maxDepth: 6,
  maxItems: 3,
  maxKeys: 3,
  string: fc.string({ maxLength: 12 }),
  key: fc.string({ minLength: 1, maxLength: 10 }),
};

/** Any JSON value, small: for schemas that say nothing about their values. */
export const smallJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2, depthSize: 'small' });

const isoDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function schemaArbitrary(doc: Document, schema: Schema, opts: ConvertOptions = defaultOptions, path: readonly string[] = [], depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema ?? {});
  const given = opts.valueFor?.(path, s);
  if (given) return given;
  const arb = bare(doc, s, opts, path, depth);
  return s.nullable ? fc.option(arb, { nil: null, freq: 8 }) : arb;
}

function bare(doc: Document, s: Schema, opts: ConvertOptions, path: readonly string[], depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
  const branches = s.oneOf ?? s.anyOf;
  if (Array.isArray(branches) && branches.length) {
    return fc.oneof(...branches.map((b: Schema) => schemaArbitrary(doc, b, opts, path, depth)));
  }
  if (Array.isArray(s.allOf) && s.allOf.length) {
    return fc.tuple(...s.allOf.map((b: Schema) => schemaArbitrary(doc, b, opts, path, depth)))
      .map((parts) => Object.assign({}, ...parts.filter((p) => p && typeof p === 'object')));
  }
  switch (s.type) {
    case 'string': return stringArb(s, opts, path);
    case 'integer': return integerArb(s, opts, path);
    case 'number': return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'array': {
      if (depth >= opts.maxDepth) return fc.constant([]);
      const items = schemaArbitrary(doc, s.items ?? {}, opts, [...path, '[]'], depth + 1);
      return fc.array(items, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? opts.maxItems, opts.maxItems) });
    }
    case 'object': return objectArb(doc, s, opts, path, depth);
    default:
      if (s.properties || s.additionalProperties) return objectArb(doc, s, opts, path, depth);
      return depth >= opts.maxDepth ? fc.constant(null) : smallJson;
  }
}

function stringArb(s: Schema, opts: ConvertOptions, path: readonly string[]): fc.Arbitrary<string> {
  const hinted = opts.stringFor?.(path, s);
  if (hinted) return hinted;
  if (s.format === 'date-time') return isoDate;
  if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern), { maxLength: 20 });
  if (s.minLength !== undefined || s.maxLength !== undefined) {
    return fc.string({ minLength: s.minLength ?? 0, maxLength: s.maxLength ?? Math.max(12, s.minLength ?? 0) });
  }
  return opts.string;
}

function integerArb(s: Schema, opts: ConvertOptions, path: readonly string[]): fc.Arbitrary<number> {
  const hinted = opts.integerFor?.(path, s);
  if (hinted) return hinted;
  const min = typeof s.minimum === 'number' ? s.minimum : -10;
  const max = typeof s.maximum === 'number' ? s.maximum : s.format === 'int32' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
  // Mostly small values, which are the ones objects mean; sometimes the whole range.
  return fc.oneof({ arbitrary: fc.integer({ min, max: Math.min(max, Math.max(min, 0) + 100) }), weight: 4 }, { arbitrary: fc.integer({ min, max }), weight: 1 });
}

function objectArb(doc: Document, s: Schema, opts: ConvertOptions, path: readonly string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props: Record<string, Schema> = s.properties ?? {};
  const required: string[] = (s.required ?? []).filter((k: string) => k in props);
  const deep = depth >= opts.maxDepth;
  const keys = Object.keys(props).filter((k) => !deep || required.includes(k));
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) model[k] = schemaArbitrary(doc, props[k], opts, [...path, k], depth + 1);
  const record = fc.record(model, { requiredKeys: required.filter((k) => keys.includes(k)), noNullPrototype: true });
  const extra = s.additionalProperties;
  if (!extra || deep) return record;
  const values = extra === true ? smallJson : schemaArbitrary(doc, extra, opts, [...path, '*'], depth + 1);
  const map = fc.dictionary((opts.keyFor?.(path) ?? opts.key).filter((k) => !(k in props)), values, { maxKeys: opts.maxKeys, noNullPrototype: true });
  return fc.tuple(record, map).map(([r, m]) => ({ ...m, ...r }));
}
