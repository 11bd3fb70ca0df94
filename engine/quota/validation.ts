/**
 * ResourceQuota validation as pkg/apis/core/validation does it
 * (ValidateResourceQuota, ValidateResourceQuotaUpdate,
 * ValidateResourceQuotaStatusUpdate), with kube's field paths and wording,
 * over untyped JSON. Errors come in a stable order: metadata, then hard
 * names sorted, then scopes, then the scope selector, then status.
 *
 * Of object metadata, name, generateName and namespace are checked here
 * (and their immutability on update); labels and annotations are left to
 * the generic metadata validation.
 */
import { child, invalid, key, required, type FieldError } from '../validation/field-error.ts';
import { ObjectReader, type JSONObject } from './object-reader.ts';
import { formatQuantity, milliValue, sign, type Quantity } from './quantity.ts';
import { sortNames, toJSON, type ResourceListJSON } from './resource-list.ts';
import {
  isDNS1123Label, isDNS1123Subdomain, isIntegerResourceName, isQualifiedName, isStandardQuotaResourceName,
  isStandardResourceName,
} from './resource-names.ts';
import { conflictingScopePairs, existsOnlyScopes, scopeValidForResource, standardScopes } from './scopes.ts';

interface HardEntry {
  name: string;
  value?: Quantity;
}

/** Reads a resource list keeping names whose values do not parse (their error is recorded). */
function readHard(r: ObjectReader, v: unknown, path: string): HardEntry[] {
  const obj = r.object(v, path);
  if (!obj) return [];
  return sortNames(Object.keys(obj)).map((name) => ({ name, value: r.quantity(obj[name], key(path, name)) }));
}

/** ValidateResourceQuotaResourceName: a qualified name; unprefixed names must be standard quota names. */
export function validateQuotaResourceName(name: string, path: string): FieldError[] {
  const errs: FieldError[] = isQualifiedName(name).map((m) => invalid(path, name, m));
  const unprefixed = !name.includes('/');
  if (errs.length === 0 && unprefixed && !isStandardResourceName(name)) {
    errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  if (unprefixed && !isStandardQuotaResourceName(name)) errs.push(invalid(path, name, 'must be a standard resource for quota'));
  return errs;
}

/** ValidateResourceQuantityValue: never negative; whole units for counts and extended resources. */
export function validateQuotaQuantity(name: string, value: Quantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (sign(value) < 0) errs.push(invalid(path, formatQuantity(value), 'must be greater than or equal to 0'));
  if (isIntegerResourceName(name) && milliValue(value) % 1000n !== 0n) {
    errs.push(invalid(path, formatQuantity(value), 'must be an integer'));
  }
  return errs;
}

function validateList(entries: HardEntry[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const e of entries) {
    const p = key(path, e.name);
    errs.push(...validateQuotaResourceName(e.name, p));
    if (e.value) errs.push(...validateQuotaQuantity(e.name, e.value, p));
  }
  return errs;
}

interface SelectorExpr {
  scopeName: string;
  operator: string;
  values: string[];
}

function validateScopes(hard: string[], scopes: string[] | undefined): FieldError[] {
  if (!scopes || scopes.length === 0) return [];
  const errs: FieldError[] = [];
  const path = 'spec.scopes';
  for (const scope of scopes) {
    if (!standardScopes.includes(scope)) errs.push(invalid(path, scopes, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k)) {
        errs.push(invalid(path, scopes, 'unsupported scope applied to resource'));
      }
    }
  }
  for (const [a, b] of conflictingScopePairs) {
    if (scopes.includes(a) && scopes.includes(b)) errs.push(invalid(path, scopes, 'conflicting scopes'));
  }
  return errs;
}

