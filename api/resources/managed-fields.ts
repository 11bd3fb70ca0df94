/**
 * Field ownership for server-side apply, as kube-apiserver records it in
 * `metadata.managedFields` (FieldsV1). Maps are merged key by key; lists are
 * atomic (every list of the kinds Warden serves is atomic or a set of
 * scalars), so a list is one field. Identity fields (apiVersion, kind, name,
 * namespace, uid, resourceVersion, creationTimestamp, managedFields) are
 * never owned.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../engine/meta.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

type Path = string[];
const unowned = new Set(['apiVersion', 'kind']);
const unownedMeta = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'generateName', 'deletionTimestamp']);

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Leaf paths of an object: scalars, lists and empty maps. A map whose keys
 * are all identity fields (metadata holding only a name) is no leaf: nobody
 * owns it, so it never conflicts and is never removed by apply.
 */
export function leafPaths(o: unknown, prefix: Path = []): Path[] {
  if (!isMap(o)) return [prefix];
  const all = Object.keys(o);
  const keys = all.filter((k) => {
    if (prefix.length === 0) return !unowned.has(k);
    if (prefix.length === 1 && prefix[0] === 'metadata') return !unownedMeta.has(k);
    return true;
  });
  if (!keys.length) return prefix.length && !all.length ? [prefix] : [];
  return keys.flatMap((k) => leafPaths(o[k], [...prefix, k]));
}

/** Paths apply never deletes: metadata itself (older records may list it as owned). */
const undeletable = (p: Path) => p.length === 0 || (p.length === 1 && p[0] === 'metadata');

const key = (p: Path) => JSON.stringify(p);

