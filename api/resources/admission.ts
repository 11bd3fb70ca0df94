/**
 * Checks a write must pass after validation and before it is stored, beyond
 * the request's own authorization: the place escalation prevention and
 * tenancy rules hook in. Each check throws a Status to refuse.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { AppDeps, RequestContext } from '../context.ts';
import type { ApiKind } from './registry.ts';

export type WriteCheck = (deps: AppDeps, ctx: RequestContext, k: ApiKind, next: KubeObject | null, prev: KubeObject | null) => void | Promise<void>;

const checks: WriteCheck[] = [];

export function registerWriteCheck(check: WriteCheck): void {
  checks.push(check);
}

/** Runs every registered check; `next` null is a delete, `prev` null a create. */
export async function admit(deps: AppDeps, ctx: RequestContext, k: ApiKind, next: KubeObject | null, prev: KubeObject | null): Promise<void> {
  for (const check of checks) await check(deps, ctx, k, next, prev);
}