function validateScopeSelector(hard: string[], selector: JSONObject, exprs: SelectorExpr[], scopes: string[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'spec.scopeSelector.matchExpressions';
  const seen = new Set<string>();
  for (const req of exprs) {
    if (!standardScopes.includes(req.scopeName)) errs.push(invalid(child(path, 'scopeName'), req.scopeName, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(req.scopeName, k)) {
        errs.push(invalid(path, selector, 'unsupported scope applied to resource'));
      }
    }
    if (existsOnlyScopes.includes(req.scopeName) && req.operator !== 'Exists') {
      errs.push(invalid(child(path, 'operator'), req.operator,
        "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
    }
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (req.values.length === 0) {
          errs.push(required(child(path, 'values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (req.values.length !== 0) {
          errs.push(invalid(child(path, 'values'), req.values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        }
        break;
      default:
        errs.push(invalid(child(path, 'operator'), req.operator, 'not a valid selector operator'));
    }
    seen.add(req.scopeName);
  }
  for (const [a, b] of conflictingScopePairs) {
    // Upstream reports the spec.scopes value here, not the selector's.
    if (seen.has(a) && seen.has(b)) errs.push(invalid(path, scopes ?? null, 'conflicting scopes'));
  }
  return errs;
}

interface ReadQuota {
  r: ObjectReader;
  meta?: JSONObject;
  name: string;
  generateName: string;
  namespace: string;
  resourceVersion: string;
  uid: string;
  specHard: HardEntry[];
  scopes?: string[];
  selector?: JSONObject;
  exprs: SelectorExpr[];
  statusHard: HardEntry[];
  statusUsed: HardEntry[];
}

function readQuota(raw: unknown): ReadQuota {
  const r = new ObjectReader();
  const obj = r.object(raw, 'object');
  const meta = r.field(obj, 'metadata', '', r.object);
  const spec = r.field(obj, 'spec', '', r.object);
  const status = r.field(obj, 'status', '', r.object);
  const selector = r.field(spec, 'scopeSelector', 'spec', r.object);
  const exprs: SelectorExpr[] = [];
  (r.field(selector, 'matchExpressions', 'spec.scopeSelector', r.array) ?? []).forEach((e, i) => {
    const p = `spec.scopeSelector.matchExpressions[${i}]`;
    const expr = r.object(e, p);
    if (!expr) return;
    exprs.push({
      scopeName: r.field(expr, 'scopeName', p, r.string) ?? '',
      operator: r.field(expr, 'operator', p, r.string) ?? '',
      values: r.field(expr, 'values', p, r.strings) ?? [],
    });
  });
  return {
    r,
    meta,
    name: r.field(meta, 'name', 'metadata', r.string) ?? '',
    generateName: r.field(meta, 'generateName', 'metadata', r.string) ?? '',
    namespace: r.field(meta, 'namespace', 'metadata', r.string) ?? '',
    resourceVersion: r.field(meta, 'resourceVersion', 'metadata', r.string) ?? '',
    uid: r.field(meta, 'uid', 'metadata', r.string) ?? '',
    specHard: readHard(r, spec?.hard, 'spec.hard'),
    scopes: r.field(spec, 'scopes', 'spec', r.strings),
    selector,
    exprs,
    statusHard: readHard(r, status?.hard, 'status.hard'),
    statusUsed: readHard(r, status?.used, 'status.used'),
  };
}

function validateMeta(q: ReadQuota): FieldError[] {
  const errs: FieldError[] = [];
  if (q.generateName) {
    // NameIsDNSSubdomain with prefix=true masks a trailing dash, replacing the last two characters (as upstream).
    const masked = q.generateName.length > 1 && q.generateName.endsWith('-') ? `${q.generateName.slice(0, -2)}a` : q.generateName;
    for (const m of isDNS1123Subdomain(masked)) errs.push(invalid('metadata.generateName', q.generateName, m));
  }
  if (!q.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const m of isDNS1123Subdomain(q.name)) errs.push(invalid('metadata.name', q.name, m));
  if (!q.namespace) errs.push(required('metadata.namespace'));
  else for (const m of isDNS1123Label(q.namespace)) errs.push(invalid('metadata.namespace', q.namespace, m));
  return errs;
}

function validateMetaUpdate(n: ReadQuota, o: ReadQuota): FieldError[] {
  const errs: FieldError[] = [];
  if (n.name !== o.name) errs.push(invalid('metadata.name', n.name, 'field is immutable'));
  if (n.namespace !== o.namespace) errs.push(invalid('metadata.namespace', n.namespace, 'field is immutable'));
  if (n.uid !== o.uid && o.uid !== '') errs.push(invalid('metadata.uid', n.uid, 'field is immutable'));
  return errs;
}

function validateSpec(q: ReadQuota): FieldError[] {
  const hard = q.specHard.map((e) => e.name);
  const errs = validateList(q.specHard, 'spec.hard');
  errs.push(...validateScopes(hard, q.scopes));
  if (q.selector) errs.push(...validateScopeSelector(hard, q.selector, q.exprs, q.scopes));
  return errs;
}

function validateStatus(q: ReadQuota): FieldError[] {
  return [...validateList(q.statusHard, 'status.hard'), ...validateList(q.statusUsed, 'status.used')];
}

/** Validates a ResourceQuota on create. */
export function validateResourceQuota(raw: unknown): FieldError[] {
  const q = readQuota(raw);
  return [...q.r.errors, ...validateMeta(q), ...validateSpec(q), ...validateStatus(q)];
}

/** Validates a spec update: the new spec is valid and `spec.scopes` is unchanged (as a set). */
export function validateResourceQuotaUpdate(rawNew: unknown, rawOld: unknown): FieldError[] {
  const n = readQuota(rawNew);
  const o = readQuota(rawOld);
  const errs = [...n.r.errors, ...validateMetaUpdate(n, o), ...validateSpec(n)];
  const a = new Set(n.scopes ?? []);
  const b = new Set(o.scopes ?? []);
  if (a.size !== b.size || [...a].some((s) => !b.has(s))) errs.push(invalid('spec.scopes', n.scopes ?? null, 'field is immutable'));
  return errs;
}

/** Validates a `/status` update: a resourceVersion is required, and every status entry must be valid. */
export function validateResourceQuotaStatusUpdate(rawNew: unknown, rawOld: unknown): FieldError[] {
  const n = readQuota(rawNew);
  const o = readQuota(rawOld);
  const errs = [...n.r.errors, ...validateMetaUpdate(n, o)];
  if (!n.resourceVersion) errs.push(required('resourceVersion'));
  errs.push(...validateStatus(n));
  return errs;
}

/**
 * The `status.hard` the controller writes for a `spec.hard`: the same
 * quantities as Kubernetes prints them (`1024Mi` → `1Gi`, `0.5` → `500m`).
 * Entries that do not parse are left out (validation reports them).
 */
export function canonicalStatusHard(specHard: unknown): ResourceListJSON {
  const r = new ObjectReader();
  return toJSON(r.resourceList(specHard, 'spec.hard') ?? new Map());
}
