/**
 * A memo of parsed quantities for callers that parse the same few strings
 * over and over (quota admission: `500m`, `1Gi`), owned by its creator so
 * the engine keeps no state of its own.
 */
import { parseQuantityJSON, type ParseQuantityResult } from './quantity.ts';

/**
 * Reads quantities from JSON through a bounded memo of short inputs, owned
 * by whoever creates it (the engine keeps no state of its own). Quantities
 * are immutable, so sharing a result is invisible to callers; the memo is
 * cleared when full.
 */
export class QuantityParser {
  private readonly memo = new Map<string, ParseQuantityResult>();

  constructor(private readonly limit = 4096) {}

  /** parseQuantityJSON, remembered for strings of at most 32 characters. */
  readonly parseJSON = (raw: unknown): ParseQuantityResult => {
    if (typeof raw !== 'string' || raw.length > 32) return parseQuantityJSON(raw);
    let r = this.memo.get(raw);
    if (r === undefined) {
      if (this.memo.size >= this.limit) this.memo.clear();
      r = parseQuantityJSON(raw);
      this.memo.set(raw, r);
    }
    return r;
  };
}
