/**
 * The decision log and the change history as async iterables, newest
 * first, following continue tokens through every page.
 */
import type { components } from './generated/openapi.js';
import { unwrap, type CallOptions, type Context } from './context.js';

type Schemas = components['schemas'];
export type DecisionRecord = Schemas['Decision'];
export type ChangeRecord = Schemas['Change'];

type Time = Date | string;

export interface DecisionFilter extends CallOptions {
  user?: string;
  group?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  /** Only allowed (true) or only refused (false) decisions. */
  allowed?: boolean;
  /** The review kind: SubjectAccessReview, AdmissionReview, TrafficReview, ... */
  kind?: string;
  since?: Time;
  until?: Time;
  /** Page size (default 500). */
  limit?: number;
}

export interface ChangeFilter extends CallOptions {
  kind?: string;
  namespace?: string;
  name?: string;
  actor?: string;
  since?: Time;
  until?: Time;
  limit?: number;
}

const time = (t: Time | undefined) => (t instanceof Date ? t.toISOString() : t);

export class History {
  constructor(private readonly ctx: Context) {}

  async *decisions(f: DecisionFilter = {}): AsyncGenerator<DecisionRecord, void, undefined> {
    let token: string | undefined;
    do {
      const query = {
        user: f.user, group: f.group, verb: f.verb, resource: f.resource, namespace: f.namespace, kind: f.kind,
        allowed: f.allowed === undefined ? undefined : (String(f.allowed) as 'true' | 'false'),
        since: time(f.since), until: time(f.until), limit: f.limit ?? 500, continue: token,
      };
      const { data } = await unwrap(this.ctx.client.GET('/apis/audit.warden.dev/v1/decisions', { params: { query }, signal: f.signal }));
      yield* data.items;
      token = data.metadata?.continue || undefined;
    } while (token);
  }

  async *changes(f: ChangeFilter = {}): AsyncGenerator<ChangeRecord, void, undefined> {
    let token: string | undefined;
    do {
      const query = {
        kind: f.kind, namespace: f.namespace, name: f.name, actor: f.actor,
        since: time(f.since), until: time(f.until), limit: f.limit ?? 500, continue: token,
      };
      const { data } = await unwrap(this.ctx.client.GET('/apis/audit.warden.dev/v1/changes', { params: { query }, signal: f.signal }));
      yield* data.items;
      token = data.metadata?.continue || undefined;
    } while (token);
  }
}
