/**
 * The string label-selector syntax of `?labelSelector=` (apimachinery
 * labels.Parse), with kube-apiserver's lexer, grammar and error text:
 *
 *   selector    ::= requirement ("," requirement)*
 *   requirement ::= ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * Whitespace separates tokens and is otherwise ignored; an empty selector
 * matches everything. Parsing never throws: a syntax error is a value whose
 * `message` is what kube-apiserver answers with 400 BadRequest.
 */
import type { Labels } from '../meta.ts';
import { goQuote } from '../validation/go-quote.ts';
import { byteOrder } from './byte-order.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';

export { parseFieldSelector } from './field-selector.ts';
export type { FieldRequirement, FieldSelector, FieldSelectorResult } from './field-selector.ts';

/** selection.Operator spellings. */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  /** Sorted and de-duplicated, as labels.Parse leaves them. */
  values: string[];
}

export interface ParsedSelector {
  /** Sorted by key. ANDed. */
  requirements: Requirement[];
  matches(labels: Labels | undefined): boolean;
  /** The canonical string form (labels.Selector.String()). */
  toString(): string;
}

export type LabelSelectorParseResult = { ok: true; selector: ParsedSelector } | { ok: false; message: string };

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item { tok: Tok; lit: string }

const literalTokens: Record<string, Tok> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};
const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => c.length === 1 && '=!(),><'.includes(c);

/**
 * Splits the input into tokens as the Go lexer does. It reads a NUL byte as
 * the end of the input: where a token would start, the token list ends
 * there (`%00` alone is the empty selector); inside a token, the token ends
 * and lexing goes on after it.
 */
function lex(s: string): Item[] {
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++] : '\0');
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(ch)) {
      pos--;
      let buffer = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecial(c)) { pos--; break; }
        buffer += c;
        const t = literalTokens[buffer];
        if (t) last = { tok: t, lit: buffer };
        else if (last) { pos--; break; }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    pos--;
    let buffer = '';
    for (;;) {
      const c = read();
      if (c === '\0') break;
      if (isSpecial(c) || isWhitespace(c)) { pos--; break; }
      buffer += c;
    }
    const t = literalTokens[buffer];
    items.push({ tok: t ?? 'id', lit: buffer });
  }
}

class ParseError {
  constructor(readonly message: string) {}
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  /** In a values context the keywords `in`/`notin` are plain identifiers. */
  private peek(values: boolean): Item {
    const it = this.items[this.position] ?? { tok: 'eos', lit: '' };
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next(true);
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.tok !== 'id' && following.tok !== '!') {
        throw new ParseError(`found '${following.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let operator: SelectorOperator | undefined;
    let it = this.next(true);
    if (it.tok === '!') {
      operator = '!';
      it = this.next(true);
    }
    if (it.tok !== 'id') throw new ParseError(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new ParseError(`<nil>: Invalid value: ${goQuote(key)}: ${keyErrs.join('; ')}`);
    const ahead = this.peek(true).tok;
    if (operator === '!' || ahead === 'eos' || ahead === ',') return newRequirement(key, operator ?? 'exists', []);
    const op = this.next(false);
    const ops: Partial<Record<Tok, SelectorOperator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    operator = ops[op.tok];
    if (!operator) throw new ParseError(`found '${op.lit}', expected: ${BINARY_OPERATORS}`);
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : this.exactValue();
    return newRequirement(key, operator, [...values].sort(byteOrder));
  }

  private valueSet(): Set<string> {
    const open = this.next(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const first = this.peek(true);
    if (first.tok === ')') {
      this.next(true);
      return new Set(['']);
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new ParseError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const it = this.next(true);
      if (it.tok === 'id') {
        set.add(it.lit);
        const ahead = this.peek(true);
        if (ahead.tok === ',') continue;
        if (ahead.tok === ')') break;
        throw new ParseError(`found '${ahead.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        // `(,`, `,,` and `,)` each stand for an empty value.
        if (set.size === 0) set.add('');
        const ahead = this.peek(true).tok;
        if (ahead === ')') { set.add(''); break; }
        if (ahead === ',') set.add('');
      } else {
        throw new ParseError(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    this.next(true);
    return set;
  }

  private exactValue(): Set<string> {
    const ahead = this.peek(true).tok;
    if (ahead === 'eos' || ahead === ',') return new Set(['']);
    const it = this.next(true);
    if (it.tok === 'id') return new Set([it.lit]);
    throw new ParseError(`found '${it.lit}', expected: identifier`);
  }
}

const INT64 = /^[+-]?[0-9]+$/;
function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(1n << 63n) && n < 1n << 63n ? n : undefined;
}

/** labels.NewRequirement's checks on what the grammar let through; errors aggregate as `[a, b]`. */
function newRequirement(key: string, operator: SelectorOperator, values: string[]): Requirement {
  const errs: string[] = [];
  if ((operator === 'gt' || operator === 'lt')) {
    values.forEach((v, i) => {
      if (parseInt64(v) === undefined) {
        errs.push(`values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
    });
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(`values[${i}][${key}]: Invalid value: ${goQuote(v)}: ${msgs.join('; ')}`);
  });
  if (errs.length === 1) throw new ParseError(errs[0]);
  if (errs.length > 1) throw new ParseError(`[${errs.join(', ')}]`);
  return { key, operator, values };
}

/** labels.Requirement.Matches: `notin` and `!=` match a missing key; `gt`/`lt` compare integers. */
export function parsedRequirementMatches(req: Requirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels![req.key] : undefined;
  switch (req.operator) {
    case 'in': case '=': case '==':
      return has && req.values.includes(value!);
    case 'notin': case '!=':
      return !has || !req.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || req.values.length !== 1) return false;
      const have = parseInt64(value!);
      const want = parseInt64(req.values[0]);
      if (have === undefined || want === undefined) return false;
      return req.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementString(r: Requirement): string {
  const values = r.values.length === 1 ? r.values[0] : r.values.join(',');
  switch (r.operator) {
    case 'exists': return r.key;
    case '!': return `!${r.key}`;
    case 'in': return `${r.key} in (${values})`;
    case 'notin': return `${r.key} notin (${values})`;
    case 'gt': return `${r.key}>${values}`;
    case 'lt': return `${r.key}<${values}`;
    default: return `${r.key}${r.operator}${values}`;
  }
}

/** Builds a matcher from already-parsed requirements (sorted by key here). */
export function selectorFromRequirements(requirements: Requirement[]): ParsedSelector {
  const reqs = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: reqs,
    matches: (labels) => reqs.every((r) => parsedRequirementMatches(r, labels)),
    toString: () => reqs.map(requirementString).join(','),
  };
}

/** labels.Parse. */
export function parseLabelSelector(text: string): LabelSelectorParseResult {
  try {
    return { ok: true, selector: selectorFromRequirements(new Parser(lex(String(text ?? ''))).parse()) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.message };
    throw e;
  }
}
