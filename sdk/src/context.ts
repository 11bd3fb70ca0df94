/**
 * What every part of the SDK shares: the typed openapi-fetch client over
 * `openapi.yaml`'s paths, the transport beneath it, and `unwrap`, the one
 * place a failed answer becomes a WardenError.
 */
import type { Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';
import { WardenError } from './errors.js';
import type { Transport } from './transport.js';

export type Paths = paths;
export type ApiClient = Client<paths>;

/** The paths of `openapi.yaml` that have method M. */
export type PathWith<M extends 'get' | 'put' | 'post' | 'patch' | 'delete'> = {
  [P in keyof paths]: [NonNullable<paths[P][M]>] extends [never] ? never : P;
}[keyof paths];

/** Options every call takes. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface Context {
  client: ApiClient;
  transport: Transport;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer; a WardenError (with the Status) otherwise. */
export async function unwrap<T>(p: Promise<Answer<T>>): Promise<{ data: T; response: Response }> {
  const r = await p;
  if (!r.response.ok) throw WardenError.fromResponse(r.response.status, r.error, r.response.statusText);
  return { data: r.data as T, response: r.response };
}

/** The revision an answer was computed at, from `X-Warden-Revision` (0 when absent). */
export function revisionOf(response: Response): number {
  const n = Number(response.headers.get('x-warden-revision'));
  return Number.isSafeInteger(n) ? n : 0;
}
