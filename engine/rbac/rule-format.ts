/**
 * How kube-apiserver prints rules, users and groups in RBAC messages: Go's
 * `%q` quoting, PolicyRule CompactString, and CompactRules (the merge of
 * atoms that differ only by verb) used by the escalation message.
 */
import type { PolicyRule } from './types.ts';
import { goQuote } from '../validation/go-quote.ts';

/** `%q` of a []string: `["a" "b"]`; an empty or nil slice prints `[]`. */
export function goQuoteList(list: readonly string[] | undefined): string {
  return `[${(list ?? []).map(goQuote).join(' ')}]`;
}

/**
 * CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`; empty
 * fields are left out, fields come in this fixed order.
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goQuoteList(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(rule.resourceNames)}`);
  if (rule.verbs?.length) parts.push(`Verbs:${goQuoteList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * CompactRules: rules with exactly one group, one resource, no names and no
 * URLs are merged per (group, resource) by concatenating their verbs; other
 * rules are kept as they are. The order of the result is unspecified upstream
 * (a map); callers sort the printed forms.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const isSimple = !rule.resourceNames?.length && !rule.nonResourceURLs?.length &&
      rule.apiGroups?.length === 1 && rule.resources?.length === 1;
    if (!isSimple) { compacted.push(rule); continue; }
    const key = JSON.stringify([rule.apiGroups![0], rule.resources![0]]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...(rule.verbs ?? [])];
    else simple.set(key, { apiGroups: [...rule.apiGroups!], resources: [...rule.resources!], verbs: [...(rule.verbs ?? [])] });
  }
  return [...compacted, ...simple.values()];
}

/** The sorted, de-duplicated CompactString lines kube prints for missing rules. */
export function describeMissingRules(atoms: readonly PolicyRule[]): string[] {
  const lines = new Set(compactRules(atoms).map(compactString));
  return [...lines].sort();
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several de-duplicated inside `[a, b]`. */
export function aggregateErrorString(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  if (messages.length === 1) return messages[0];
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0];
  return `[${unique.join(', ')}]`;
}
