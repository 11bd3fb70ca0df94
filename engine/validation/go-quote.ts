/**
 * Go's strconv.Quote (what `%q` prints), which Kubernetes uses for every
 * quoted value in its messages: printable characters stay as they are,
 * `"` and `\` are escaped, the usual control characters take their short
 * escapes, other bytes below 0x80 `\xNN`, and other unprintable characters
 * `\uNNNN` or `\UNNNNNNNN`. A lone surrogate (which UTF-8 cannot carry, so
 * Go would see U+FFFD) prints as `\ufffd`'s character.
 */

const shortEscapes: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const plainAscii = /^[ !#-[\]-~]*$/;

export function goQuote(s: string): string {
  if (plainAscii.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else if (printable.test(ch)) out += ch;
    else if (shortEscapes[ch]) out += shortEscapes[ch];
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
