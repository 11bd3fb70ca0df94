/**
 * The fast path of RBAC evaluation through Casbin: one enforcer answers for
 * one role at a time, holding only the lines of that role that can possibly
 * match the request.
 *
 * Why this equals the plain enforcer: the plain enforcer allows a principal
 * when some binding links it to a role (g) and one of that role's lines
 * matches. The caller finds the bindings itself (indexes by subject and
 * namespace) and asks about their roles in kube's visiting order. For a role,
 * the enforcer is asked with the role key as subject, which Casbin's role
 * manager links to itself in every domain, so only the rule-matching part of
 * the matcher decides. A role's lines are bucketed by verb and resource
 * entry exactly as `verbMatches` and `resourceMatches` match them; a line
 * outside the request's buckets cannot match, so leaving it out changes no
 * answer. The differential test (test/engine/casbin) checks the equality.
 *
 * A role's answer depends only on its rules and the request fields its
 * lines read, so answers are memoized per (rule table, query), bounded, and
 * shared by every state that still holds the same role object.
 */
import type { Attributes, PolicyRule } from '../rbac/types.ts';
import { keyField } from '../rbac/decision-memo.ts';
import { combinedResource } from '../rbac/rule-matching.ts';
import { createKubeEnforcer, type KubeEnforcer } from './enforcer.ts';
import type { RuleFields } from './functions.ts';
import { casbinRequest, lineRuleIndex, policyLine, policyLines, type PolicyLine } from './projection.ts';

const none: readonly PolicyLine[] = [];

/** The bucket keys of one request, computed once and used against every role a request visits. */
export interface RuleQuery {
  readonly attrs: Attributes;
  /** Every request field a role's answer depends on (not the user, not the namespace). */
  readonly key: string;
  readonly verbs: readonly string[];
  /** Resource entries that can match: the combined resource, `*`, and `*\/<subresource>` when there is one. */
  readonly resources: readonly string[];
  /** An evaluator's memo of answers to this query, by table id (attached on first use). */
  answers?: { owner: RoleEvaluator; byTable: Map<number, number> };
}

export function ruleQuery(attrs: Attributes): RuleQuery {
  const verbs = attrs.verb === '*' ? ['*'] : [attrs.verb, '*'];
  if (!attrs.isResourceRequest) return { attrs, key: `n${keyField(attrs.verb)}${keyField(attrs.path)}`, verbs, resources: [] };
  const combined = combinedResource(attrs);
  const resources = [combined, '*'];
  if (attrs.subresource !== '') resources.push(`*/${attrs.subresource}`);
  const key = `r${keyField(attrs.verb)}${keyField(attrs.apiGroup)}${keyField(attrs.resource)}${keyField(attrs.subresource)}${keyField(attrs.name)}`;
  return { attrs, key, verbs, resources };
}

/** A role's p lines, indexed by the request fields that select candidates. */
export class RuleTable {
  private readonly lineCache: PolicyLine[] = [];
  /** verb (or `*`) -> resource entry (`pods`, `pods/log`, `*`, `*\/scale`) -> rule indexes, ascending. */
  private readonly resource = new Map<string, Map<string, number[]>>();
  /** verb (or `*`) -> indexes of rules that list nonResourceURLs, ascending. */
  private readonly nonResource = new Map<string, number[]>();

  /**
   * `id` numbers the table within its evaluator (answers are memoized by it);
   * `fields`: the evaluator's decoded fields, told about each line as it is made.
   */
  constructor(readonly key: string, readonly rules: readonly PolicyRule[], private readonly fields?: RuleFields, readonly id = 0) {
    rules.forEach((rule, i) => {
      for (const verb of rule.verbs ?? []) {
        if ((rule.resources ?? []).length > 0) {
          let byResource = this.resource.get(verb);
          if (!byResource) this.resource.set(verb, (byResource = new Map()));
          for (const r of rule.resources!) push(byResource, r, i);
        }
        if ((rule.nonResourceURLs ?? []).length > 0) push(this.nonResource, verb, i);
      }
    });
  }

  /** The lines that may match the request, in rule order. */
  candidates(query: RuleQuery): readonly PolicyLine[] {
    let found: number[][] | undefined;
    for (const v of query.verbs) {
      if (query.attrs.isResourceRequest) {
        const byResource = this.resource.get(v);
        if (!byResource) continue;
        for (const e of query.resources) {
          const list = byResource.get(e);
          if (list) (found ??= []).push(list);
        }
      } else {
        const list = this.nonResource.get(v);
        if (list) (found ??= []).push(list);
      }
    }
    if (found === undefined) return none;
    const indexes = found.length === 1 ? found[0] : [...new Set(found.flat())].sort((a, b) => a - b);
    return indexes.map((i) => this.line(i));
  }

