import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addQuantities, compareQuantities, exactDecimal, formatQuantity, milliValue, parseQuantity, parseQuantityJSON,
  quantityValue, subtractQuantities, QuantityParser, errFormatWrong, errSuffix, errNumeric, errTooLarge, errTooLong,
  type Quantity, type QuantityFormat,
} from '../../../engine/quota/index.ts';

function q(s: string): Quantity {
  const r = parseQuantity(s);
  assert.ok(r.ok, `${s} should parse`);
  return r.quantity;
}

test('parsing: value, format and printed form', () => {
  const table: [string, string, QuantityFormat, string][] = [
    // input, exact value, format, printed
    ['250m', '0.25', 'DecimalSI', '250m'],
    ['2', '2', 'DecimalSI', '2'],
    ['1.25', '1.25', 'DecimalSI', '1250m'],
    ['0.75', '0.75', 'DecimalSI', '750m'],
    ['3k', '3000', 'DecimalSI', '3k'],
    ['4000', '4000', 'DecimalSI', '4k'],
    ['7M', '7000000', 'DecimalSI', '7M'],
    ['2Ki', '2048', 'BinarySI', '2Ki'],
    ['2048Ki', '2097152', 'BinarySI', '2Mi'],
    ['3072Mi', '3221225472', 'BinarySI', '3Gi'],
    ['2.5Gi', '2684354560', 'BinarySI', '2560Mi'],
    ['12Mi', '12582912', 'BinarySI', '12Mi'],
    ['0.5Ki', '512', 'BinarySI', '512'],
    ['5e3', '5000', 'DecimalExponent', '5e3'],
    ['2.5e2', '250', 'DecimalExponent', '250'],
    ['7E-3', '0.007', 'DecimalExponent', '7E-3'],
    ['7.0E-3', '0.007', 'DecimalExponent', '7e-3'],
    ['40u', '0.00004', 'DecimalSI', '40u'],
    ['3n', '0.000000003', 'DecimalSI', '3n'],
    ['-2500m', '-2.5', 'DecimalSI', '-2500m'],
  ];
  for (const [input, value, format, printed] of table) {
    const v = q(input);
    assert.equal(exactDecimal(v), value, `${input} value`);
    assert.equal(v.format, format, `${input} format`);
    assert.equal(formatQuantity(v), printed, `${input} printed`);
  }
});

test('text the fast parse path judges canonical prints back verbatim', () => {
  for (const s of ['+3', '6.', '+2k', '1025Ki', '-7n', '9.', '+5e3']) assert.equal(formatQuantity(q(s)), s);
  // not canonical: reprinted
  assert.equal(formatQuantity(q('2.0')), '2');
  assert.equal(formatQuantity(q('3000m')), '3');
  assert.equal(formatQuantity(q('8Ki')), '8Ki');
  assert.equal(formatQuantity(q('0.0')), '0');
});

test('values finer than a nano round away from zero to a whole nano', () => {
  assert.equal(exactDecimal(q('0.00000000001')), '0.000000001');
  assert.equal(formatQuantity(q('0.00000000001')), '1n');
  assert.equal(formatQuantity(q('2.0000000001')), '2000000001n');
  assert.equal(formatQuantity(q('-0.00000000001')), '-1n');
  assert.equal(formatQuantity(q('1e-12')), '1e-9');
});

test('BinarySI values are capped at 2^63-1', () => {
  assert.equal(formatQuantity(q('9Ei')), '9223372036854775807');
  assert.equal(formatQuantity(q('16Ei')), '9223372036854775807');
  assert.equal(formatQuantity(q('3Ei')), '3Ei');
});

