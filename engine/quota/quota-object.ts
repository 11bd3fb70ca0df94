/**
 * The parts of a ResourceQuota (v1) that admission and usage read, parsed
 * from untyped JSON, plus the scope selectors a quota imposes
 * (getScopeSelectorsFromQuota: every `spec.scopes` entry as an `Exists`
 * requirement, then `spec.scopeSelector.matchExpressions`).
 */
import type { FieldError } from '../validation/field-error.ts';
import { ObjectReader, type ReadQuantity } from './object-reader.ts';
import type { ResourceList } from './resource-list.ts';

export interface ScopeSelectorRequirement {
  scopeName: string;
  operator: string;
  values: string[];
}

export interface ParsedQuota {
  name: string;
  namespace?: string;
  /** spec.hard, what the controller computes usage for. */
  specHard: ResourceList;
  /** status.hard, what admission enforces. */
  hard: ResourceList;
  used: ResourceList;
  selectors: ScopeSelectorRequirement[];
}

export type ParsedQuotaResult = { ok: true; quota: ParsedQuota } | { ok: false; name: string; errors: FieldError[] };

/** Reads a ResourceQuota; any unreadable field makes the whole quota unreadable. */
export function parseResourceQuota(raw: unknown, readQuantity?: ReadQuantity): ParsedQuotaResult {
  const r = new ObjectReader(readQuantity);
  const obj = r.object(raw, 'quota');
  const metadata = r.field(obj, 'metadata', '', r.object);
  const name = r.field(metadata, 'name', 'metadata', r.string) ?? '';
  const namespace = r.field(metadata, 'namespace', 'metadata', r.string);
  const spec = r.field(obj, 'spec', '', r.object);
  const status = r.field(obj, 'status', '', r.object);
  const specHard = r.field(spec, 'hard', 'spec', r.resourceList) ?? new Map();
  const hard = r.field(status, 'hard', 'status', r.resourceList) ?? new Map();
  const used = r.field(status, 'used', 'status', r.resourceList) ?? new Map();
  const selectors: ScopeSelectorRequirement[] = [];
  for (const scope of r.field(spec, 'scopes', 'spec', r.strings) ?? []) {
    selectors.push({ scopeName: scope, operator: 'Exists', values: [] });
  }
  const scopeSelector = r.field(spec, 'scopeSelector', 'spec', r.object);
  const expressions = r.field(scopeSelector, 'matchExpressions', 'spec.scopeSelector', r.array) ?? [];
  expressions.forEach((e, i) => {
    const path = `spec.scopeSelector.matchExpressions[${i}]`;
    const expr = r.object(e, path);
    if (!expr) return;
    selectors.push({
      scopeName: r.field(expr, 'scopeName', path, r.string) ?? '',
      operator: r.field(expr, 'operator', path, r.string) ?? '',
      values: r.field(expr, 'values', path, r.strings) ?? [],
    });
  });
  if (!obj && r.errors.length === 0) r.errors.push({ type: 'FieldValueRequired', field: 'quota', detail: 'a ResourceQuota is required' });
  if (r.errors.length > 0) return { ok: false, name, errors: r.errors };
  return { ok: true, quota: { name, namespace, specHard, hard, used, selectors } };
}
