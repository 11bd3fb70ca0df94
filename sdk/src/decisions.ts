/**
 * Decisions and reviews: can / canMany / explain (SubjectAccessReview and
 * its batch), rules (SubjectRulesReview), whoCan (ResourceAccessReview,
 * every page), traffic and reachability reviews, and whatIf
 * (RBACChangeReview). Each answer names the revision it was decided at.
 */
import type { components } from './generated/openapi.js';
import { revisionOf, unwrap, type CallOptions, type Context } from './context.js';
import { WardenError } from './errors.js';

type Schemas = components['schemas'];

/** The question of `can`: who (user, groups, uid, extra) may do what (verb on a resource, or on a non-resource path). */
export interface AccessAttributes {
  user: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  verb: string;
  resource?: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** A non-resource URL such as `/healthz` (instead of resource). */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  denied: boolean;
  reason: string;
  /** The policy revision the answer was decided at. */
  revision: number;
  evaluationError?: string;
}

/**
 * A decision with its reasons as data (SubjectAccessExplanation): what
 * allowed it, or the bindings that applied and what no rule matched.
 * Bindings the caller may not read are only counted, in `hidden`.
 */
export interface Explanation extends Decision {
  grantedBy?: Schemas['SubjectAccessExplanationStatus']['grantedBy'];
  considered: NonNullable<Schemas['SubjectAccessExplanationStatus']['considered']>;
  hidden: number;
  missing?: string;
}

export interface WhoCanQuery {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A subject that may do it, with the bindings that grant it (`privileged` for system:masters). */
export interface Grantee {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
  privileged?: string;
  bindings: Schemas['GrantingBinding'][];
}

export type TrafficEndpoint = Schemas['TrafficEndpoint'];

export interface TrafficQuery {
  source: TrafficEndpoint;
  destination: TrafficEndpoint;
  port: number | string;
  protocol?: string;
  whatIf?: Schemas['NetworkPolicyWhatIf'];
}

/** A change to weigh: objects to apply and objects to delete (or just the objects to apply). */
export type RBACChange = { apply?: Schemas['Object'][]; delete?: Schemas['ObjectRef'][] } | Schemas['Object'][];

/** A question answered by the server on the current state and on the state the change would make. */
export interface WhatIfAnswer {
  question: AccessAttributes;
  before: boolean;
  after: boolean;
}

export interface WhatIfResult {
  entries: Schemas['PermissionChange'][];
  answers: WhatIfAnswer[];
  revision: number;
}

/** The largest batch the batch endpoint answers in one request. */
export const batchLimit = 1000;

export function specOf(a: AccessAttributes): Schemas['SubjectAccessReviewSpec'] {
  if (!a || typeof a !== 'object') throw new WardenError(400, 'BadRequest', 'the question must be an object');
  const spec: Schemas['SubjectAccessReviewSpec'] = { user: a.user };
  if (a.groups?.length) spec.groups = a.groups;
  if (a.uid) spec.uid = a.uid;
  if (a.extra) spec.extra = a.extra;
  if (a.path !== undefined) spec.nonResourceAttributes = { path: a.path, verb: a.verb };
  else {
    const r: Schemas['ResourceAttributes'] = { verb: a.verb, resource: a.resource };
    if (a.group) r.group = a.group;
    if (a.subresource) r.subresource = a.subresource;
    if (a.namespace) r.namespace = a.namespace;
    if (a.name) r.name = a.name;
    spec.resourceAttributes = r;
  }
  return spec;
}

function decisionOf(s: Schemas['SubjectAccessReviewStatus'] | undefined, revision: number): Decision {
  const d: Decision = { allowed: s?.allowed === true, denied: s?.denied === true, reason: s?.reason ?? '', revision };
  if (s?.evaluationError) d.evaluationError = s.evaluationError;
  return d;
}

export class Decisions {
  constructor(private readonly ctx: Context) {}

