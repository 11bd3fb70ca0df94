/**
 * Resource quantities with the semantics of k8s.io/apimachinery/pkg/api/resource
 * Quantity: the same grammar, suffixes, formats, rounding, comparison,
 * arithmetic and printing, computed exactly with BigInt.
 *
 * A quantity is the exact value `coef × 10^exp` plus the format it prints in.
 * Parsing rounds non-zero values away from zero to a whole nano (`0.1n` is
 * `1n`), caps BinarySI values at 2^63-1 as upstream does, and remembers the
 * input text when upstream's fast parse path judges it already canonical:
 * such quantities print back verbatim (`+1`, `1.`, `1025Ki`).
 *
 * Quantities are immutable values; every operation returns a new one. No
 * function here throws: a parse failure is a value.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The exact value is `coef × 10^exp`. */
  readonly coef: bigint;
  readonly exp: number;
  readonly format: QuantityFormat;
  /** Parsed text reused by `formatQuantity` (upstream's cached string); absent after arithmetic. */
  readonly text?: string;
}

export type ParseQuantityResult =
  | { ok: true; quantity: Quantity }
  | { ok: false; error: string };

/** Upstream's error texts (resource.ErrFormatWrong, ErrNumeric, ErrSuffix). */
export const errFormatWrong =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const errNumeric = 'unable to parse numeric part of quantity';
export const errSuffix = "unable to parse quantity's suffix";

/**
 * Warden's own bounds. Kubernetes accepts any length and magnitude (`1e999999999`
 * parses), but nothing a quota means needs them and exact arithmetic on them costs
 * memory and time, so such input is refused as a value.
 */
export const maxQuantityLength = 4096;
export const maxIntegerDigits = 4096;
export const errTooLong = `quantity may not be more than ${maxQuantityLength} characters`;
export const errTooLarge = `quantity may not have more than ${maxIntegerDigits} integer digits`;

const int64Max = (1n << 63n) - 1n;
/** Go's int32 wrap-around. */
const int32Wrap = (n: number): number => n | 0;

