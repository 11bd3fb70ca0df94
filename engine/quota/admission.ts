/**
 * ResourceQuota admission for one request: CheckRequest of
 * k8s.io/apiserver/pkg/admission/plugin/resourcequota, preceded by the
 * plugin's own filters, over the namespace's quotas and any extra (tenant)
 * limits.
 *
 * Order of decisions, as upstream:
 * 1. DELETE, CONNECT, subresources other than a pod's `resize`, cluster-scoped
 *    requests, namespace creation, ignored resources and operations the
 *    evaluator does not handle are allowed without looking further.
 * 2. With no applicable quota or limit in the namespace, allowed.
 * 3. Each limit that tracks a resource of this kind and whose scopes all
 *    match: "must specify" constraints, then "status unknown" when its
 *    `status.used` lacks a tracked resource.
 * 4. The object's usage must not be negative.
 * 5. UPDATE charges `max(0, new - old)` when the old object has a
 *    resourceVersion (and matched the limit), the full usage otherwise.
 * 6. Per limit, only the resources it tracks are compared, and
 *    `used + requested <= hard` must hold for each; the first limit that
 *    fails decides the message.
 */
import { aggregateMessage, type FieldError } from '../validation/field-error.ts';
import { goQuote } from '../validation/go-quote.ts';
import { quotaMatches, groupResourceString, type GroupResource } from './evaluator.ts';
import { readLimits, limitNoun, type Limit } from './limits.ts';
import {
  addLists, exceededNames, listsEqual, mask, negativeNames, prettyPrint, removeZeros, sortNames,
  subtractNonNegative, toJSON, type ResourceList,
} from './resource-list.ts';
import { evaluatorFor, isIgnoredResource } from './registry.ts';
import type { QuotaCharge, QuotaCheckOptions, QuotaDecision, QuotaRequest } from './types.ts';
import { usageWarnings } from './warnings.ts';


/** The name admission errors use: the request's, else the object's name or generateName, else `Unknown`. */
function requestName(request: QuotaRequest | undefined): string {
  if (typeof request?.name === 'string' && request.name) return request.name;
  const obj = request?.object as { metadata?: { name?: unknown; generateName?: unknown } } | undefined;
  const meta = typeof obj === 'object' && obj !== null ? obj.metadata : undefined;
  if (typeof meta !== 'object' || meta === null) return 'Unknown';
  if (typeof meta.name === 'string' && meta.name) return meta.name;
  if (typeof meta.generateName === 'string' && meta.generateName) return meta.generateName;
  return 'Unknown';
}

/** apierrors.NewForbidden's message for the request's resource and name. */
export function forbiddenMessage(gr: GroupResource, name: string, reason: string): string {
  if (gr.resource === '' && gr.group === '') return `forbidden: ${reason}`;
  return `${groupResourceString(gr)} ${goQuote(name)} is forbidden: ${reason}`;
}

const allow = (charges: QuotaCharge[] = [], warnings: string[] = []): QuotaDecision => ({ allowed: true, charges, warnings });

function deny(request: QuotaRequest | undefined, reason: string): QuotaDecision {
  const gr = { group: String(request?.resource?.group ?? ''), resource: String(request?.resource?.resource ?? '') };
  return { allowed: false, reason: 'Forbidden', message: forbiddenMessage(gr, requestName(request), reason), charges: [], warnings: [] };
}

function invalidObject(request: QuotaRequest, errors: FieldError[]): QuotaDecision {
  const kind = request.kind?.group ? `${request.kind.kind}.${request.kind.group}` : request.kind?.kind ?? '';
  return {
    allowed: false,
    reason: 'Invalid',
    message: `${kind} ${goQuote(requestName(request))} is invalid: ${aggregateMessage(errors)}`,
    charges: [],
    warnings: [],
    errors,
  };
}

function hasUsageStats(limit: Limit, tracked: readonly string[]): boolean {
  return tracked.every((r) => !limit.hard.has(r) || limit.used.has(r));
}

/**
 * Decides one request. Never throws: a malformed object yields an Invalid
 * decision, anything unexpected a Forbidden one.
 */
