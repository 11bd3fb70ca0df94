/**
 * The contract every quota evaluator meets (k8s.io/apiserver/pkg/quota/v1
 * Evaluator), shaped for untyped input: `read` turns a JSON object into an
 * item (or field errors), and the item answers usage, scope and constraint
 * questions. Also the object metadata every evaluator reads, and
 * generic.Matches.
 */
import type { FieldError } from '../validation/field-error.ts';
import type { ObjectReader, JSONObject, ReadQuantity } from './object-reader.ts';
import type { ScopeSelectorRequirement } from './quota-object.ts';
import type { ResourceList } from './resource-list.ts';
import type { ScopeMatch } from './scopes.ts';

export interface GroupResource {
  group: string;
  resource: string;
}

/** `resource` or `resource.group`, as schema.GroupResource prints. */
export function groupResourceString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

export interface UsageOptions {
  /** Epoch milliseconds; without it no deletion grace period counts as expired. */
  now?: number;
  /**
   * Measure the object as it was charged when admitted: a pod past its
   * lifecycle (terminal, or deleted beyond its grace period) still counts its
   * compute. Used to release a charge on DELETE.
   */
  asAdmitted?: boolean;
}

export interface ObjectMetaFields {
  name: string;
  generateName: string;
  namespace: string;
  resourceVersion: string;
  annotations: Record<string, string>;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

/** One object as an evaluator sees it. */
export interface QuotaItem {
  meta: ObjectMetaFields;
  /** The resources this object consumes. Never throws. */
  usage(options: UsageOptions): ResourceList;
  /** Whether the object falls under one scope requirement of a quota. */
  matchesScope(req: ScopeSelectorRequirement): ScopeMatch;
  /** Why the object may not be admitted under a quota tracking `required`, or undefined. */
  constraints(required: readonly string[]): string | undefined;
}

export type ReadResult = { item: QuotaItem; errors: [] } | { item?: undefined; errors: FieldError[] };

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface Evaluator {
  groupResource: GroupResource;
  /** Whether an operation on (a subresource of) this resource can change quota usage. */
  handles(operation: Operation, subResource: string): boolean;
  /** The names among `names` this evaluator measures. */
  matchingResources(names: readonly string[]): string[];
  /**
   * Reads an object; `path` prefixes every field error. With `validate`, the
   * object is also held to the parts of kube-apiserver's validation that
   * decide what it is charged (required fields a decoded null leaves empty),
   * as for an object about to be stored by that operation: kube-apiserver
   * validates before its validating admission runs, so such an object never
   * reaches admission there and must not be charged here. `readQuantity`
   * reads its quantities (a QuantityParser's memo, when the caller keeps one).
   */
  read(raw: unknown, path: string, validate?: Operation, readQuantity?: ReadQuantity): ReadResult;
}

/** Reads metadata fields every evaluator needs. */
export function readMeta(r: ObjectReader, obj: JSONObject | undefined, path: string): ObjectMetaFields {
  const p = path ? `${path}.metadata` : 'metadata';
  const m = r.field(obj, 'metadata', path, r.object);
  return {
    name: r.field(m, 'name', p, r.string) ?? '',
    generateName: r.field(m, 'generateName', p, r.string) ?? '',
    namespace: r.field(m, 'namespace', p, r.string) ?? '',
    resourceVersion: r.field(m, 'resourceVersion', p, r.string) ?? '',
    annotations: r.field(m, 'annotations', p, r.stringMap) ?? {},
    deletionTimestamp: r.field(m, 'deletionTimestamp', p, r.string),
    deletionGracePeriodSeconds: r.field(m, 'deletionGracePeriodSeconds', p, r.integer),
  };
}

/** Wraps a reader's outcome as a ReadResult. */
export function readResult(r: ObjectReader, item: QuotaItem): ReadResult {
  return r.errors.length > 0 ? { errors: r.errors } : { item, errors: [] };
}

/**
 * generic.Matches: a quota applies to an item when it tracks at least one
 * resource the evaluator measures and the item matches every scope
 * requirement (no requirement matches everything).
 */
export function quotaMatches(
  evaluator: Evaluator,
  hardNames: readonly string[],
  selectors: readonly ScopeSelectorRequirement[],
  item: QuotaItem,
): ScopeMatch {
  if (evaluator.matchingResources(hardNames).length === 0) return { ok: true, match: false };
  let match = true;
  for (const req of selectors) {
    const m = item.matchesScope(req);
    if (!m.ok) return m;
    match = match && m.match;
  }
  return { ok: true, match };
}

/** Scope matching for kinds that no scope selects (generic.MatchesNoScopeFunc). */
export function matchesNoScope(): ScopeMatch {
  return { ok: true, match: false };
}
