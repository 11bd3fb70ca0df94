/** Sorting strings as Go's sort.Strings does. */

const highUnits = /[\ud800-\uffff]/;

/** Go's string order: by UTF-8 bytes, which is code point order (UTF-16 units differ above U+D7FF). */
export function byteOrder(a: string, b: string): number {
  if (!highUnits.test(a) && !highUnits.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
