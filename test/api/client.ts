/**
 * An authorized client over a test Warden, and the assertions every API
 * suite shares: the exact shape of a failure `Status`, the store's revision
 * (to prove nothing was written), and that the server still serves.
 */
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import type { TestWarden } from '../support/warden.ts';
import type { Obj } from './builders.ts';

export const json = 'application/json';
export const yaml = 'application/yaml';
export const mergePatch = 'application/merge-patch+json';
export const jsonPatch = 'application/json-patch+json';
export const strategicPatch = 'application/strategic-merge-patch+json';
export const applyPatch = 'application/apply-patch+yaml';

export interface Api {
  get(path: string): Promise<Response>;
  post(path: string, body: Obj | string, type?: string): Promise<Response>;
  put(path: string, body: Obj | string, type?: string): Promise<Response>;
  patch(path: string, body: Obj | Obj[] | string, type: string): Promise<Response>;
  delete(path: string, body?: Obj): Promise<Response>;
}

const encode = (body: Obj | Obj[] | string) => (typeof body === 'string' ? body : JSON.stringify(body));

/** Requests as the bearer of `token` (the admin's by default; null: no token), with extra headers on every request. */
export function api(w: TestWarden, token: string | null = w.adminToken, headers: Record<string, string> = {}): Api {
  const auth = token === null ? {} : { Authorization: `Bearer ${token}` };
  const all = { ...auth, ...headers };
  return {
    get: (path) => w.http.get(path).set(all),
    post: (path, body, type = json) => w.http.post(path).set(all).set('Content-Type', type).send(encode(body)),
    put: (path, body, type = json) => w.http.put(path).set(all).set('Content-Type', type).send(encode(body)),
    patch: (path, body, type) => w.http.patch(path).set(all).set('Content-Type', type).send(encode(body)),
    delete: (path, body) => (body ? w.http.delete(path).set(all).set('Content-Type', json).send(encode(body)) : w.http.delete(path).set(all)),
  };
}

export interface ExpectedStatus {
  code: number;
  reason: string;
  /** Every part must appear in the message. */
  message?: string[];
}

/** Asserts `res` is a failure `Status` with this code and reason and a message naming every part; returns it. */
export function assertStatus(res: Response, expected: ExpectedStatus): Obj {
  const body = res.body as Obj;
  assert.equal(res.status, expected.code, `HTTP ${res.status}: ${JSON.stringify(body)}`);
  assert.equal(body.kind, 'Status', JSON.stringify(body));
  assert.equal(body.apiVersion, 'v1');
  assert.equal(body.status, 'Failure');
  assert.equal(body.reason, expected.reason, body.message);
  assert.equal(body.code, expected.code);
  for (const part of expected.message ?? []) assert.ok(String(body.message).includes(part), `message ${JSON.stringify(body.message)} lacks ${JSON.stringify(part)}`);
  return body;
}

/** Asserts a 2xx answer and returns its body. */
export function ok(res: Response, code = 200): Obj {
  assert.equal(res.status, code, `HTTP ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Obj;
}

/** The store's policy revision (every write bumps it), as a list reports it. */
export async function revision(a: Api): Promise<number> {
  const body = ok(await a.get('/api/v1/namespaces?limit=1'));
  return Number(body.metadata.resourceVersion);
}

/** Asserts the server still answers probes and an authorized read. */
export async function assertServing(w: TestWarden): Promise<void> {
  assert.equal((await w.http.get('/livez')).status, 200);
  assert.equal((await w.http.get('/api/v1/namespaces').set('Authorization', w.auth)).status, 200);
}

/**
 * Sends a request that must be refused: asserts its Status, that the store's
 * revision did not move (nothing written), and that the server still serves.
 */
export async function assertRefused(w: TestWarden, a: Api, send: () => Promise<Response>, expected: ExpectedStatus): Promise<Obj> {
  const before = await revision(a);
  const status = assertStatus(await send(), expected);
  assert.equal(await revision(a), before, 'a refused request writes nothing');
  await assertServing(w);
  return status;
}
