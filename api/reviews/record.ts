/** Hands a decision to the decision log, when one runs; recording never slows or fails the decision. */
import type { Attributes } from '../../engine/rbac/types.ts';
import type { AppDeps, RequestContext } from '../context.ts';

export function recordDecision(
  deps: AppDeps, ctx: RequestContext, kind: string, attrs: Attributes, question: unknown,
  status: { allowed: boolean; reason?: string; evaluationError?: string }, revision: number,
): void {
  const log = (deps as { decisions?: { record(entry: unknown): void } }).decisions;
  if (!log) return;
  log.record({
    at: new Date(),
    caller: ctx.caller?.name ?? '',
    subject: { user: attrs.user.name, groups: attrs.user.groups ?? [] },
    kind,
    namespace: attrs.namespace || undefined,
    verb: attrs.verb || undefined,
    group: attrs.isResourceRequest ? attrs.apiGroup : undefined,
    resource: attrs.resource || undefined,
    subresource: attrs.subresource || undefined,
    name: attrs.name || undefined,
    path: attrs.isResourceRequest ? undefined : attrs.path,
    question,
    allowed: status.allowed,
    reason: status.reason ?? (status.evaluationError ? `evaluation error: ${status.evaluationError}` : ''),
    revision,
  });
}
