/**
 * Releasing a deleted object's charge. Kubernetes lets its quota controller
 * recompute usage after a DELETE; Warden has no such controller, so the
 * DELETE itself gives back what the object was charged when it was admitted:
 * every quota (and extra limit) that applies to the object has the object's
 * usage, masked to what it tracks, subtracted from `used`, never below zero.
 * A pod releases its compute even if it has since reached a terminal phase,
 * since nothing released it earlier.
 */
import type { FieldError } from '../validation/field-error.ts';
import { quotaMatches, type GroupResource } from './evaluator.ts';
import { readLimits } from './limits.ts';
import { compareQuantities, isZero, newQuantity, subtractQuantities } from './quantity.ts';
import type { QuantityParser } from './quantity-parser.ts';
import { listsEqual, mask, removeZeros, toJSON, type ResourceList } from './resource-list.ts';
import { evaluatorFor, isIgnoredResource } from './registry.ts';
import type { ExtraLimit, QuotaCharge } from './types.ts';

export interface ReleaseOptions {
  /** The object's namespace when its metadata lacks one. */
  namespace?: string;
  extraLimits?: readonly ExtraLimit[];
  /** Reads quantities through the caller's memo; without it each is parsed afresh. */
  quantities?: QuantityParser;
}

export interface ReleaseResult {
  /** The new `used` of every quota or limit the deletion changes. */
  charges: QuotaCharge[];
  /** Why nothing could be released: the object or a quota could not be read. */
  errors: FieldError[];
}

const zero = newQuantity(0);

function release(used: ResourceList, freed: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of used) {
    const f = freed.get(k);
    if (f === undefined) {
      out.set(k, v);
      continue;
    }
    const d = subtractQuantities(v, f);
    out.set(k, compareQuantities(d, zero) > 0 ? d : isZero(v) ? v : zero);
  }
  return out;
}

/** The new usage of each quota after `object` (of `resource`) is deleted; never throws. */
export function releaseCharges(
  object: unknown,
  resource: GroupResource,
  quotas: readonly unknown[],
  options: ReleaseOptions = {},
): ReleaseResult {
  try {
    const gr = { group: resource?.group ?? '', resource: resource?.resource ?? '' };
    if (isIgnoredResource(gr)) return { charges: [], errors: [] };
    const evaluator = evaluatorFor(gr);
    const readQuantity = options?.quantities?.parseJSON;
    const read = evaluator.read(object, '', undefined, readQuantity);
    if (!read.item) return { charges: [], errors: read.errors };
    const item = read.item;
    const namespace = item.meta.namespace || options?.namespace || '';
    if (namespace === '') return { charges: [], errors: [] };
    const limits = readLimits(Array.isArray(quotas) ? quotas : [], options?.extraLimits ?? [], namespace, readQuantity);
    if (!limits.ok) return { charges: [], errors: limits.errors };
    const usage = removeZeros(item.usage({ asAdmitted: true }));
    const charges: QuotaCharge[] = [];
    for (const limit of limits.limits) {
      const m = quotaMatches(evaluator, [...limit.hard.keys()], limit.selectors, item);
      if (!m.ok || !m.match) continue;
      const newUsed = release(limit.used, mask(usage, limit.hard.keys()));
      if (!listsEqual(newUsed, limit.used)) charges.push({ quota: limit.name, scope: limit.scope, used: toJSON(newUsed) });
    }
    return { charges, errors: [] };
  } catch (e) {
    return { charges: [], errors: [{ type: 'InternalError', field: '', detail: e instanceof Error ? e.message : String(e) }] };
  }
}
