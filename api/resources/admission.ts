/**
 * Checks a write must pass after validation and before it is stored, beyond
 * the request's own authorization: escalation prevention, tenancy rules and
 * identity rules. Which checks run, in which order, is `deps.writes.checks`
 * (api/composition.ts). Each check throws a Status to refuse.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import type { ApiKind } from './registry.ts';

export type WriteCheck = (deps: AppDeps, ctx: RequestContext, k: ApiKind, next: KubeObject | null, prev: KubeObject | null) => void | Promise<void>;

/** Runs every check of `deps.writes`; `next` null is a delete, `prev` null a create. */
export async function admit(deps: AppDeps, ctx: RequestContext, k: ApiKind, next: KubeObject | null, prev: KubeObject | null): Promise<void> {
  for (const check of deps.writes.checks) await check(deps, ctx, k, next, prev);
}