export function toFieldsV1(paths: Path[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) node = (node[`f:${seg}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}

export function fromFieldsV1(f: unknown, prefix: Path = []): Path[] {
  if (!isMap(f)) return [];
  const entries = Object.entries(f).filter(([k]) => k.startsWith('f:'));
  if (!entries.length) return prefix.length ? [prefix] : [];
  return entries.flatMap(([k, v]) => fromFieldsV1(v, [...prefix, k.slice(2)]));
}

export function valueAt(o: unknown, p: Path): unknown {
  let cur = o;
  for (const seg of p) {
    if (!isMap(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function setAt(o: Record<string, unknown>, p: Path, v: unknown): void {
  let cur = o;
  for (const seg of p.slice(0, -1)) {
    if (!isMap(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[p[p.length - 1]] = structuredClone(v);
}

function deleteAt(o: Record<string, unknown>, p: Path): void {
  const parents: Record<string, unknown>[] = [];
  let cur: unknown = o;
  for (const seg of p.slice(0, -1)) {
    if (!isMap(cur)) return;
    parents.push(cur);
    cur = cur[seg];
  }
  if (!isMap(cur)) return;
  delete cur[p[p.length - 1]];
  // Drop maps the removal emptied, except metadata itself.
  for (let i = p.length - 2; i >= 1; i--) {
    const parent = parents[i];
    const child = parent[p[i]];
    if (isMap(child) && Object.keys(child).length === 0 && !(i === 0 && p[0] === 'metadata')) delete parent[p[i]];
  }
}

function entriesOf(o: KubeObject | null): ManagedFieldsEntry[] {
  const mf = o?.metadata?.managedFields;
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]).filter((e) => e && typeof e.manager === 'string') : [];
}

function rebuild(owned: Map<string, { entry: Omit<ManagedFieldsEntry, 'fieldsV1'>; paths: Map<string, Path> }>): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const { entry, paths } of owned.values()) {
    if (paths.size) out.push({ ...entry, fieldsV1: toFieldsV1([...paths.values()]) });
  }
  return out;
}

function ownership(o: KubeObject | null) {
  const owned = new Map<string, { entry: Omit<ManagedFieldsEntry, 'fieldsV1'>; paths: Map<string, Path> }>();
  for (const e of entriesOf(o)) {
    const { fieldsV1, ...entry } = e;
    owned.set(`${e.manager}\u0000${e.operation}`, { entry, paths: new Map(fromFieldsV1(fieldsV1).map((p) => [key(p), p])) });
  }
  return owned;
}

/**
 * The managedFields of `after` when `manager` wrote it with a create, update
 * or patch: the manager takes every field whose value it changed (every
 * field, on create); other managers lose those fields.
 */
export function recordUpdate(before: KubeObject | null, after: KubeObject, manager: string, apiVersion: string, now: Date): ManagedFieldsEntry[] {
  const owned = ownership(before);
  const changed = leafPaths(after).filter((p) => !before || !isDeepStrictEqual(valueAt(before, p), valueAt(after, p)));
  const afterKeys = new Set(leafPaths(after).map(key));
  for (const o of owned.values()) {
    for (const p of changed) o.paths.delete(key(p));
    for (const k of [...o.paths.keys()]) if (!afterKeys.has(k)) o.paths.delete(k);
  }
  if (changed.length) {
    const id = `${manager}\u0000Update`;
    const mine = owned.get(id) ?? { entry: { manager, operation: 'Update' as const, apiVersion, time: '', fieldsType: 'FieldsV1' as const }, paths: new Map() };
    mine.entry.time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const p of changed) mine.paths.set(key(p), p);
    owned.set(id, mine);
  }
  return rebuild(owned);
}

export interface ApplyConflict { manager: string; apiVersion: string; field: string }

export interface ApplyResult {
  object: KubeObject;
  conflicts: ApplyConflict[];
}

/**
 * Server-side apply of `config` by `manager` onto `live` (null: create).
 * A field the config sets to a different value than another manager's is a
 * conflict, unless `force`, which takes it over. Fields this manager applied
 * before and no longer applies are removed unless another manager owns them.
 */
export function applyConfig(live: KubeObject | null, config: KubeObject, manager: string, force: boolean, apiVersion: string, now: Date): ApplyResult {
  const configPaths = leafPaths(config);
  const owned = ownership(live);
  const applyId = `${manager}\u0000Apply`;
  const conflicts: ApplyConflict[] = [];
  if (live) {
    for (const p of configPaths) {
      if (isDeepStrictEqual(valueAt(live, p), valueAt(config, p))) continue;
      for (const [id, o] of owned) {
        if (id !== applyId && o.paths.has(key(p))) conflicts.push({ manager: o.entry.manager, apiVersion: o.entry.apiVersion, field: '.' + p.join('.') });
      }
    }
  }
  if (conflicts.length && !force) return { object: live!, conflicts };

  const next = structuredClone(live ?? { apiVersion: config.apiVersion, kind: config.kind, metadata: {} }) as KubeObject;
  const target = next as unknown as Record<string, unknown>;
  const configKeys = new Set(configPaths.map(key));
  const previous = owned.get(applyId)?.paths ?? new Map<string, Path>();
  for (const [k, p] of previous) {
    if (configKeys.has(k)) continue;
    const ownedElsewhere = [...owned].some(([id, o]) => id !== applyId && o.paths.has(k));
    if (!ownedElsewhere && !undeletable(p)) deleteAt(target, p);
  }
  for (const p of configPaths) setAt(target, p, valueAt(config, p));
  next.metadata.name = config.metadata.name;
  if (config.metadata.namespace) next.metadata.namespace = config.metadata.namespace;

  // Fields whose value changed move to this manager; forced conflicts are taken over.
  for (const [id, o] of owned) {
    if (id === applyId) continue;
    for (const p of configPaths) {
      if (force || isDeepStrictEqual(valueAt(live, p), valueAt(config, p)) === false) o.paths.delete(key(p));
    }
  }
  owned.set(applyId, {
    entry: { manager, operation: 'Apply', apiVersion, time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), fieldsType: 'FieldsV1' },
    paths: new Map(configPaths.map((p) => [key(p), p])),
  });
  next.metadata.managedFields = rebuild(owned);
  return { object: next, conflicts: [] };
}