const pow10Cache: bigint[] = [1n];
/** 10^n for n >= 0. */
export function pow10(n: number): bigint {
  if (n < 64) {
    while (pow10Cache.length <= n) pow10Cache.push(pow10Cache[pow10Cache.length - 1] * 10n);
    return pow10Cache[n];
  }
  return 10n ** BigInt(n);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const suffixChars = 'eEinumkKMGTP';

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** Upstream's parseQuantityString: splits sign, numerator (leading zeros dropped), denominator and suffix. */
function scan(str: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (true) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] !== '0') break;
    pos++;
  }
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  const num = i === pos ? '0' : str.slice(pos, i);
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
    denom = str.slice(pos, i);
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && suffixChars.includes(str[pos])) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  return undefined;
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent: ReadonlyMap<number, string> = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Upstream's suffixer.interpret. Suffixes are case-sensitive: `1K` and `1ki` are invalid. */
function interpretSuffix(s: string): Suffix | undefined {
  if (Object.hasOwn(decimalSuffixes, s)) return { base: 10, exponent: decimalSuffixes[s], format: 'DecimalSI' };
  if (Object.hasOwn(binarySuffixes, s)) return { base: 2, exponent: binarySuffixes[s], format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    // strconv.ParseInt(s[1:], 10, 64), then truncated to int32 as upstream does.
    if (!/^[+-]?[0-9]+$/.test(s.slice(1))) return undefined;
    const parsed = BigInt(s.slice(1));
    if (parsed > int64Max || parsed < -int64Max - 1n) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const fail = (error: string): ParseQuantityResult => ({ ok: false, error });

function digitCount(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/** Parses a quantity exactly as resource.ParseQuantity does (no surrounding whitespace allowed). */
export function parseQuantity(str: string): ParseQuantityResult {
  if (typeof str !== 'string') return fail(errFormatWrong);
  if (str.length === 0) return fail(errFormatWrong);
  if (str.length > maxQuantityLength) return fail(errTooLong);
  if (str === '0') return { ok: true, quantity: { coef: 0n, exp: 0, format: 'DecimalSI', text: '0' } };
  const s = scan(str);
  if (!s) return fail(errFormatWrong);
  const suffix = interpretSuffix(s.suffix);
  if (!suffix) return fail(errSuffix);
  const { base, exponent, format } = suffix;

  // Fast path: small mantissas at nano precision or coarser, kept as parsed.
  let precision = -1;
  let scale = 0;
  let mantissa = 1n;
  if (format !== 'BinarySI') {
    scale = exponent;
    precision = 18 - (s.num.length + s.denom.length);
  } else if (exponent >= 0 && s.denom.length === 0) {
    mantissa = 1n << BigInt(exponent);
    precision = 15 - s.num.length - Math.trunc((exponent * 3) / 10) - 1;
  }
  if (precision >= 0) {
    scale = int32Wrap(scale - s.denom.length);
    if (scale >= -9) {
      const shifted = s.num + s.denom;
      const value = BigInt(shifted);
      const result = value * mantissa;
      if (result <= int64Max) {
        const coef = s.positive ? result : -result;
        if (coef !== 0n && digitCount(coef) + scale > maxIntegerDigits) return fail(errTooLarge);
        let canonical: boolean;
        if (format === 'BinarySI') canonical = exponent % 10 === 0 && (value & 7n) !== 0n;
        else canonical = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return { ok: true, quantity: canonical ? { coef, exp: scale, format, text: str } : { coef, exp: scale, format } };
      }
    }
  }

  // Slow path: arbitrary precision, rounded up to a whole nano.
  if (!/[0-9]/.test(s.value)) return fail(errNumeric);
  const digits = (s.num + s.denom).replace(/^0+/, '');
  if (digits === '') return { ok: true, quantity: { coef: 0n, exp: 0, format } };
  let coef: bigint;
  let exp: number;
  if (base === 10) {
    // inf.Dec keeps its scale in an int32, so huge exponents wrap exactly as upstream.
    exp = -int32Wrap(s.denom.length + int32Wrap(-exponent));
    if (digits.length + exp > maxIntegerDigits) return fail(errTooLarge);
    if (exp < -9) {
      const drop = -9 - exp;
      const kept = drop >= digits.length ? '' : digits.slice(0, digits.length - drop);
      const rest = drop >= digits.length ? digits : digits.slice(digits.length - drop);
      coef = BigInt(kept || '0') + (/[1-9]/.test(rest) ? 1n : 0n);
      exp = -9;
    } else {
      coef = BigInt(digits);
    }
  } else {
    coef = BigInt(digits) << BigInt(exponent);
    exp = -s.denom.length;
    if (exp < -9) {
      const divisor = pow10(-9 - exp);
      coef = coef / divisor + (coef % divisor === 0n ? 0n : 1n);
      exp = -9;
    }
  }
  let outFormat = format;
  if (format === 'BinarySI') {
    if (compareMagnitude(coef, exp, int64Max, 0) > 0) {
      coef = int64Max;
      exp = 0;
    }
    if (compareMagnitude(coef, exp, 1n, 0) < 0) outFormat = 'DecimalSI';
  }
  return { ok: true, quantity: { coef: s.positive ? coef : -coef, exp, format: outFormat } };
}

/**
 * unicode.IsSpace: what Go's strings.TrimSpace removes. It differs from
 * JavaScript's trim(): U+0085 is space to Go, U+FEFF is not.
 */
const goSpace = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

/** strings.TrimSpace. */
export function trimSpaceGo(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && goSpace.test(s[start])) start++;
  while (end > start && goSpace.test(s[end - 1])) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * A quantity read from JSON as kube-apiserver decodes one
 * (Quantity.UnmarshalJSON): a string has leading and trailing white space
 * (as Go's strings.TrimSpace sees it) removed before ParseQuantity, so
 * `"1 "` is 1 while `ParseQuantity("1 ")` alone fails; a number is parsed
 * from its literal. JSON.parse has already turned the literal into a double,
 * so an integer is read back as its plain decimal digits, which is the
 * literal for every integer written without an exponent that a double holds
 * exactly.
 */
export function parseQuantityJSON(raw: unknown): ParseQuantityResult {
  if (typeof raw === 'string') return parseQuantity(trimSpaceGo(raw));
  if (typeof raw === 'number' && Number.isFinite(raw)) return parseQuantity(Number.isInteger(raw) ? BigInt(raw).toString() : String(raw));
  return fail('quantity must be a string or a number');
}

/** Compares non-negative `a×10^ea` with `b×10^eb`. */
function compareMagnitude(a: bigint, ea: number, b: bigint, eb: number): number {
  const m = Math.min(ea, eb);
  const x = a * pow10(ea - m);
  const y = b * pow10(eb - m);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** -1, 0 or 1 as a < b, a = b, a > b (exact). */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const sa = sign(a);
  const sb = sign(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const m = Math.min(a.exp, b.exp);
  const x = a.coef * pow10(a.exp - m);
  const y = b.coef * pow10(b.exp - m);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sign(q: Quantity): -1 | 0 | 1 {
  return q.coef === 0n ? 0 : q.coef < 0n ? -1 : 1;
}

export function isZero(q: Quantity): boolean {
  return q.coef === 0n;
}

function sum(a: Quantity, b: Quantity, negateB: boolean): Quantity {
  const m = Math.min(a.exp, b.exp);
  const y = b.coef * pow10(b.exp - m);
  const coef = a.coef * pow10(a.exp - m) + (negateB ? -y : y);
  return { coef, exp: m, format: isZero(a) ? b.format : a.format };
}

/** a + b. The result keeps a's format unless a is zero, then b's (Quantity.Add). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return sum(a, b, false);
}

/** a - b, with the same format rule as addition (Quantity.Sub). */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return sum(a, b, true);
}

export function negateQuantity(q: Quantity): Quantity {
  return { coef: -q.coef, exp: q.exp, format: q.format };
}

/** The integer `n` in the given format (resource.NewQuantity). */
export function newQuantity(n: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { coef: BigInt(n), exp: 0, format };
}

/** ceil(|q| × 10^-scale) with q's sign: upstream's ScaledValue, exact and without int64 overflow. */
function scaledValue(q: Quantity, scale: number): bigint {
  const shift = q.exp - scale;
  if (shift >= 0) return q.coef * pow10(shift);
  const d = pow10(-shift);
  const quotient = q.coef / d;
  if (q.coef % d === 0n) return quotient;
  return q.coef < 0n ? quotient - 1n : quotient + 1n;
}

/** The value × 1000, rounded away from zero (MilliValue, without its int64 limits). */
export function milliValue(q: Quantity): bigint {
  return scaledValue(q, -3);
}

/** The value rounded away from zero to an integer (Value, without its int64 limits). */
export function quantityValue(q: Quantity): bigint {
  return scaledValue(q, 0);
}

/** True when the value has no fractional part. */
export function isInteger(q: Quantity): boolean {
  return q.exp >= 0 || q.coef % pow10(-q.exp) === 0n;
}

/** The value rounded away from zero to a whole unit, keeping the format (Quantity.RoundUp(0)). */
export function roundUpToInteger(q: Quantity): Quantity {
  if (isInteger(q)) return q;
  return { coef: quantityValue(q), exp: 0, format: q.format };
}

/** The text Kubernetes prints for q (Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  return q.text ?? canonicalString(q);
}

/**
 * The canonical form (CanonicalizeBytes): the largest suffix that loses no
 * precision. BinarySI values strictly between -1024 and 1024, or with a
 * fraction, print as DecimalSI. Exponents outside the suffix tables print
 * without a suffix, as upstream does.
 */
function canonicalString(q: Quantity): string {
  if (q.coef === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareQuantities(q, newQuantity(-1024)) > 0 && compareQuantities(q, newQuantity(1024)) < 0;
    if (small || !isInteger(q)) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = quantityValue(q);
    let power = 0;
    while (v % 1024n === 0n) {
      v /= 1024n;
      power++;
    }
    return v.toString() + (binarySuffixByPower[power] ?? '');
  }
  let c = q.coef;
  let e = q.exp;
  while (c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  while (e % 3 !== 0) {
    c *= 10n;
    e--;
  }
  const suffix = format === 'DecimalSI' ? decimalSuffixByExponent.get(e) ?? '' : e === 0 ? '' : `e${e}`;
  return c.toString() + suffix;
}

/** The exact decimal value (`1500m` gives `1.5`), for diagnostics and tests. */
export function exactDecimal(q: Quantity): string {
  if (q.exp >= 0) return (q.coef * pow10(q.exp)).toString();
  const negative = q.coef < 0n;
  const digits = (negative ? -q.coef : q.coef).toString().padStart(-q.exp + 1, '0');
  const intPart = digits.slice(0, digits.length + q.exp);
  const frac = digits.slice(digits.length + q.exp).replace(/0+$/, '');
  return (negative ? '-' : '') + intPart + (frac ? `.${frac}` : '');
}
