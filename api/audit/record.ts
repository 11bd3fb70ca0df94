/**
 * How a decision endpoint records what it answered: one call after the
 * decision is made and before (or after) the response is sent. It never
 * throws, never waits, and does nothing when the app runs without a log.
 */
import type { Attributes } from '../../engine/rbac/types.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import type { DecisionEntry } from './decision-log.ts';

export type DecisionRecord = Omit<DecisionEntry, 'caller'>;

/** Records `d` with the request's authenticated caller (before impersonation) as the caller. */
export function recordDecision(deps: AppDeps, ctx: Pick<RequestContext, 'caller'>, d: DecisionRecord): void {
  deps.decisions?.record({ ...d, caller: ctx.caller?.name ?? '' });
}

/** The attribute fields of an entry from kube authorizer attributes (a resource or a non-resource question). */
export function attributeFields(a: Pick<Attributes, 'isResourceRequest' | 'namespace' | 'verb' | 'apiGroup' | 'resource' | 'subresource' | 'name' | 'path'>) {
  return a.isResourceRequest
    ? { namespace: a.namespace, verb: a.verb, group: a.apiGroup, resource: a.resource, subresource: a.subresource, name: a.name }
    : { verb: a.verb, path: a.path };
}
