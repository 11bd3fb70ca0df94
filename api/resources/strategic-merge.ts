/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) applied
 * as kube-apiserver applies it (k8s.io/apimachinery pkg/util/strategicpatch,
 * StrategicMergeMapPatch), with each field's merge metadata read from
 * openapi.yaml (merge-keys.ts):
 *
 * - maps merge key by key; `null` deletes a key;
 * - a list whose field has `x-kubernetes-patch-strategy: merge` merges: a
 *   list of scalars as a set (patch values added, order kept), a list of
 *   maps item by item on `x-kubernetes-patch-merge-key`; every other list is
 *   replaced whole by the patch's;
 * - directives: `$patch: replace` / `$patch: delete` in a map (replace the
 *   map by the rest of the patch / delete it); `{$patch: replace}` and
 *   `{<key>: v, $patch: delete}` items of a list merged by key (replace the
 *   list / delete the item); `$deleteFromPrimitiveList/<field>` (remove
 *   values from a list of scalars); `$setElementOrder/<field>` (the order of
 *   a merged list); `$retainKeys` (drop the keys of a map it does not list).
 *   `$patch: merge` and unknown `$patch` values are refused as upstream does.
 *
 * Misuse answers with upstream's message: 400 for a malformed patch
 * (upstream answers some of these with a 500), 422 for a list of lists. A
 * directive left where nothing applies it — an item of a list replaced
 * whole, a map the patch adds — is refused with 400 naming the field:
 * upstream would keep it as an unknown field and, unless validation is
 * strict, store the item without it, the opposite of what it asked (a
 * subject "deleted" from a RoleBinding would be granted). The stored object
 * and the patch document are never modified. Lists are ordered and
 * searched in strategic-merge-lists.ts, errors worded in
 * strategic-merge-errors.ts.
 */
import { badRequest } from '../status.ts';
import { isPlainObject } from './decode.ts';
import { schemaCursor, type FieldMeta, type SchemaCursor } from './merge-keys.ts';
import {
  badArgType, badPatchType, cannotMergeWithoutKey, errBadPatchFormatForPrimitiveList, errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList, fail, goText,
} from './strategic-merge-errors.ts';
import {
  dedupe, deleteByKeys, directiveMarker, elementKind, isScalar, keyOf, order, own, partition, valueKind,
} from './strategic-merge-lists.ts';

type Obj = Record<string, unknown>;

const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);
const item = (path: string, i: number) => `${path}[${i}]`;

/** Sets an own property, also for keys such as `__proto__` that plain assignment would treat specially. */
function put(o: Obj, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The patch strategy of a field besides retainKeys (upstream's extractRetainKeysPatchStrategy). */
function strategyOf(meta: FieldMeta, field: string): string {
  const s = meta.strategies;
  if (s.length === 0) return '';
  if (s.length === 1) return s[0] === 'retainKeys' ? '' : s[0];
  if (s.length === 2 && (s[0] === 'retainKeys' || s[1] === 'retainKeys')) return s[0] === 'retainKeys' ? s[1] : s[0];
  throw fail(`unexpected patch strategy: [${s.join(' ')}]`, field);
}

/** `$deleteFromPrimitiveList/x` -> `x`; a key without the `/` is malformed. */
function extractKey(key: string, prefix: string, field: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw fail(prefix === deleteFromPrimitiveListPrefix ? errBadPatchFormatForPrimitiveList : errBadPatchFormatForSetElementOrderList, field);
  }
  return key.slice(slash + 1);
}

/** A copy without the maps that carry `$patch` (upstream's removeDirectives); undefined when `v` itself is one. */
function removeDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(removeDirectives).filter((x) => x !== undefined);
  if (!isPlainObject(v)) return v;
  if (own(v, directiveMarker)) return undefined;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const kept = removeDirectives(x);
    if (kept !== undefined) put(out, k, kept);
  }
  return out;
}

/** A copy without null-valued keys at any depth (upstream's discardNullValuesFromPatch). */
function discardNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(discardNulls);
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) put(out, k, discardNulls(x));
  return out;
}

/** The value a patch sets where the object has nothing to merge it with. */
const patchValue = (v: unknown) => removeDirectives(discardNulls(v));

/**
 * A list merged with a patch list (upstream's mergeSlice); `isDeleteList`
 * for `$deleteFromPrimitiveList`. Also returns what upstream's caller sees
 * of the stored list afterwards (`view`): upstream deletes items by
 * shifting the ones after them down inside the caller's array and appends
 * into its spare room, and `$setElementOrder` orders by what the caller's
 * array then holds; the same order is kept here.
 */