  async can(attrs: AccessAttributes, opts: CallOptions = {}): Promise<Decision> {
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: specOf(attrs) }, signal: opts.signal,
    }));
    return decisionOf(data.status, revisionOf(response));
  }

  /** The same question as a LocalSubjectAccessReview in `attrs.namespace`. */
  async localCan(attrs: AccessAttributes & { namespace: string }, opts: CallOptions = {}): Promise<Decision> {
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews', {
      params: { path: { namespace: attrs.namespace } },
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: attrs.namespace }, spec: specOf(attrs) },
      signal: opts.signal,
    }));
    return decisionOf(data.status, revisionOf(response));
  }

  /** May the caller itself do this? (SelfSubjectAccessReview) */
  async selfCan(attrs: Omit<AccessAttributes, 'user' | 'groups' | 'uid' | 'extra'>, opts: CallOptions = {}): Promise<Decision> {
    const { resourceAttributes, nonResourceAttributes } = specOf({ ...attrs, user: '' });
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes, nonResourceAttributes } },
      signal: opts.signal,
    }));
    return decisionOf(data.status, revisionOf(response));
  }

  /** Answers in order, through the batch endpoint (chunks of 1,000; each chunk decided at one revision). */
  async canMany(questions: AccessAttributes[], opts: CallOptions = {}): Promise<Decision[]> {
    if (!Array.isArray(questions)) throw new WardenError(400, 'BadRequest', 'canMany: the questions must be an array');
    const out: Decision[] = [];
    for (let i = 0; i < questions.length; i += batchLimit) {
      const chunk = questions.slice(i, i + batchLimit);
      const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.warden.dev/v1/subjectaccessreviewbatches', {
        body: { apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectAccessReviewBatch', spec: { reviews: chunk.map(specOf) } },
        signal: opts.signal,
      }));
      const revision = revisionOf(response);
      const results = data.status?.results ?? [];
      chunk.forEach((_, j) => out.push(decisionOf(results[j], revision)));
    }
    return out;
  }

  /** The decision with its reasons: the binding, role and rule that allow it, or the bindings that applied and what was missing. */
  async explain(attrs: AccessAttributes, opts: CallOptions = {}): Promise<Explanation> {
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.warden.dev/v1/subjectaccessexplanations', {
      body: { apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectAccessExplanation', spec: specOf(attrs) }, signal: opts.signal,
    }));
    const s = data.status;
    const d = decisionOf(s ? { allowed: s.allowed, reason: s.reason, evaluationError: s.evaluationError } : undefined, revisionOf(response));
    return {
      ...d, considered: s?.considered ?? [], hidden: s?.hidden ?? 0,
      ...(s?.grantedBy ? { grantedBy: s.grantedBy } : {}), ...(s?.missing ? { missing: s.missing } : {}),
    };
  }

  /** What may this subject do in this namespace? (SubjectRulesReview) */
  async rules(q: { user: string; groups?: string[]; uid?: string; namespace: string }, opts: CallOptions = {}): Promise<Schemas['SubjectRulesReviewStatus']> {
    const spec: { user: string; groups?: string[]; uid?: string; namespace: string } = { user: q.user, namespace: q.namespace ?? '' };
    if (q.groups?.length) spec.groups = q.groups;
    if (q.uid) spec.uid = q.uid;
    const { data } = await unwrap(this.ctx.client.POST('/apis/authorization.warden.dev/v1/subjectrulesreviews', {
      body: { apiVersion: 'authorization.warden.dev/v1', kind: 'SubjectRulesReview', spec }, signal: opts.signal,
    }));
    return data.status ?? {};
  }

  /** What may the caller itself do in this namespace? (SelfSubjectRulesReview) */
  async selfRules(q: { namespace: string }, opts: CallOptions = {}): Promise<Schemas['SubjectRulesReviewStatus']> {
    const { data } = await unwrap(this.ctx.client.POST('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: q.namespace } }, signal: opts.signal,
    }));
    return data.status ?? {};
  }

  /**
   * Every subject that may do it, each once, with the bindings that grant
   * it, following continue tokens (a write between pages makes the next
   * page 410 Expired, thrown as a WardenError).
   */
  async *whoCan(q: WhoCanQuery & CallOptions & { limit?: number }): AsyncGenerator<Grantee, void, undefined> {
    const resourceAttributes: Schemas['ResourceAttributes'] = { verb: q.verb, resource: q.resource };
    for (const k of ['group', 'subresource', 'namespace', 'name'] as const) if (q[k]) resourceAttributes[k] = q[k];
    let token: string | undefined;
    do {
      const query: { limit: number; continue?: string } = { limit: q.limit ?? 500 };
      if (token) query.continue = token;
      const { data } = await unwrap(this.ctx.client.POST('/apis/authorization.warden.dev/v1/resourceaccessreviews', {
        params: { query },
        body: { apiVersion: 'authorization.warden.dev/v1', kind: 'ResourceAccessReview', spec: { resourceAttributes } },
        signal: q.signal,
      }));
      for (const s of data.status?.subjects ?? []) {
        const g: Grantee = { kind: s.kind ?? '', name: s.name ?? '', bindings: s.grantedBy ?? [] };
        if (s.namespace) g.namespace = s.namespace;
        if (s.apiGroup) g.apiGroup = s.apiGroup;
        if (s.privileged) g.privileged = s.privileged;
        yield g;
      }
      // The page's continue token sits in metadata.continue, as in a list.
      token = data.metadata?.continue || undefined;
    } while (token);
  }

  /** Dangerous or broken grants, most severe first, cluster-wide or in one namespace (RiskReview). */
  async risks(q: { namespace?: string; includeDefaults?: boolean } & CallOptions = {}): Promise<{ findings: Schemas['RiskFinding'][]; incomplete: boolean; revision: number }> {
    const spec: { namespace?: string; includeDefaults?: boolean } = {};
    if (q.namespace) spec.namespace = q.namespace;
    if (q.includeDefaults) spec.includeDefaults = true;
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.warden.dev/v1/riskreviews', {
      body: { apiVersion: 'authorization.warden.dev/v1', kind: 'RiskReview', spec }, signal: q.signal,
    }));
    return { findings: data.status?.findings ?? [], incomplete: data.status?.incomplete === true, revision: revisionOf(response) };
  }

  /** May this connection be opened, and which policies decide? (TrafficReview) */
  async traffic(q: TrafficQuery, opts: CallOptions = {}): Promise<Schemas['TrafficReviewStatus'] & { revision: number }> {
    const spec: Schemas['TrafficReviewSpec'] = { source: q.source, destination: q.destination, port: q.port };
    if (q.protocol) spec.protocol = q.protocol;
    if (q.whatIf) spec.whatIf = q.whatIf;
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/networking.warden.dev/v1/trafficreviews', {
      body: { apiVersion: 'networking.warden.dev/v1', kind: 'TrafficReview', spec }, signal: opts.signal,
    }));
    return { ...(data.status ?? {}), revision: revisionOf(response) };
  }

  /** Which of these endpoints may connect to which? (ReachabilityReview) */
  async reachability(q: Schemas['ReachabilityReviewSpec'], opts: CallOptions = {}): Promise<Schemas['ReachabilityReviewStatus'] & { revision: number }> {
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/networking.warden.dev/v1/reachabilityreviews', {
      body: { apiVersion: 'networking.warden.dev/v1', kind: 'ReachabilityReview', spec: q }, signal: opts.signal,
    }));
    return { ...(data.status ?? {}), revision: revisionOf(response) };
  }

  /**
   * Who would gain or lose what if `change` were made (nothing is written),
   * and how each question would then be answered: allowed when a gained
   * rule of the user (or one of its groups) covers it, denied when it was
   * allowed and a lost rule covers it, else as now.
   */
  async whatIf(change: RBACChange, questions: AccessAttributes[] = [], opts: CallOptions = {}): Promise<WhatIfResult> {
    const spec = {
      ...(Array.isArray(change) ? { apply: change } : { apply: change?.apply ?? [], delete: change?.delete ?? [] }),
      ...(questions.length ? { questions: questions.map(specOf) } : {}),
    };
    const { data, response } = await unwrap(this.ctx.client.POST('/apis/authorization.warden.dev/v1/rbacchangereviews', {
      body: { apiVersion: 'authorization.warden.dev/v1', kind: 'RBACChangeReview', spec }, signal: opts.signal,
    }));
    const entries = data.status?.entries ?? [];
    const answered = data.status?.answers ?? [];
    const answers = questions.map((question, i) => ({ question, before: answered[i]?.before ?? false, after: answered[i]?.after ?? false }));
    return { entries, answers, revision: revisionOf(response) };
  }
}

