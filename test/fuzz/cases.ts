/**
 * Request cases, and the cells the fuzzer walks: one cell is an operation
 * of openapi.yaml and a dimension in which its requests are hostile (none,
 * path parameters, undecodable path parameters, a case-altered path,
 * another spelling of the path, the method, the query, the headers, the
 * body, hostile patches, or all of them at once). Walking the cells in turn
 * gives every operation valid and invalid requests in every dimension; the
 * identity of each request is drawn per case.
 *
 * Promises: a case records, besides the bytes to send, the tags of what was
 * made hostile and the `intent` (template, decoded parameters, method,
 * path alteration, impersonation) the member check judges; secrets are not
 * in a case (the sender adds the Authorization header), so a case prints
 * and replays as it is. A cell's refused variant draws only requests that
 * must be refused, or that the campaign skips: anonymous and bad-token
 * requests, the member's requests (the sender skips those the member may
 * make), and the admin's malformed writes.
 */
import fc from 'fast-check';
import { finishBody, type BodyPlan } from './bodies.ts';
import { buildPath, operationParts, pathMutations, type HeaderChoice, type OperationParts, type PathMutation, type Query } from './dimensions.ts';
import type { Body, Segment } from './hostile.ts';
import { isPublic, memberVerdict, type Intent } from './member-rights.ts';
import type { Document, Operation } from './spec.ts';
import type { Identity } from './values.ts';

export type { Identity };

export interface RequestCase {
  identity: Identity;
  /** Which bad token (an index into the platform's list), for `bad-token`. */
  badToken: number;
  op: string;
  opClass: string;
  method: string;
  /** The request target as sent. */
  path: string;
  /** Headers besides Authorization. */
  headers: [string, string][];
  body?: Body;
  tags: string[];
  intent: Intent;
}

export type Dimension = 'valid' | 'params' | 'params-undecodable' | 'path-case' | 'path' | 'method' | 'query' | 'headers' | 'body' | 'body-patch' | 'all';

export interface Cell {
  op: Operation;
  dimension: Dimension;
}

/** What an operation does, for the summary: the kube verb, or review, webhook, discovery, probe, apply, audit, metrics, tokenrequest. */
export function opClass(op: Operation): string {
  const t = op.template;
  if (['/livez', '/readyz'].includes(t)) return 'probe';
  if (t.startsWith('/webhooks/')) return 'webhook';
  if (t === '/metrics') return 'metrics';
  if (t.startsWith('/apis/audit.')) return 'audit';
  if (t === '/apis/warden.dev/v1/apply') return 'apply';
  if (/reviews$|reviewbatches$/.test(t)) return 'review';
  if (t.endsWith('/token')) return 'tokenrequest';
  if (t === '/version' || t.startsWith('/openapi') || /^\/apis?(\/\{group\})?(\/\{version\}|\/v1)?$/.test(t)) return 'discovery';
  const item = t.endsWith('{name}') || t.endsWith('/status');
  switch (op.method) {
    case 'GET': return item ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return item ? 'delete' : 'deletecollection';
  }
}

/** The cells of one pass: per operation, valid twice, once per other dimension it has, and hostile patches four times. */
export function cells(ops: Operation[]): Cell[] {
  const out: Cell[] = [];
  for (const op of ops) {
    const dims: Dimension[] = ['valid', 'valid', 'path-case', 'path', 'method', 'query', 'headers', 'body', 'all'];
    if (op.params.some((p) => p.in === 'path')) dims.push('params', 'params-undecodable');
    if (op.body['application/json-patch+json']) dims.push('body-patch', 'body-patch', 'body-patch', 'body-patch');
    for (const dimension of dims) out.push({ op, dimension });
  }
  return out;
}

interface Drawn {
  params: Record<string, Segment>;
  mutation: PathMutation;
  method: string;
  headers: HeaderChoice;
  badToken: number;
  query: Query;
  body: BodyPlan;
}

/** The arbitrary of one dimension variant: valid, hostile, or (in `all`) either, shrinking towards valid. */
function variant<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>, on: boolean, all: boolean): fc.Arbitrary<T> {
  if (all) return fc.oneof({ withCrossShrink: true }, { arbitrary: valid, weight: 1 }, { arbitrary: hostile, weight: 2 });
  return on ? hostile : valid;
}

function drawn(parts: OperationParts, d: Dimension, badTokens: number, malformedBody: boolean): fc.Arbitrary<Drawn> {
  const all = d === 'all';
  const params = d === 'params-undecodable' ? parts.params.undecodable : d === 'body-patch' ? parts.params.existing : variant(parts.params.valid, parts.params.hostile, d === 'params', all);
  const mutation = d === 'path-case' ? pathMutations.case : d === 'path' ? pathMutations.other : variant(pathMutations.valid, fc.oneof(pathMutations.case, pathMutations.other), false, all);
  const body = malformedBody ? parts.body.malformed
    : d === 'body-patch' && parts.body.patch ? parts.body.patch
    : variant(parts.body.valid, parts.body.hostile, d === 'body', all);
  return fc.record({
    params,
    mutation,
    method: malformedBody ? parts.method.valid : variant(parts.method.valid, parts.method.hostile, d === 'method', all),
    headers: variant(parts.headers.valid, parts.headers.hostile, d === 'headers', all),
    badToken: fc.nat(Math.max(0, badTokens - 1)),
    query: variant(parts.query.valid, parts.query.hostile, d === 'query', all),
    body,
  }, { noNullPrototype: true });
}

