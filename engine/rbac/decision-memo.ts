/**
 * A bounded memo of decisions for one immutable state. The key holds every
 * input RBAC reads: user name, groups, and the request fields
 * (apiVersion is not read by RBAC and is left out). When full, the oldest
 * entry goes first.
 */
import type { Attributes } from './types.ts';

/** How often memos answered, counted across every state of one build lineage. */
export interface MemoStats { hits: number; misses: number }

export class DecisionMemo<D> {
  private readonly entries = new Map<string, D>();

  constructor(private readonly limit: number, private readonly stats: MemoStats = { hits: 0, misses: 0 }) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): D | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) this.stats.misses++;
    else this.stats.hits++;
    return hit;
  }

  set(key: string, value: D): void {
    if (this.limit <= 0) return;
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }
}

/**
 * A field of a key: its length, then itself, so no two field lists give the
 * same key. A value that is not a string (callers validate types; this keeps
 * a miss from ever sharing a memo entry) is written as tagged JSON.
 */
export function keyField(s: string): string {
  if (typeof s === 'string') return `${s.length}:${s}`;
  const json = JSON.stringify(s) ?? 'undefined';
  return `~${json.length}:${json}`;
}

/**
 * The memo key of a request, unambiguous for any strings. Groups are taken
 * in the order given (a deny reason lists them so); a non-resource
 * request's namespace is not part of it (RBAC ignores it). Built by
 * concatenation: this runs on every decision, memoized or not, and costs
 * about half of what JSON.stringify of the same fields does.
 */
export function decisionKey(attrs: Attributes): string {
  const groups = attrs.user.groups ?? [];
  let key = `${keyField(attrs.user.name)}${groups.length}|`;
  for (let i = 0; i < groups.length; i++) key += keyField(groups[i]);
  if (!attrs.isResourceRequest) return `${key}n${keyField(attrs.verb)}${keyField(attrs.path)}`;
  return `${key}r${keyField(attrs.verb)}${keyField(attrs.namespace)}${keyField(attrs.apiGroup)}${keyField(attrs.resource)}` +
    `${keyField(attrs.subresource)}${keyField(attrs.name)}`;
}
