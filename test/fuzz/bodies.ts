/**
 * Request bodies for one operation, as fast-check arbitraries: valid ones
 * derived from the operation's request schema (or, for patches, from the
 * schema of the object patched) and fixed up to name the path's object;
 * hostile ones (anything from hostile.ts, a missing required body, encoded
 * bodies); hostile patches; and malformed writes that no operation can
 * take.
 *
 * Promises: a valid body carries the kind and apiVersion the operation
 * serves, the path's name and namespace, and none of the fields a server
 * sets; an admin's body never names a fixture as the object it creates;
 * bodies are planned as values and serialized last, so they shrink.
 */
import fc from 'fast-check';
import YAML from 'yaml';
import {
  encodedBodies, hostileBody, hostileJsonPatch, hostileMediaTypes, hostileMergePatches, hostileYaml, malformedJson, type Body, type Segment,
} from './hostile.ts';
import { scratchLabel } from './platform.ts';
import { schemaArbitrary, smallJson } from './schema-arbitrary.ts';
import { apiVersionOf, deref, refName, type Document, type Operation, type Schema } from './spec.ts';
import { bodyOptions, type Identity } from './values.ts';
import type { Pair } from './dimensions.ts';

/** The kind and apiVersion a body of this operation should carry. */
function kindOf(op: Operation, schema: Schema): { kind?: string; apiVersion?: string } {
  const name = refName(schema) ?? refName(op.result);
  if (op.template === '/webhooks/admission') return { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' };
  if (op.template === '/webhooks/authorization') return { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1' };
  if (op.template.endsWith('/token')) return { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1' };
  if (name === 'DeleteOptions') return { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (!name || name === 'Patch' || name === 'Object' || name === 'List') return {};
  return { kind: name, apiVersion: apiVersionOf(op.template) };
}

/** Makes a schema-valid object also a plausible request: its kind, apiVersion, and the name and namespace of the path. */
function fixup(op: Operation, schema: Schema, params: Record<string, Segment>, value: unknown, identity: Identity): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = { ...(value as Record<string, any>) };
  const { kind, apiVersion } = kindOf(op, schema);
  if (kind) v.kind = kind;
  if (apiVersion) v.apiVersion = apiVersion;
  if (kind === 'DeleteOptions' || kind === 'AdmissionReview' || kind === 'SubjectAccessReview' && op.template.startsWith('/webhooks')) return v;
  const meta = { ...(v.metadata && typeof v.metadata === 'object' ? v.metadata : {}) };
  // Fields the server sets: a client leaves them out.
  for (const k of ['resourceVersion', 'uid', 'managedFields', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink', 'generateName', 'ownerReferences', 'finalizers']) delete meta[k];
  if (params.name?.decoded !== undefined && op.method !== 'POST') meta.name = params.name.decoded;
  else if (typeof meta.name !== 'string' || (identity === 'admin' && !meta.name.startsWith('fz-'))) meta.name = `fz-${op.method.toLowerCase()}`;
  if (params.namespace?.decoded !== undefined && !op.template.endsWith('localsubjectaccessreviews')) meta.namespace = params.namespace.decoded;
  else if (!op.template.includes('{namespace}') && op.template !== '/apis/warden.dev/v1/apply') delete meta.namespace;
  if (op.template === '/api/v1/namespaces' && identity === 'admin' && meta.labels && typeof meta.labels === 'object') {
    meta.labels = { ...meta.labels, [scratchLabel]: 'true' };
  }
  v.metadata = meta;
  return v;
}

/** JSON pointers into an object of `schema`, three levels deep, with array positions and `-`. */
function pointers(doc: Document, schema: Schema | undefined, prefix = '', depth = 0): string[] {
  if (!schema || depth > 3) return [];
  const s = deref(doc, schema);
  const out: string[] = [];
  if (s.type === 'array' || s.items) {
    out.push(`${prefix}/0`, `${prefix}/-`);
    out.push(...pointers(doc, s.items, `${prefix}/0`, depth + 1));
  }
  for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
    out.push(`${prefix}/${k}`);
    out.push(...pointers(doc, sub, `${prefix}/${k}`, depth + 1));
  }
  if (s.additionalProperties) out.push(`${prefix}/fz`, `${prefix}/fz~1x`);
  return out;
}

function jsonPatchArb(doc: Document, op: Operation, identity: Identity): fc.Arbitrary<unknown[]> {
  const ptrs = pointers(doc, op.result);
  const ptr = ptrs.length ? fc.constantFrom(...ptrs) : fc.constant('/metadata/labels/fz');
  const value = fc.oneof(smallJson, fc.constantFrom('fz', 'a-dev', '1', '100m'), schemaArbitrary(doc, { type: 'object', properties: { name: { type: 'string' } } }, bodyOptions(identity)));
  const one = fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path: ptr, value }),
    fc.record({ op: fc.constant('remove'), path: ptr }),
    fc.record({ op: fc.constantFrom('move', 'copy'), from: ptr, path: ptr }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/**
 * A body as generated: either finished bytes, or a value still to be fixed
 * up with the path's name and namespace and serialized (done in the final
 * map, so that bodies need not be generated inside a chain and shrink well).
 */
export interface BodyPlan {
  type?: string;
  body?: Body;
  value?: unknown;
  format?: 'json' | 'yaml' | 'apply';
  hostile: boolean;
}

export interface BodyVariants extends Pair<BodyPlan> {
  /** Hostile patches, for operations that take JSON patches. */
  patch?: fc.Arbitrary<BodyPlan>;
  malformed: fc.Arbitrary<BodyPlan>;
}

export function bodyArb(doc: Document, op: Operation, identity: Identity): BodyVariants {
  const media = Object.keys(op.body);
  const opts = bodyOptions(identity);
  const none = fc.constant<BodyPlan>({ hostile: false });
  const hostile = hostileBody.map(([type, body]): BodyPlan => ({ type, body, hostile: true }));
  if (!media.length) return { valid: none, hostile, malformed: hostile };
  const valid: fc.Arbitrary<BodyPlan>[] = [];
  for (const type of media) {
    const schema = op.body[type];
    if (type === 'application/json-patch+json') {
      valid.push(jsonPatchArb(doc, op, identity).map((p): BodyPlan => ({ type, body: { text: JSON.stringify(p) }, hostile: false })));
    } else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
      valid.push(schemaArbitrary(doc, op.result ?? schema, { ...opts, maxDepth: 3 }).map((v): BodyPlan => {
        const o = { ...(v as Record<string, unknown>) };
        delete o.apiVersion;
        delete o.kind;
        delete o.status;
        if (o.metadata && typeof o.metadata === 'object') o.metadata = { labels: (o.metadata as Record<string, unknown>).labels ?? { fz: 'x' } };
        return { type, body: { text: JSON.stringify(o) }, hostile: false };
      }));
    } else if (type === 'application/apply-patch+yaml') {
      valid.push(schemaArbitrary(doc, op.result ?? schema, opts).map((value): BodyPlan => ({ type, value, format: 'apply', hostile: false })));
    } else {
      valid.push(schemaArbitrary(doc, schema, opts).map((value): BodyPlan => ({ type, value, format: type.includes('yaml') ? 'yaml' : 'json', hostile: false })));
    }
  }
  // JSON (the first media type) three times as often as each other one.
  const anyValid = fc.oneof(...valid.map((arbitrary, i) => ({ arbitrary, weight: i === 0 ? 3 : 1 })));
  const validBody = op.bodyRequired ? anyValid : fc.oneof({ arbitrary: none, weight: 1 }, { arbitrary: anyValid, weight: 1 });
  // A patch's own hostility: JSON patches that try prototypes and self-moves, merge patches that rename and retype.
  const patches = fc.oneof(
    { arbitrary: hostileJsonPatch.map((p): BodyPlan => ({ type: 'application/json-patch+json', body: { text: JSON.stringify(p) }, hostile: true })), weight: 2 },
    {
      arbitrary: fc.tuple(fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json'), fc.constantFrom(...hostileMergePatches))
        .map(([type, p]): BodyPlan => ({ type, body: { text: JSON.stringify(p) }, hostile: true })),
      weight: 1,
    },
  );
  // Bodies no write can take: not an object, not JSON or YAML, or a media type no write accepts.
  const malformed = fc.oneof(
    fc.constantFrom(...malformedJson.filter((t) => !isJsonObject(t))).map((text): BodyPlan => ({ type: 'application/json', body: { text }, hostile: true })),
    fc.constantFrom(...hostileYaml).map((text): BodyPlan => ({ type: 'application/yaml', body: { text }, hostile: true })),
    fc.constantFrom(...hostileMediaTypes.filter((t) => /text\/(plain|html)|form|multipart|octet/.test(t))).map((type): BodyPlan => ({ type, body: { text: '{}' }, hostile: true })),
  );
  return {
    valid: validBody,
    hostile: fc.oneof(
      { arbitrary: hostile, weight: 4 },
      { arbitrary: op.bodyRequired ? fc.constant<BodyPlan>({ hostile: true }) : hostile, weight: 1 },
      { arbitrary: fc.tuple(fc.constantFrom(...encodedBodies), fc.constantFrom(...media)).map(([[enc, body], type]): BodyPlan => ({ type: `${type}|${enc}`, body, hostile: true })), weight: 1 },
    ),
    patch: media.includes('application/json-patch+json') ? patches : undefined,
    malformed,
  };
}

/** Whether `s` parses as a JSON object (such a body may be a valid write). */
function isJsonObject(s: string): boolean {
  try {
    const v = JSON.parse(s);
    return !!v && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** The bytes of a planned body. */
export function finishBody(op: Operation, plan: BodyPlan, params: Record<string, Segment>, identity: Identity): Body | undefined {
  if (plan.body || plan.format === undefined) return plan.body;
  const schema = op.body[plan.type!] ?? {};
  const target = plan.format === 'apply' ? op.result ?? schema : schema;
  const o = fixup(op, target, params, plan.value, identity);
  if (plan.format === 'apply' && o && typeof o === 'object') delete (o as Record<string, unknown>).status;
  return { text: plan.format === 'json' ? JSON.stringify(o) : YAML.stringify(o) };
}