function mergeList(original: unknown[], patch: unknown[], next: SchemaCursor, mergeKey: string, isDeleteList: boolean, field: string): { list: unknown[]; view: unknown[] } {
  if (original.length === 0 && patch.length === 0) return { list: original, view: original };
  const kind = elementKind(field, original, patch)!;
  if (kind === 'scalar') {
    if (isDeleteList) {
      const gone = new Set(patch);
      return { list: original.filter((v) => !gone.has(v)), view: original };
    }
    const merged = dedupe([...original, ...patch]);
    const [patchItems, serverOnly] = partition(merged, patch, '', field);
    return { list: order(patchItems, serverOnly, patch, original, '', false, field), view: original };
  }
  if (!mergeKey) throw cannotMergeWithoutKey(field);
  // Items carrying `$patch` first: deletions by key, and a replacement of the whole list.
  const plain: unknown[] = [];
  const deletions: unknown[] = [];
  let replace = false;
  patch.forEach((v, i) => {
    const m = v as Obj;
    if (!own(m, directiveMarker)) {
      plain.push(v);
      return;
    }
    const directive = m[directiveMarker];
    if (directive === 'delete') deletions.push(keyOf(m, mergeKey, item(field, i)));
    else if (directive === 'replace') replace = true;
    else if (directive === 'merge') throw fail('merging lists cannot yet be specified in the patch', item(field, i));
    else throw badPatchType(directive, m, item(field, i));
  });
  // The caller's array after the deletions, and how many of its items the list still holds.
  const { view, used: kept } = deleteByKeys(original, deletions, mergeKey);
  let used = kept;
  const base = replace ? plain : view.slice(0, used);
  const patchOrder = replace ? [] : plain;
  const merged = [...base];
  const index = new Map<unknown, number>();
  merged.forEach((x, i) => {
    const k = (x as Obj)[mergeKey];
    if (own(x as Obj, mergeKey) && !index.has(k)) index.set(k, i);
  });
  for (const v of patchOrder) {
    const k = keyOf(v, mergeKey, field);
    const found = index.get(k);
    if (found !== undefined) merged[found] = mergeMap(merged[found] as Obj, v as Obj, next, item(field, found));
    else {
      index.set(k, merged.length);
      merged.push(v);
      if (!replace && used < view.length) view[used++] = v;
    }
  }
  const [patchItems, serverOnly] = partition(merged, patchOrder, mergeKey, field);
  return { list: order(patchItems, serverOnly, patchOrder, base, mergeKey, true, field), view };
}

/**
 * `$retainKeys: [...]` of a patch map: the keys of `original` it does not
 * list are dropped, and every key the patch sets must be listed.
 */
function applyRetainKeys(original: Obj, patch: Obj, field: string): void {
  if (!own(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list) || list.some((k) => !isScalar(k))) throw fail(errBadPatchFormatForRetainKeys, at(field, retainKeysDirective));
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw fail(errBadPatchFormatForRetainKeys, at(field, retainKeysDirective));
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Upstream's validatePatchWithSetOrderList: the patch's items appear in the order list, in its order. */
function checkElementOrder(patchList: unknown[], setOrder: unknown[], mergeKey: string, field: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    items = patchList.filter((v) => {
      if (!isPlainObject(v)) throw badArgType('map', v, field);
      return v[directiveMarker] !== 'delete';
    });
  }
  const same = (a: unknown, b: unknown) => {
    if (!mergeKey) {
      if (!isScalar(a) || !isScalar(b)) throw cannotMergeWithoutKey(field);
      return a === b;
    }
    return keyOf(a, mergeKey, field) === keyOf(b, mergeKey, field);
  };
  let p = 0;
  let s = 0;
  while (p < items.length && s < setOrder.length) {
    if (isPlainObject(items[p]) && own(items[p] as Obj, directiveMarker)) {
      p++;
      continue;
    }
    if (same(items[p], setOrder[s])) p++;
    s++;
  }
  if (p < items.length && s >= setOrder.length) {
    throw fail(`The order in patch list:\n${goText(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goText(setOrder)}\n`, field);
  }
}

/**
 * `$setElementOrder/<field>` directives of a patch map: each list is merged
 * with the patch's list for the field (if any) and put in the given order;
 * both keys leave the patch (upstream's mergePatchIntoOriginal).
 */