  private line(i: number): PolicyLine {
    let line = this.lineCache[i];
    if (line === undefined) {
      const rule = this.rules[i];
      this.lineCache[i] = line = policyLine(this.key, i, rule);
      if (this.fields) {
        this.fields.prime(line[2], rule.verbs);
        this.fields.prime(line[3], rule.apiGroups);
        this.fields.prime(line[4], rule.resources);
        this.fields.prime(line[5], rule.resourceNames);
        this.fields.prime(line[6], rule.nonResourceURLs);
      }
    }
    return line;
  }
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/**
 * Answers "which rule of this role allows the request" with one Casbin
 * enforcer. Not reentrant (it loads the candidate lines, then asks), which
 * holds because evaluation is synchronous.
 */
export class RoleEvaluator {
  private readonly enforcer: KubeEnforcer;
  private readonly tables = new WeakMap<object, RuleTable>();
  private tableIds = 0;
  /** query key -> table id -> first allowing rule index: the enforcer's earlier answers, oldest queries evicted first. */
  private readonly answers = new Map<string, Map<number, number>>();
  private answerCount = 0;

  /**
   * Throws when `modelText` does not decide as the RBAC model (each
   * predicate is checked on a known role). `answerLimit` bounds the memo of
   * per-role answers (0 disables it).
   */
  constructor(modelText: string, private readonly answerLimit = 200_000) {
    this.enforcer = createKubeEnforcer(modelText);
    selfTest(this);
  }

  /**
   * The rule table of a role object, built on first use and kept while the
   * object lives, so states that share the object share the table. Role
   * objects must not be mutated.
   */
  tableFor(role: object, key: string, rules: readonly PolicyRule[]): RuleTable {
    let t = this.tables.get(role);
    if (t === undefined || t.key !== key) {
      t = new RuleTable(key, rules, this.enforcer.fields, ++this.tableIds);
      this.tables.set(role, t);
    }
    return t;
  }

  /**
   * Index of the first rule of the table's role that allows the request, or
   * -1. A role's answer depends only on its rules and the query, so it is
   * memoized for as long as the table lives (the role object is unchanged).
   */
  firstAllowingRule(table: RuleTable, query: RuleQuery): number {
    if (this.answerLimit <= 0) return this.ask(table, query);
    if (query.answers?.owner !== this) query.answers = { owner: this, byTable: this.bucket(query.key) };
    const bucket = query.answers.byTable;
    let answer = bucket.get(table.id);
    if (answer === undefined) {
      answer = this.ask(table, query);
      bucket.set(table.id, answer);
      this.answerCount++;
    }
    return answer;
  }

  private bucket(key: string): Map<number, number> {
    let bucket = this.answers.get(key);
    if (bucket === undefined) {
      while (this.answerCount >= this.answerLimit && this.answers.size > 0) {
        const [oldest, answers] = this.answers.entries().next().value!;
        this.answers.delete(oldest);
        this.answerCount -= answers.size;
      }
      this.answers.set(key, (bucket = new Map()));
    }
    return bucket;
  }

  /** The enforcer's answer, loaded with the role's candidate lines only. */
  ask(table: RuleTable, query: RuleQuery): number {
    const lines = table.candidates(query);
    return lines.length === 0 ? -1 : this.enforceLines(lines, table.key, query.attrs);
  }

  /** Rule index of the first of `lines` that allows `attrs` for role `key`, or -1: the enforcer holding exactly `lines`. */
  enforceLines(lines: readonly PolicyLine[], key: string, attrs: Attributes): number {
    const p = this.enforcer.getModel().model.get('p')?.get('p');
    if (!p) throw new Error('Casbin model lacks p');
    p.policy = lines as string[][];
    try {
      const [allowed, line] = this.enforcer.enforceExSync(...casbinRequest(key, attrs));
      return allowed ? lineRuleIndex(line) : -1;
    } finally {
      p.policy = [];
    }
  }
}

/** Asks the enforcer, holding every line of a known role, questions that each predicate of the model must decide. */
function selfTest(evaluator: RoleEvaluator): void {
  const key = 'ClusterRole:self-test';
  const lines = policyLines(key, [
    { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'], resourceNames: ['web'] },
    { verbs: ['list'], nonResourceURLs: ['/healthz*'] },
  ]);
  const base: Attributes = {
    user: { name: 'self-test' }, verb: 'get', isResourceRequest: true, namespace: 'ns', apiGroup: 'apps', apiVersion: 'v1',
    resource: 'deployments', subresource: 'scale', name: 'web', path: '',
  };
  const url: Attributes = { ...base, isResourceRequest: false, verb: 'list', namespace: '', apiGroup: '', resource: '', subresource: '', name: '', path: '/healthz/ping' };
  const cases: Array<[Attributes, number]> = [
    [base, 0], [{ ...base, verb: 'list' }, -1], [{ ...base, apiGroup: '' }, -1], [{ ...base, subresource: '' }, -1],
    [{ ...base, name: 'db' }, -1], [url, 1], [{ ...url, verb: 'get' }, -1], [{ ...url, path: '/version' }, -1],
    [{ ...url, isResourceRequest: true }, -1],
  ];
  for (const [attrs, expected] of cases) {
    if (evaluator.enforceLines(lines, key, attrs) !== expected) {
      throw new Error(`Casbin model does not decide as the Kubernetes RBAC model (self-test failed on ${JSON.stringify({ ...attrs, user: undefined })})`);
    }
  }
}
