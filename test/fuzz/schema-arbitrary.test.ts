/**
 * The schema converter keeps its promise: what it generates from any
 * schema in openapi.yaml's components validates against that schema (ajv,
 * with OpenAPI's nullable and date-time), references are followed, and
 * depth and sizes stay within their bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { defaultOptions, schemaArbitrary } from './schema-arbitrary.ts';
import { loadDocument } from './spec.ts';

const doc = loadDocument();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'openapi', components: doc.components });

/** How deep objects and arrays nest in `v`. */
function depth(v: unknown): number {
  if (!v || typeof v !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depth));
}

test('every value generated from a component schema is valid against it', () => {
  for (const name of Object.keys(doc.components.schemas)) {
    const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
    fc.assert(fc.property(schemaArbitrary(doc, { $ref: `#/components/schemas/${name}` }), (v) => {
      assert.ok(validate(v), `${name}: ${ajv.errorsText(validate.errors)} for ${JSON.stringify(v)}`);
    }), { seed: 1, numRuns: 40 });
  }
});

test('nesting stops at maxDepth (plus the levels required properties need) and arrays stay within maxItems', () => {
  const opts = { ...defaultOptions, maxDepth: 2, maxItems: 2 };
  fc.assert(fc.property(schemaArbitrary(doc, { $ref: '#/components/schemas/ClusterRole' }, opts), (v) => {
    assert.ok(depth(v) <= 4, JSON.stringify(v));
    const rules = (v as { rules?: unknown[] }).rules;
    assert.ok(!rules || rules.length <= 2);
  }), { seed: 2, numRuns: 100 });
});

test('required properties are always present, enums only take their values, and nullable allows null', () => {
  const schema = {
    type: 'object', required: ['a'],
    properties: { a: { type: 'string', enum: ['x', 'y'] }, b: { type: 'integer', minimum: 3, maximum: 5 }, c: { type: 'string', nullable: true } },
  };
  const seen = new Set<unknown>();
  fc.assert(fc.property(schemaArbitrary(doc, schema), (v) => {
    const o = v as { a: string; b?: number; c?: string | null };
    assert.ok(o.a === 'x' || o.a === 'y');
    if (o.b !== undefined) assert.ok(o.b >= 3 && o.b <= 5);
    seen.add(o.c === null ? 'null' : typeof o.c);
  }), { seed: 3, numRuns: 300 });
  assert.ok(seen.has('null') && seen.has('string'), `c took: ${[...seen].join(', ')}`);
});
