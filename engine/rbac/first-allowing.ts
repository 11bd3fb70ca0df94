/**
 * The binding that allows a request, found without walking every binding
 * that applies to the requester.
 *
 * kube visits the bindings that apply in lister order and allows at the
 * first whose role allows the request. A binding applies when it names one
 * of the requester's principals, and each principal's bindings are kept in
 * a list sorted by lister order (`seq`). Whether a binding allows depends on
 * its role and the request, never on which principal found it, so the first
 * allowing binding overall is the earliest of the first allowing binding of
 * each principal's list.
 *
 * A list is shared by everyone who has that principal (a group such as
 * `system:authenticated` is bound by many ClusterRoleBindings), so for a
 * long list what is known of it per request query is memoized: the position
 * of its first allowing binding, or how many leading bindings are known not
 * to allow (a walk stops at the earliest allowing binding found so far in
 * other lists). Lists are immutable (a change makes a new list), and the
 * memo is dropped whenever the roles change (the role epoch), which is the
 * only other input of the answer.
 */
import type { RuleQuery, RuleTable } from '../casbin/role-evaluator.ts';
import type { BindingEntry } from './binding-index.ts';

/** A binding that allows a request: its entry, its role's table and the first allowing rule's index. */
export interface Allowing {
  readonly entry: BindingEntry;
  readonly table: RuleTable;
  readonly ruleIndex: number;
}

/** How a list's entries are resolved and asked (the state's role tables, the evaluator's answers). */
export interface EntryJudge {
  roleTable(entry: BindingEntry): RuleTable | undefined;
  firstAllowingRule(table: RuleTable, query: RuleQuery): number;
}

/** Lists shorter than this are walked every time: the memo would cost about as much as the walk. */
const memoFrom = 4;

/**
 * What is known of long lists per request query, for one role epoch;
 * bounded (dropped whole when full). A value `p >= 0`: the entry at `p` is
 * the list's first allowing one. A value `-c - 1`: its first `c` entries do
 * not allow.
 */
export class ListAnswers {
  private known = new WeakMap<readonly BindingEntry[], Map<string, number>>();
  private count = 0;

  constructor(readonly epoch: object, private readonly limit: number) {}

  get(list: readonly BindingEntry[], key: string): number | undefined {
    return list.length < memoFrom || this.limit <= 0 ? undefined : this.known.get(list)?.get(key);
  }

  set(list: readonly BindingEntry[], key: string, value: number): void {
    if (list.length < memoFrom || this.limit <= 0) return;
    let byKey = this.known.get(list);
    if (byKey?.has(key) !== true) {
      if (this.count >= this.limit) {
        this.known = new WeakMap();
        this.count = 0;
        byKey = undefined;
      }
      this.count++;
    }
    if (!byKey) this.known.set(list, (byKey = new Map()));
    byKey.set(key, value);
  }
}

/**
 * The earliest binding in lister order, among the lists of `principals` in
 * `index`, whose role allows `query`. The lists are walked as one merged
 * list, in lister order, from where the memo says the unknown part of each
 * starts; the walk stops at the first allowing entry, so no binding after
 * it is asked about.
 */
export function firstAllowingIn(
  answers: ListAnswers,
  judge: EntryJudge,
  index: { get(principal: string): readonly BindingEntry[] | undefined },
  principals: readonly string[],
  query: RuleQuery,
): Allowing | undefined {
  const lists: (readonly BindingEntry[])[] = [];
  for (let i = 0; i < principals.length; i++) {
    const list = index.get(principals[i]);
    if (list !== undefined && list.length > 0) lists.push(list);
  }
  if (lists.length === 0) return undefined;
  // heads[i]: the first entry of list i not known to deny; done[i]: list i's first allowing entry is at heads[i].
  const heads = new Array<number>(lists.length);
  const done = new Array<boolean>(lists.length);
  const start = new Array<number | undefined>(lists.length);
  let best: BindingEntry | undefined;
  for (let i = 0; i < lists.length; i++) {
    const known = answers.get(lists[i], query.key);
    start[i] = known;
    done[i] = known !== undefined && known >= 0;
    heads[i] = known === undefined ? 0 : known >= 0 ? known : -known - 1;
    if (done[i] && (best === undefined || lists[i][heads[i]].seq < best.seq)) best = lists[i][heads[i]];
  }
  for (;;) {
    let next: BindingEntry | undefined;
    for (let i = 0; i < lists.length; i++) {
      if (done[i] || heads[i] >= lists[i].length) continue;
      const e = lists[i][heads[i]];
      if (next === undefined || e.seq < next.seq) next = e;
    }
    if (next === undefined || (best !== undefined && next.seq >= best.seq)) break;
    const table = judge.roleTable(next);
    const allows = table !== undefined && judge.firstAllowingRule(table, query) >= 0;
    for (let i = 0; i < lists.length; i++) {
      if (done[i] || heads[i] >= lists[i].length || lists[i][heads[i]] !== next) continue;
      if (allows) done[i] = true;
      else heads[i]++;
    }
    if (allows) {
      best = next;
      break;
    }
  }
  for (let i = 0; i < lists.length; i++) {
    const value = done[i] ? heads[i] : -heads[i] - 1;
    if (value !== start[i]) answers.set(lists[i], query.key, value);
  }
  if (best === undefined) return undefined;
  const table = judge.roleTable(best)!;
  return { entry: best, table, ruleIndex: judge.firstAllowingRule(table, query) };
}
