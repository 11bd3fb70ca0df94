/**
 * The `status.used` the ResourceQuota controller would compute for a quota
 * from the objects in its namespace (quota.CalculateUsage with each
 * evaluator's UsageStats), so a quota can be recalculated from scratch.
 *
 * For every evaluator that measures one of the quota's `spec.hard` names,
 * each such name starts at zero and every object of that kind that matches
 * all the quota's scopes adds its usage. Names no evaluator measures keep
 * their previous value when one is given, else are absent. Objects are
 * recognised by apiVersion and kind; objects of another namespace are
 * skipped. Order matters only for how sums print (a sum keeps the format of
 * its first non-zero term), as upstream.
 */
import type { FieldError } from '../validation/field-error.ts';
import { isObject, ObjectReader } from './object-reader.ts';
import { objectCountEvaluator } from './object-count.ts';
import { parseResourceQuota } from './quota-object.ts';
import { addLists, mask, toJSON, zeros, type ResourceList, type ResourceListJSON } from './resource-list.ts';
import { parseObjectCountName } from './resource-names.ts';
import { evaluatorFor, hasDedicatedEvaluator, resourceForKind } from './registry.ts';
import { groupResourceString, type Evaluator, type GroupResource } from './evaluator.ts';

export interface ComputeUsageOptions {
  /** Epoch milliseconds, for pods past their deletion grace period. */
  now?: number;
  /** The quota's current `status.used`, kept for names no evaluator measures. */
  previousUsed?: Record<string, unknown>;
}

export interface ComputedUsage {
  used: ResourceListJSON;
  /** Objects or scopes that could not be read; they contributed nothing. */
  errors: FieldError[];
}

const alwaysEvaluated: GroupResource[] = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'services' },
  { group: '', resource: 'persistentvolumeclaims' },
  { group: '', resource: 'configmaps' },
  { group: '', resource: 'secrets' },
  { group: '', resource: 'replicationcontrollers' },
  { group: '', resource: 'resourcequotas' },
];

function evaluatorsFor(hardNames: readonly string[]): Evaluator[] {
  const byKey = new Map<string, Evaluator>();
  for (const gr of alwaysEvaluated) byKey.set(groupResourceString(gr), evaluatorFor(gr));
  for (const name of hardNames) {
    const gr = parseObjectCountName(name);
    if (gr && !hasDedicatedEvaluator(gr) && !byKey.has(groupResourceString(gr))) {
      byKey.set(groupResourceString(gr), objectCountEvaluator(gr));
    }
  }
  return [...byKey.values()];
}

/** Computes a quota's `status.used` from `objects`; never throws. */
export function computeQuotaUsage(quota: unknown, objects: readonly unknown[], options: ComputeUsageOptions = {}): ComputedUsage {
  const parsed = parseResourceQuota(quota);
  if (!parsed.ok) return { used: {}, errors: parsed.errors };
  const q = parsed.quota;
  const hard = q.specHard.size > 0 ? q.specHard : q.hard;
  const hardNames = [...hard.keys()];
  const errors: FieldError[] = [];

  const byResource = new Map<string, { raw: unknown; index: number }[]>();
  objects.forEach((raw, index) => {
    if (!isObject(raw) || typeof raw.apiVersion !== 'string' || typeof raw.kind !== 'string') {
      errors.push({ type: 'FieldValueRequired', field: `objects[${index}]`, detail: 'apiVersion and kind are required' });
      return;
    }
    const meta = isObject(raw.metadata) ? raw.metadata : {};
    if (typeof meta.namespace === 'string' && meta.namespace !== '' && q.namespace && meta.namespace !== q.namespace) return;
    const key = groupResourceString(resourceForKind(raw.apiVersion, raw.kind));
    if (!byResource.has(key)) byResource.set(key, []);
    byResource.get(key)!.push({ raw, index });
  });

  let computed: ResourceList = new Map();
  for (const evaluator of evaluatorsFor(hardNames)) {
    const matched = evaluator.matchingResources(hardNames);
    if (matched.length === 0) continue;
    let sum = zeros(matched);
    for (const { raw, index } of byResource.get(groupResourceString(evaluator.groupResource)) ?? []) {
      const read = evaluator.read(raw, `objects[${index}]`);
      if (!read.item) {
        errors.push(...read.errors);
        continue;
      }
      let inScope = true;
      for (const req of q.selectors) {
        const m = read.item.matchesScope(req);
        if (!m.ok) {
          errors.push({ type: 'FieldValueInvalid', field: 'spec.scopeSelector', value: req.scopeName, detail: m.error });
          inScope = false;
          break;
        }
        inScope = inScope && m.match;
      }
      if (inScope) sum = addLists(sum, read.item.usage({ now: options.now }));
    }
    for (const [k, v] of mask(sum, matched)) computed.set(k, v);
  }

  const r = new ObjectReader();
  const previous = r.resourceList(options.previousUsed, 'status.used') ?? new Map();
  errors.push(...r.errors);
  computed = new Map([...previous, ...computed]);
  return { used: toJSON(mask(computed, hardNames)), errors };
}

