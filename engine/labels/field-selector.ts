/**
 * The `?fieldSelector=` syntax (apimachinery fields.ParseSelector): terms
 * separated by unescaped commas, each `field=value`, `field==value` or
 * `field!=value`; in values `\\`, `\,` and `\=` escape those characters.
 * A missing field reads as the empty string. Parsing never throws.
 */
import { byteOrder } from './byte-order.ts';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

export interface FieldSelector {
  /** In kube's order: terms sorted as written. ANDed. */
  requirements: FieldRequirement[];
  matches(fields: Record<string, string | undefined>): boolean;
}

export type FieldSelectorResult = { ok: true; selector: FieldSelector } | { ok: false; message: string };

/** Splits on commas not preceded by a backslash escape; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; `!=` and `==` win over `=` at the same position. */
function splitTerm(term: string): [string, FieldRequirement['operator'], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(s: string): { value: string } | { error: string } {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') return { error: `invalid field selector: invalid escape sequence: \\${c}` };
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    } else {
      out += c;
    }
  }
  if (inSlash) return { error: 'invalid field selector: invalid escape sequence: \\' };
  return { value: out };
}

/**
 * fields.ParseSelector. With `supportedFields`, a term on any other field is
 * an error worded as kube-apiserver's field label conversion words it
 * (`field label not supported: spec.x`).
 */
export function parseFieldSelector(text: string, supportedFields?: readonly string[]): FieldSelectorResult {
  const selector = String(text ?? '');
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(selector).sort(byteOrder)) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) return { ok: false, message: `invalid selector: '${selector}'; can't understand '${part}'` };
    const [field, operator, raw] = split;
    const unescaped = unescapeValue(raw);
    if ('error' in unescaped) return { ok: false, message: unescaped.error };
    if (supportedFields && !supportedFields.includes(field)) {
      return { ok: false, message: `field label not supported: ${field}` };
    }
    requirements.push({ field, operator, value: unescaped.value });
  }
  return {
    ok: true,
    selector: {
      requirements,
      matches: (fields) =>
        requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator !== '!=')),
    },
  };
}
