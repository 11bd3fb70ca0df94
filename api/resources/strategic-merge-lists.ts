/**
 * The list half of strategic merge patch: telling items apart (by merge key
 * for maps, by value for scalars), deleting items by key, splitting a merged
 * list into the patch's items and the server's, and putting it in
 * strategicpatch's order (normalizeElementOrder). Every step indexes the
 * lists it consults, so a merge costs O(n log n) in the items involved,
 * whatever a patch holds.
 */
import { unprocessable } from '../status.ts';
import { isPlainObject } from './decode.ts';
import { badArgType, cannotMergeWithoutKey, fail, goText, noMergeKey } from './strategic-merge-errors.ts';

type Obj = Record<string, unknown>;

export const directiveMarker = '$patch';

export const own = (o: Obj, key: string) => Object.hasOwn(o, key);
export const isScalar = (v: unknown) => v === null || (typeof v !== 'object');

/** The kind of value, as Go's reflect.Type tells them apart in a decoded document. */
export function valueKind(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isPlainObject(v)) return 'map';
  return typeof v;
}

/** The merge key's value of a list item (a map holding the key), for finding and ordering items. */
export function keyOf(v: unknown, mergeKey: string, field: string): unknown {
  if (!isPlainObject(v)) throw badArgType('map', v, field);
  if (!own(v, mergeKey)) throw noMergeKey(v, mergeKey, field);
  const k = v[mergeKey];
  if (!isScalar(k)) throw fail(`the merge key ${mergeKey} of ${goText(v)} must be a string, number or boolean`, field);
  return k;
}

/** What an item is compared by (upstream's index): the merge key's value of a map, or a scalar itself. */
const compared = (v: unknown, mergeKey: string, maps: boolean) => (maps ? (isPlainObject(v) ? v[mergeKey] : undefined) : v);

/** The index of the first item of `list` with each compared value. */
function firstIndex(list: unknown[], mergeKey: string, maps: boolean): Map<unknown, number> {
  const at = new Map<unknown, number>();
  list.forEach((v, i) => {
    const k = compared(v, mergeKey, maps);
    if (!at.has(k)) at.set(k, i);
  });
  return at;
}

/**
 * All items are of one kind; the kind, or undefined for no items (upstream's
 * sliceElementType: a list as the first item is ErrNoListOfLists, which
 * kube-apiserver answers with a bare 422).
 */
export function elementKind(field: string, ...lists: unknown[][]): 'map' | 'scalar' | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = valueKind(v);
      if (k === 'nil') throw fail(`the list ${field} has a null item; a merged list holds maps or scalars`, field);
      if (kind === undefined) {
        if (k === 'slice') throw unprocessable('the server rejected our request due to an error in our request');
        kind = k;
      } else if (kind !== k) throw fail(`list element types are not identical: ${goText(lists)}`, field);
    }
  }
  return kind === undefined ? undefined : kind === 'map' ? 'map' : 'scalar';
}

/** Items of `list` split by whether `by` holds them (by merge key for maps, by value for scalars). */
export function partition(list: unknown[], by: unknown[], mergeKey: string, field: string): [inPatch: unknown[], serverOnly: unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  if (!mergeKey) {
    if (list.some((v) => !isScalar(v)) || by.some((v) => !isScalar(v))) throw cannotMergeWithoutKey(field);
    const present = new Set(by);
    for (const v of list) (present.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  const present = new Set(by.filter((x) => isPlainObject(x) && own(x, mergeKey)).map((x) => (x as Obj)[mergeKey]));
  for (const v of list) (present.has(keyOf(v, mergeKey, field)) ? inPatch : serverOnly).push(v);
  return [inPatch, serverOnly];
}

/** `toSort` stably in the order of `order`; items marked `$patch: delete` last (upstream's normalizeSliceOrder). */
function sortBy(toSort: unknown[], order: unknown[], mergeKey: string, maps: boolean, field: string): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (maps) {
    for (const v of toSort) keyOf(v, mergeKey, field);
    for (const v of order) keyOf(v, mergeKey, field);
    toDelete = toSort.filter((v) => (v as Obj)[directiveMarker] === 'delete');
    items = toSort.filter((v) => (v as Obj)[directiveMarker] !== 'delete');
  }
  const rank = firstIndex(order, mergeKey, maps);
  const ranked = items.map((v, i) => ({ v, i, r: rank.get(compared(v, mergeKey, maps)) ?? -1 }));
  ranked.sort((a, b) => (a.r >= 0 && b.r >= 0 ? a.r - b.r : a.i - b.i));
  return [...ranked.map((x) => x.v), ...toDelete];
}

/**
 * The merged list in order (upstream's normalizeElementOrder): the patch's
 * items in `patchOrder`, the other items in the object's order, and each
 * of those placed before the first patch item it preceded in the object.
 */
export function order(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, maps: boolean, field: string): unknown[] {
  const right = sortBy(patchItems, patchOrder, mergeKey, maps, field);
  const left = sortBy(serverOnly, serverOrder, mergeKey, maps, field);
  const position = firstIndex(serverOrder, mergeKey, maps);
  const indexOf = (v: unknown) => position.get(compared(v, mergeKey, maps)) ?? -1;
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOf(left[i]);
      const ri = indexOf(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Scalars once each, in first-seen order. */
export const dedupe = (list: unknown[]) => [...new Set(list)];

const noKey = Symbol('no merge key');

/**
 * `original` with every item whose merge key is one of `keys` deleted, as
 * upstream's deleteMatchingEntries deletes them one by one inside the
 * caller's array: the list is the first `used` items of `view`; each
 * deletion shifts the items after it down, so the slots it frees keep the
 * last item the list held then (the order `$setElementOrder` consults).
 */
export function deleteByKeys(original: unknown[], keys: unknown[], mergeKey: string): { view: unknown[]; used: number } {
  const keyOfItem = (x: unknown) => (isPlainObject(x) && own(x, mergeKey) ? x[mergeKey] : noKey);
  const counts = new Map<unknown, number>();
  for (const x of original) {
    const k = keyOfItem(x);
    if (k !== noKey) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const deleted = new Set<unknown>();
  const freed: [slot: number, item: unknown][] = [];
  let used = original.length;
  let last = original.length - 1;
  for (const k of keys) {
    const matches = deleted.has(k) ? 0 : (counts.get(k) ?? 0);
    if (matches === 0) continue;
    while (last >= 0 && deleted.has(keyOfItem(original[last]))) last--;
    for (let slot = used - matches; slot < used; slot++) freed.push([slot, original[last]]);
    deleted.add(k);
    used -= matches;
  }
  const view = original.filter((x) => !deleted.has(keyOfItem(x)));
  view.length = original.length;
  for (const [slot, item] of freed) view[slot] = item;
  return { view, used };
}