function applyElementOrders(original: Obj, patch: Obj, schema: SchemaCursor, field: string): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const setOrder = patch[key];
    delete patch[key];
    const here = at(field, key);
    if (!Array.isArray(setOrder)) throw badArgType('slice', setOrder, here);
    const name = extractKey(key, setElementOrderPrefix, here);
    const path = at(field, name);
    const foundOriginal = own(original, name);
    const foundPatch = own(patch, name);
    const originalList = foundOriginal ? original[name] : undefined;
    const patchList = foundPatch ? patch[name] : undefined;
    if (foundOriginal && !Array.isArray(originalList)) throw badArgType('slice', originalList, path);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType('slice', patchList, path);
    if (!foundOriginal && !foundPatch) continue;
    const { meta, next } = schema.listField(name);
    const strategy = strategyOf(meta, path);
    checkElementOrder((patchList as unknown[] | undefined) ?? [], setOrder, meta.mergeKey, path);
    const ofOriginal = (originalList as unknown[] | undefined) ?? [];
    const ofPatch = (patchList as unknown[] | undefined) ?? [];
    let merged = ofOriginal;
    let serverOrder = ofOriginal;
    if (foundPatch && !foundOriginal) merged = removeDirectives(ofPatch) as unknown[];
    else if (foundPatch && strategy === 'merge') ({ list: merged, view: serverOrder } = mergeList(ofOriginal, ofPatch, next, meta.mergeKey, false, path));
    else if (foundPatch) merged = ofPatch;
    const [patchItems, serverOnly] = partition(merged, setOrder, meta.mergeKey, path);
    const kind = elementKind(path, ofOriginal, ofPatch);
    if (kind === undefined) throw fail('no elements in any of the given slices', path);
    put(original, name, order(patchItems, serverOnly, setOrder, serverOrder, meta.mergeKey, kind === 'map', path));
    delete patch[name];
  }
}

/** `patch` merged into `original` (upstream's mergeMap); both are this module's own copies and may be changed. */
function mergeMap(original: Obj | undefined, patch: Obj, schema: SchemaCursor, field: string): Obj {
  if (own(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      delete patch[directiveMarker];
      return patch;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch, at(field, directiveMarker));
  }
  const target = original ?? {};
  applyRetainKeys(target, patch, field);
  applyElementOrders(target, patch, schema, field);

  for (let [key, patchV] of Object.entries(patch)) {
    let isDeleteList = false;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(key, deleteFromPrimitiveListPrefix, at(field, key));
      isDeleteList = true;
    }
    const path = at(field, key);
    if (patchV === null) {
      delete target[key];
      continue;
    }
    if (!own(target, key) || valueKind(target[key]) !== valueKind(patchV)) {
      if (isDeleteList) continue;
      const v = patchValue(patchV);
      if (v === undefined) delete target[key];
      else put(target, key, v);
      continue;
    }
    const kind = valueKind(patchV);
    if (kind === 'map') {
      const { meta, next } = schema.field(key);
      const strategy = strategyOf(meta, path);
      put(target, key, strategy === 'replace' ? patchV : mergeMap(target[key] as Obj, patchV as Obj, next, path));
    } else if (kind === 'slice') {
      const { meta, next } = schema.listField(key);
      const strategy = strategyOf(meta, path);
      put(target, key, strategy === 'merge' || isDeleteList
        ? mergeList(target[key] as unknown[], patchV as unknown[], next, meta.mergeKey, isDeleteList, path).list
        : patchV);
    } else put(target, key, patchV);
  }
  return target;
}

const isDirectiveKey = (k: string) => k === directiveMarker || k === retainKeysDirective
  || k.startsWith(`${setElementOrderPrefix}/`) || k.startsWith(`${deleteFromPrimitiveListPrefix}/`);

/** Refuses a directive the merge did not consume (see the file comment). */
function refuseLeftoverDirectives(v: unknown, path: string): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => refuseLeftoverDirectives(x, item(path, i)));
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (isDirectiveKey(k)) {
      const list = /^(.*)\[\d+\]$/.exec(path)?.[1];
      const why = list !== undefined
        ? `${list} has no patch merge key, so the list is replaced whole and its items take no directives`
        : 'directives apply only where the patch merges into the stored object';
      throw fail(`strategic merge patch directive "${k}" at ${path || 'the top level'} is not applied: ${why}`, at(path, k));
    }
    refuseLeftoverDirectives(x, at(path, k));
  }
}

/**
 * `current` (an object of the kind whose component schema is `schemaName`)
 * with the strategic merge patch `patch` applied. A patch that is not an
 * object, or misuses a directive, is a StatusError (400, or 422 for lists
 * of lists).
 */
export function strategicMergePatch(current: unknown, patch: unknown, schemaName: string): Obj {
  return strategicMergeWith(current, patch, schemaCursor(schemaName));
}

/** The same, against the schema at `schema`. */
export function strategicMergeWith(current: unknown, patch: unknown, schema: SchemaCursor): Obj {
  if (!isPlainObject(patch)) throw badRequest(`a strategic merge patch must be a JSON object, not ${Array.isArray(patch) ? 'a list' : patch === null ? 'null' : `a ${typeof patch}`}`);
  const original = isPlainObject(current) ? (structuredClone(current) as Obj) : {};
  const merged = mergeMap(original, structuredClone(patch) as Obj, schema, '');
  refuseLeftoverDirectives(merged, '');
  return merged;
}