export function checkQuotaRequest(request: QuotaRequest, quotas: readonly unknown[], options: QuotaCheckOptions = {}): QuotaDecision {
  try {
    return check(request, quotas, options);
  } catch (e) {
    return deny(request, `quota evaluation failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function check(request: QuotaRequest, quotas: readonly unknown[], options: QuotaCheckOptions): QuotaDecision {
  if (typeof request !== 'object' || request === null) return deny(undefined, 'malformed admission request');
  const op = request.operation;
  const sub = request.subResource ?? '';
  const gr: GroupResource = { group: request.resource?.group ?? '', resource: request.resource?.resource ?? '' };
  if (op !== 'CREATE' && op !== 'UPDATE') return allow();
  if (sub !== '' && !(sub === 'resize' && gr.group === '' && gr.resource === 'pods')) return allow();
  if (!request.namespace) return allow();
  if (op === 'CREATE' && request.kind?.group === '' && request.kind?.kind === 'Namespace') return allow();
  if (isIgnoredResource(gr)) return allow();
  const evaluator = evaluatorFor(gr);
  if (!evaluator.handles(op, sub)) return allow();

  const readQuantity = options?.quantities?.parseJSON;
  const read = readLimits(Array.isArray(quotas) ? quotas : [], options?.extraLimits ?? [], request.namespace, readQuantity);
  if (!read.ok) return deny(request, read.reason);
  const limits = read.limits;
  if (limits.length === 0) return allow();

  const input = evaluator.read(request.object, '', op, readQuantity);
  if (!input.item) return invalidObject(request, input.errors);
  const item = input.item;

  const interesting: Limit[] = [];
  for (const limit of limits) {
    const hardNames = [...limit.hard.keys()];
    // Upstream evaluates every quota's scopes (MatchingScopes) before asking whether it applies.
    const scopeError = limit.selectors.map((s) => item.matchesScope(s)).find((m) => !m.ok);
    if (scopeError && !scopeError.ok) return deny(request, `error matching scopes of ${limitNoun(limit)} ${limit.name}, err: ${scopeError.error}`);
    const m = quotaMatches(evaluator, hardNames, limit.selectors, item);
    if (!m.ok) return deny(request, `error matching scopes of ${limitNoun(limit)} ${limit.name}, err: ${m.error}`);
    if (!m.match) continue;
    const tracked = evaluator.matchingResources(hardNames);
    const failed = item.constraints(tracked);
    if (failed !== undefined) return deny(request, `failed ${limitNoun(limit)}: ${limit.name}: ${failed}`);
    if (limit.scope === 'namespace' && !hasUsageStats(limit, tracked)) {
      return deny(request, `status unknown for quota: ${limit.name}, resources: ${sortNames(tracked).join(',')}`);
    }
    interesting.push(limit);
  }

  const usageOptions = { now: options?.now };
  const inputUsage = item.usage(usageOptions);
  const negative = negativeNames(inputUsage);
  if (negative.length > 0) return deny(request, `quota usage is negative for resource(s): ${negative.join(',')}`);

  const deltas = new Map<Limit, ResourceList>(interesting.map((limit) => [limit, inputUsage]));
  if (op === 'UPDATE') {
    if (request.oldObject === undefined || request.oldObject === null) {
      return deny(request, 'unable to get previous usage since prior version of object was not found');
    }
    const old = evaluator.read(request.oldObject, 'oldObject', undefined, readQuantity);
    if (!old.item) return invalidObject(request, old.errors);
    if (old.item.meta.resourceVersion !== '') {
      const delta = subtractNonNegative(inputUsage, old.item.usage(usageOptions));
      for (const limit of interesting) {
        const m = quotaMatches(evaluator, [...limit.hard.keys()], limit.selectors, old.item);
        if (!m.ok) return deny(request, `error matching scopes of ${limitNoun(limit)} ${limit.name}, err: ${m.error}`);
        if (m.match) deltas.set(limit, delta);
      }
    }
  }
  for (const [limit, d] of deltas) {
    const nonZero = removeZeros(d);
    if (nonZero.size === 0) deltas.delete(limit);
    else deltas.set(limit, nonZero);
  }
  if (deltas.size === 0) return allow();

  const charges: QuotaCharge[] = [];
  const charged: { limit: Limit; requested: ResourceList; newUsed: ResourceList }[] = [];
  for (const limit of interesting) {
    const delta = deltas.get(limit);
    if (!delta) continue;
    const requested = mask(delta, limit.hard.keys());
    const newUsed = addLists(limit.used, requested);
    const exceeded = exceededNames(mask(newUsed, requested.keys()), limit.hard);
    if (exceeded.length > 0) {
      return deny(request, `exceeded ${limitNoun(limit)}: ${limit.name}, requested: ${prettyPrint(mask(requested, exceeded))}, ` +
        `used: ${prettyPrint(mask(limit.used, exceeded))}, limited: ${prettyPrint(mask(limit.hard, exceeded))}`);
    }
    if (!listsEqual(newUsed, limit.used)) {
      charges.push({ quota: limit.name, scope: limit.scope, used: toJSON(newUsed) });
      charged.push({ limit, requested, newUsed });
    }
  }
  return allow(charges, usageWarnings(charged));
}
