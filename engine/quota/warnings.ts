/**
 * Warnings for admitted requests that take a quota past 90% of a hard limit,
 * one per quota and resource, in quota order then resource name.
 */
import { formatQuantity, pow10, type Quantity } from './quantity.ts';
import { sortNames, type ResourceList } from './resource-list.ts';
import type { Limit } from './limits.ts';

/** floor(100 × used / hard) for a positive hard value. */
function percent(used: Quantity, hard: Quantity): bigint {
  const m = Math.min(used.exp, hard.exp);
  return (used.coef * pow10(used.exp - m) * 100n) / (hard.coef * pow10(hard.exp - m));
}

/** True when used > 90% of hard, computed exactly. */
function past90(used: Quantity, hard: Quantity): boolean {
  const m = Math.min(used.exp, hard.exp);
  return used.coef * pow10(used.exp - m) * 10n > hard.coef * pow10(hard.exp - m) * 9n;
}

export function usageWarnings(charged: readonly { limit: Limit; requested: ResourceList; newUsed: ResourceList }[]): string[] {
  const out: string[] = [];
  for (const { limit, requested, newUsed } of charged) {
    for (const name of sortNames(requested.keys())) {
      const used = newUsed.get(name);
      const hard = limit.hard.get(name);
      if (used === undefined || hard === undefined || hard.coef <= 0n || !past90(used, hard)) continue;
      const noun = limit.scope === 'tenant' ? 'tenant quota' : 'resourcequota';
      out.push(`${noun} "${limit.name}" is at ${percent(used, hard)}% of its ${name} limit: ` +
        `used ${formatQuantity(used)} of ${formatQuantity(hard)}`);
    }
  }
  return out;
}
