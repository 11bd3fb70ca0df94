/**
 * The limits a request is checked against: the namespace's ResourceQuotas
 * (in the order given) followed by extra quota-like limits such as a
 * tenant's. Both are reduced to one shape so admission and release treat
 * them alike; only the wording of messages and the "status unknown" rule
 * differ.
 */
import { aggregateMessage, type FieldError } from '../validation/field-error.ts';
import { ObjectReader, type ReadQuantity } from './object-reader.ts';
import { parseResourceQuota, type ScopeSelectorRequirement } from './quota-object.ts';
import type { ResourceList } from './resource-list.ts';
import type { ExtraLimit } from './types.ts';

export interface Limit {
  name: string;
  scope: 'namespace' | 'tenant';
  hard: ResourceList;
  used: ResourceList;
  selectors: ScopeSelectorRequirement[];
}

export type LimitsResult = { ok: true; limits: Limit[] } | { ok: false; reason: string; errors: FieldError[] };

/**
 * Reads the quotas of `namespace` (quotas of other namespaces are skipped)
 * and the extra limits. An unreadable one fails the whole read: admission
 * must not guess at a limit it cannot read.
 */
export function readLimits(
  quotas: readonly unknown[], extra: readonly ExtraLimit[], namespace: string, readQuantity?: ReadQuantity,
): LimitsResult {
  const limits: Limit[] = [];
  for (const raw of quotas) {
    const parsed = parseResourceQuota(raw, readQuantity);
    if (!parsed.ok) {
      return { ok: false, reason: `unreadable quota: ${parsed.name || '<unnamed>'}: ${aggregateMessage(parsed.errors)}`, errors: parsed.errors };
    }
    const q = parsed.quota;
    if (q.namespace !== undefined && q.namespace !== '' && q.namespace !== namespace) continue;
    limits.push({ name: q.name, scope: 'namespace', hard: q.hard, used: q.used, selectors: q.selectors });
  }
  for (const e of extra) {
    const r = new ObjectReader(readQuantity);
    const hard = r.resourceList(e?.hard, 'hard') ?? new Map();
    const used = r.resourceList(e?.used, 'used') ?? new Map();
    const name = typeof e?.name === 'string' ? e.name : '';
    if (r.errors.length > 0) {
      return { ok: false, reason: `unreadable tenant quota: ${name || '<unnamed>'}: ${aggregateMessage(r.errors)}`, errors: r.errors };
    }
    limits.push({ name, scope: 'tenant', hard, used, selectors: [] });
  }
  return { ok: true, limits };
}

/** `quota` or `tenant quota`, as messages name a limit. */
export function limitNoun(limit: Limit): string {
  return limit.scope === 'tenant' ? 'tenant quota' : 'quota';
}
