/**
 * A bounded memo of decisions for one immutable state. The key holds every
 * input RBAC reads: user name, groups (as a set), and the request fields
 * (apiVersion is not read by RBAC and is left out). When full, the oldest
 * entry goes first.
 */
import type { Attributes } from './types.ts';

export class DecisionMemo<D> {
  private readonly entries = new Map<string, D>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): D | undefined {
    return this.entries.get(key);
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
 * The memo key of a request, unambiguous for any strings. A non-resource
 * request's namespace is not part of it (RBAC ignores it).
 */
export function decisionKey(attrs: Attributes): string {
  const groups = attrs.user.groups ?? [];
  const sortedGroups = groups.length < 2 ? groups : [...new Set(groups)].sort();
  const request = attrs.isResourceRequest
    ? ['r', attrs.verb, attrs.namespace, attrs.apiGroup, attrs.resource, attrs.subresource, attrs.name]
    : ['n', attrs.verb, attrs.path];
  return JSON.stringify([attrs.user.name, sortedGroups, request]);
}
