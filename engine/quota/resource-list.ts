/**
 * Resource lists (name → quantity) and the helpers of
 * k8s.io/apiserver/pkg/quota/v1 (resources.go) with the same format rules:
 * a sum keeps the format of its left operand unless that one is zero, and an
 * entry that is only copied keeps its parsed text.
 */
import {
  addQuantities, compareQuantities, formatQuantity, isZero, newQuantity, sign, subtractQuantities,
  type Quantity,
} from './quantity.ts';

export type ResourceList = Map<string, Quantity>;
/** A resource list as JSON carries it: `{ "requests.cpu": "500m" }`. */
export type ResourceListJSON = Record<string, string>;

/** Byte order of ASCII names, as Go's sort.Strings. */
export function sortNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** a + b per name; names in only one list are copied. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    out.set(k, other === undefined ? v : addQuantities(v, other));
  }
  for (const [k, v] of b) if (!out.has(k)) out.set(k, v);
  return out;
}

const zero = newQuantity(0);
const parsedZero: Quantity = { coef: 0n, exp: 0, format: 'DecimalSI', text: '0' };

/** a - b per name of a and b, never below zero (SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    const d = other === undefined ? v : subtractQuantities(v, other);
    out.set(k, sign(d) > 0 ? d : parsedZero);
  }
  for (const k of b.keys()) if (!out.has(k)) out.set(k, parsedZero);
  return out;
}

/** Only the entries whose names are listed. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  const out: ResourceList = new Map();
  for (const [k, v] of list) if (keep.has(k)) out.set(k, v);
  return out;
}

export function removeZeros(list: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of list) if (!isZero(v)) out.set(k, v);
  return out;
}

/** Names whose value is below zero, sorted. */
export function negativeNames(list: ResourceList): string[] {
  return sortNames([...list].filter(([, v]) => sign(v) < 0).map(([k]) => k));
}

/** Names of b that a also has with a larger value, sorted (LessThanOrEqual's exceeded set). */
export function exceededNames(a: ResourceList, b: ResourceList): string[] {
  const out: string[] = [];
  for (const [k, limit] of b) {
    const v = a.get(k);
    if (v !== undefined && compareQuantities(v, limit) > 0) out.push(k);
  }
  return sortNames(out);
}

/** Same names and equal values (quota.Equals). */
export function listsEqual(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || compareQuantities(v, w) !== 0) return false;
  }
  return true;
}

/** `a=1,b=2Gi`, names sorted, values as Kubernetes prints them. */
export function prettyPrint(list: ResourceList): string {
  return sortNames(list.keys()).map((k) => `${k}=${formatQuantity(list.get(k)!)}`).join(',');
}

/** The list as JSON writes it, names sorted. */
export function toJSON(list: ResourceList): ResourceListJSON {
  const out: ResourceListJSON = {};
  for (const k of sortNames(list.keys())) out[k] = formatQuantity(list.get(k)!);
  return out;
}

/** Each name at zero: the starting point of a usage sum. */
export function zeros(names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) out.set(n, zero);
  return out;
}

/**
 * Per-name maximum (component-helpers' max): on equal values the right-hand
 * entry wins, which decides how the result prints.
 */
export function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    out.set(k, other !== undefined && compareQuantities(v, other) <= 0 ? other : v);
  }
  for (const [k, v] of b) if (!out.has(k)) out.set(k, v);
  return out;
}