test('invalid quantities are values, with upstream error texts', () => {
  const table: [string, string][] = [
    ['', errFormatWrong], [' 2', errFormatWrong], ['2 ', errFormatWrong], ['2.3.4', errFormatWrong],
    ['--2', errSuffix], ['2,5', errFormatWrong], ['0x1f', errFormatWrong], ['3e', errSuffix], ['3e+', errSuffix],
    ['3K', errSuffix], ['3ki', errSuffix], ['3mi', errSuffix], ['3GB', errFormatWrong], ['abc', errFormatWrong],
    ['4Gi4', errSuffix], ['.e-20', errNumeric], ['1e99999999999999999999', errSuffix],
  ];
  for (const [input, error] of table) {
    const r = parseQuantity(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.equal(r.error, error, JSON.stringify(input));
  }
  // odd but valid
  assert.equal(formatQuantity(q('.')), '0');
  assert.equal(formatQuantity(q('-')), '0');
});

test('absurd quantities are refused instead of exhausting memory', () => {
  const big = parseQuantity('5e999999999');
  assert.deepEqual(big, { ok: false, error: errTooLarge });
  const long = parseQuantity('1'.repeat(5000));
  assert.deepEqual(long, { ok: false, error: errTooLong });
  assert.ok(parseQuantity('1e300').ok);
  // the exponent is truncated to 32 bits as upstream: 4294967295 is -1
  assert.equal(formatQuantity(q('1e4294967295')), '100e-3');
  assert.deepEqual(parseQuantity('1e-2147483648'), { ok: false, error: errTooLarge });
});

test('JSON quantities: strings are trimmed, numbers accepted, other types refused', () => {
  const s = parseQuantityJSON(' 3Gi ');
  assert.ok(s.ok && formatQuantity(s.quantity) === '3Gi');
  const n = parseQuantityJSON(1.5);
  assert.ok(n.ok && formatQuantity(n.quantity) === '1500m');
  assert.equal(parseQuantityJSON({}).ok, false);
  assert.equal(parseQuantityJSON(null).ok, false);
});

test('comparison is exact across suffixes', () => {
  const table: [string, string, number][] = [
    ['1M', '1Mi', -1], ['2Ki', '2048', 0], ['250m', '0.25', 0], ['3', '2999m', 1], ['1e3', '1k', 0],
    ['1n', '0', 1], ['-1', '-1001m', 1], ['1.5Gi', '1536Mi', 0], ['5Ei', '5E', 1], ['4.0001n', '5n', 0],
    ['123456789012345678901234', '123456789012345678901233', 1],
  ];
  for (const [a, b, want] of table) assert.equal(compareQuantities(q(a), q(b)), want, `${a} vs ${b}`);
});

test('a sum keeps the left format unless the left is zero', () => {
  const table: [string, string, string][] = [
    ['2', '250m', '2250m'], ['250m', '2', '2250m'], ['2', '1Ki', '1026'], ['1Ki', '2', '1026'],
    ['0', '3Mi', '3Mi'], ['0', '20m', '20m'], ['3Gi', '1Gi', '4Gi'], ['768Mi', '256Mi', '1Gi'],
    ['2k', '2Ki', '4048'], ['600m', '400m', '1'], ['2e3', '5', '2005'],
  ];
  for (const [a, b, want] of table) assert.equal(formatQuantity(addQuantities(q(a), q(b))), want, `${a} + ${b}`);
  assert.equal(formatQuantity(subtractQuantities(q('2Gi'), q('512Mi'))), '1536Mi');
  assert.equal(formatQuantity(subtractQuantities(q('1'), q('1500m'))), '-500m');
});

test('milli and whole values round away from zero, beyond 2^53 exactly', () => {
  assert.equal(milliValue(q('1.5')), 1500n);
  assert.equal(milliValue(q('1n')), 1n);
  assert.equal(milliValue(q('-1n')), -1n);
  assert.equal(milliValue(q('8Ei')), 9223372036854775807000n);
  assert.equal(quantityValue(q('100m')), 1n);
  assert.equal(quantityValue(q('-100m')), -1n);
  assert.equal(quantityValue(q('12345678901234567890')), 12345678901234567890n);
});

test('a QuantityParser answers as parseQuantityJSON, and its memo stays within its bound', () => {
  const inputs: unknown[] = ['1', ' 1 ', '1 ', '250m', '1.5Gi', '1e3', '1E3', '0.1n', '', ' ', '1Qi', 'abc', '+1', '1.', '1025Ki',
    '1'.repeat(40), `${'9'.repeat(31)}Ki`, 1, 1.5, -2, null, {}, [], true];
  const parser = new QuantityParser(8);
  for (let round = 0; round < 3; round++) {
    for (const raw of inputs) assert.deepEqual(parser.parseJSON(raw), parseQuantityJSON(raw), `${JSON.stringify(raw)} in round ${round}`);
  }
  const memo = (parser as unknown as { memo: Map<string, unknown> }).memo;
  assert.ok(memo.size <= 8, `memo holds ${memo.size} entries`);
  assert.ok(!memo.has('1'.repeat(40)), 'inputs over 32 characters are not remembered');
});