function assemble(op: Operation, identity: Identity, x: Drawn, malformedBody: boolean): RequestCase {
  const { path, altered, alteredTemplate } = buildPath(op.template, x.params, x.mutation);
  const tags: string[] = [];
  if (x.mutation.kind !== 'none') tags.push(`path:${x.mutation.kind}`);
  if (Object.values(x.params).some((seg) => seg.hostile)) tags.push(Object.values(x.params).some((seg) => seg.decoded === undefined) ? 'path:undecodable-segment' : 'path:hostile-segment');
  if (x.method !== op.method) tags.push('method:wrong');
  if (x.query.hostile) tags.push('query:hostile');
  if (x.body.hostile) tags.push(malformedBody ? 'body:malformed' : x.body.body ? 'body:hostile' : 'body:missing');
  tags.push(...x.headers.tags);
  const headers: [string, string][] = [...x.headers.headers];
  if (x.body.type !== undefined) {
    const [type, encoding] = x.body.type.split('|');
    headers.push(['Content-Type', type]);
    if (encoding) headers.push(['Content-Encoding', encoding]);
  }
  const qs = x.query.pairs.map(([k, v]) => `${k}=${v}`).join('&');
  return {
    identity, badToken: identity === 'bad-token' ? x.badToken : 0, op: op.id, opClass: opClass(op), method: x.method, path: qs ? `${path}?${qs}` : path, headers,
    body: finishBody(op, x.body, x.params, identity), tags: tags.length ? tags : ['valid'],
    intent: {
      template: op.template, params: Object.fromEntries(Object.entries(x.params).map(([k, seg]) => [k, seg.decoded])), method: x.method,
      pathAltered: altered, ...(alteredTemplate ? { alteredTemplate } : {}), impersonation: x.headers.impersonation,
    },
  };
}

/** Arbitraries per cell, built on first use (each operation and identity's parts once). */
export class CaseSpace {
  readonly #parts = new Map<string, OperationParts>();
  readonly #cells = new Map<string, fc.Arbitrary<RequestCase>>();

  constructor(readonly doc: Document, readonly badTokens: number) {}

  #partsOf(op: Operation, identity: Identity): OperationParts {
    const key = `${op.id}|${identity}`;
    let p = this.#parts.get(key);
    if (!p) {
      p = operationParts(this.doc, op, identity);
      this.#parts.set(key, p);
    }
    return p;
  }

  #one(cell: Cell, identity: Identity, malformedBody = false): fc.Arbitrary<RequestCase> {
    return drawn(this.#partsOf(cell.op, identity), cell.dimension, this.badTokens, malformedBody).map((x) => assemble(cell.op, identity, x, malformedBody));
  }

  /** Requests of any identity: anonymous and bad-token ones now and then, the member's and the admin's mostly. */
  mixed(cell: Cell): fc.Arbitrary<RequestCase> {
    // A hostile patch only matters where it is applied: by the admin, or the member on its own objects.
    if (cell.dimension === 'body-patch') {
      return this.#cached(`mixed|${cell.op.id}|${cell.dimension}`, () => fc.oneof({ arbitrary: this.#one(cell, 'member'), weight: 1 }, { arbitrary: this.#one(cell, 'admin'), weight: 2 }));
    }
    return this.#cached(`mixed|${cell.op.id}|${cell.dimension}`, () => fc.oneof(
      { arbitrary: this.#one(cell, 'anonymous'), weight: 2 },
      { arbitrary: this.#one(cell, 'bad-token'), weight: 2 },
      { arbitrary: this.#one(cell, 'member'), weight: 5 },
      { arbitrary: this.#one(cell, 'admin'), weight: 5 },
    ));
  }

  /** Requests that must be refused (the campaign skips the member's allowed ones and the public paths). */
  refused(cell: Cell): fc.Arbitrary<RequestCase> {
    const malformedWrite = cell.op.bodyRequired && cell.op.method !== 'DELETE';
    return this.#cached(`refused|${cell.op.id}|${cell.dimension}`, () => fc.oneof(
      { arbitrary: this.#one(cell, 'anonymous'), weight: 2 },
      { arbitrary: this.#one(cell, 'bad-token'), weight: 2 },
      { arbitrary: this.#one(cell, 'member'), weight: 5 },
      ...(malformedWrite ? [{ arbitrary: this.#one(cell, 'admin', true), weight: 2 }] : []),
    ));
  }

  #cached(key: string, build: () => fc.Arbitrary<RequestCase>): fc.Arbitrary<RequestCase> {
    let a = this.#cells.get(key);
    if (!a) {
      a = build();
      this.#cells.set(key, a);
    }
    return a;
  }
}

/** Whether a request must be refused: the refused batches send only those. */
export function mustBeRefused(c: RequestCase): boolean {
  if (c.identity === 'anonymous' || c.identity === 'bad-token') return !isPublic(c.intent);
  if (c.identity === 'member') return memberVerdict(c.intent) === 'forbidden';
  return c.tags.includes('body:malformed');
}

/**
 * The cells in a seeded order: a shuffled pass over all of them, then
 * another pass shuffled anew, so that every operation gets every dimension
 * before any gets a second round.
 */
export class CellOrder {
  #pass: Cell[] = [];
  #i = 0;
  #passes = 0;

  constructor(readonly all: Cell[], readonly seed: number) {}

  next(): Cell {
    if (this.#i >= this.#pass.length) {
      const n = this.all.length;
      this.#pass = fc.sample(fc.shuffledSubarray(this.all, { minLength: n, maxLength: n }), { seed: (this.seed + this.#passes++) | 0, numRuns: 1 })[0];
      this.#i = 0;
    }
    return this.#pass[this.#i++];
  }
}
