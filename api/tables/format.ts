/**
 * How kube-apiserver's printers write a cell (k8s.io/kubernetes
 * pkg/printers/internalversion and the apimachinery helpers they call):
 * ages, label selectors, binding subjects and quota usage. Pure: the
 * current time is an argument.
 */
import type { LabelSelector } from '../../engine/meta.ts';
import type { Subject } from '../../engine/rbac/types.ts';
import { byteOrder } from '../../engine/labels/byte-order.ts';
import { formatQuantity, parseQuantity } from '../../engine/quota/quantity.ts';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/**
 * duration.HumanDuration: about two or three significant figures of a
 * duration given in milliseconds (`45s`, `3m12s`, `5h`, `2d3h`, `3y2d`).
 * Up to two seconds in the future still reads as now, as clocks drift;
 * further is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / second);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / minute);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / hour);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Epoch milliseconds of a metav1.Time, or undefined when absent or unreadable (Go's zero time). */
function timeOf(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

/** translateTimestampSince: how long ago, or `<unknown>` without a time (an object's Age). */
export function timeSince(timestamp: unknown, now: number): string {
  const at = timeOf(timestamp);
  return at === undefined ? '<unknown>' : humanDuration(now - at);
}

/** translateTimestampUntil: how long from now, or `<unknown>` without a time. */
export function timeUntil(timestamp: unknown, now: number): string {
  const at = timeOf(timestamp);
  return at === undefined ? '<unknown>' : humanDuration(at - now);
}

/** A metav1.Time as the default table's `Created At` shows it: RFC 3339 in UTC, to the second. */
export function rfc3339(timestamp: unknown): string {
  const at = timeOf(timestamp);
  if (at === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(at / second) * second).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * metav1.FormatLabelSelector: the selector as labels.Selector.String()
 * writes it — requirements sorted by key, `k=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, set values sorted — `<none>` when it selects
 * everything, `<error>` when it does not convert.
 */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  if (!selector || typeof selector !== 'object') return '<none>';
  const requirements: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push({ key, text: `${key}=${value}` });
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort(byteOrder);
    const set = values.length === 1 ? values[0] : values.join(',');
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return '<error>';
        requirements.push({ key: expr.key, text: `${expr.key} ${expr.operator === 'In' ? 'in' : 'notin'} (${set})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) return '<error>';
        requirements.push({ key: expr.key, text: `${expr.operator === 'Exists' ? '' : '!'}${expr.key}` });
        break;
      default:
        return '<error>';
    }
  }
  const text = requirements.sort((a, b) => byteOrder(a.key, b.key)).map((r) => r.text).join(',');
  return text === '' ? '<none>' : text;
}

/**
 * rbac.SubjectsStrings: a binding's users, groups and service accounts
 * (`namespace/name`) in the order given, for display.
 */
export function subjectsStrings(subjects: Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of Array.isArray(subjects) ? subjects : []) {
    if (s?.kind === 'ServiceAccount') out.serviceAccounts.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s?.kind === 'User') out.users.push(s.name);
    else if (s?.kind === 'Group') out.groups.push(s.name);
  }
  return out;
}

/** A quantity as Quantity.String() prints it; a value that does not parse as it is stored. */
function quantityText(v: unknown): string {
  if (v === undefined || v === null) return '0';
  const parsed = parseQuantity(String(v));
  return parsed.ok ? formatQuantity(parsed.quantity) : String(v);
}

/**
 * Usage against hard limits as printResourceQuota writes each entry,
 * `name: used/hard`, sorted by resource name; a resource with no recorded
 * use is `0`.
 */
export function quotaEntries(hard: Record<string, unknown> | undefined, used: Record<string, unknown> | undefined): { name: string; text: string }[] {
  return Object.keys(hard ?? {}).sort(byteOrder).map((name) => ({ name, text: `${name}: ${quantityText(used?.[name])}/${quantityText(hard![name])}` }));
}

/** printResourceQuota's two columns: entries joined with `, `, those of `limits.*` resources in the second. */
export function quotaUsage(hard: Record<string, unknown> | undefined, used: Record<string, unknown> | undefined): { requests: string; limits: string } {
  const requests: string[] = [];
  const limits: string[] = [];
  for (const e of quotaEntries(hard, used)) {
    const pieces = e.name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(e.text);
  }
  return { requests: requests.join(', '), limits: limits.join(', ') };
}
