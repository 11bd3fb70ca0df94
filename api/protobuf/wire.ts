/**
 * The protobuf wire format, read only: tags, varints, length-delimited
 * fields, fixed32/fixed64, and skipping of fields a reader does not know.
 * Every malformed input (a truncated varint, a length running past the end,
 * a wire type that cannot occur) is a ProtobufError naming the byte offset;
 * nothing here throws anything else.
 */

export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const wireTypeNames = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

export function wireTypeName(t: number): string {
  return wireTypeNames[t] ?? `unknown wire type ${t}`;
}

/** A body that is not valid protobuf, or not the message it claims to be; `field` names where, once known. */
export class ProtobufError extends Error {
  constructor(readonly problem: string, readonly field?: string) {
    super(field ? `${field}: ${problem}` : problem);
  }

  /** This error placed at `field`, unless it already names a (deeper) field. */
  at(field: string): ProtobufError {
    return this.field ? this : new ProtobufError(this.problem, field);
  }
}

/** Groups nest; a body nesting them deeper than this is refused rather than recursed into. */
const maxGroupDepth = 64;

export interface Tag { field: number; wireType: WireType }

/** A cursor over one message's bytes (a sub-reader covers one length-delimited field). */
export class WireReader {
  private pos: number;

  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) {
    this.pos = start;
  }

  /** Offset of the next byte to read, counted from the start of the underlying buffer. */
  get offset(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /**
   * A varint as its low and high 32-bit halves (both unsigned). Ten bytes at
   * most, as in protobuf; bits beyond 64 are dropped.
   */
  varintParts(): [lo: number, hi: number] {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError(`truncated varint at byte ${start}`);
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtobufError(`varint longer than 10 bytes at byte ${start}`);
  }

  /** An unsigned varint that must fit a safe integer (lengths, tags). */
  uint(): number {
    const start = this.pos;
    const [lo, hi] = this.varintParts();
    if (hi >= 0x200000) throw new ProtobufError(`varint at byte ${start} is too large`);
    return hi * 0x100000000 + lo;
  }

  /** int32 as protobuf encodes it: the low 32 bits, two's complement. */
  int32(): number {
    return this.varintParts()[0] | 0;
  }

  /** int64 as a JS number; values beyond ±2^53 cannot be represented and are refused. */
  int64(): number {
    const start = this.pos;
    const [lo, hi] = this.varintParts();
    const value = (hi | 0) * 0x100000000 + lo;
    if (!Number.isSafeInteger(value)) throw new ProtobufError(`int64 at byte ${start} is outside the range a JSON number holds exactly`);
    return value;
  }

  bool(): boolean {
    const [lo, hi] = this.varintParts();
    return lo !== 0 || hi !== 0;
  }

  fixed32(): number {
    this.need(4, 'fixed32');
    const v = (this.buf[this.pos] | (this.buf[this.pos + 1] << 8) | (this.buf[this.pos + 2] << 16) | (this.buf[this.pos + 3] << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  /** fixed64 as a bigint (unsigned). */
  fixed64(): bigint {
    this.need(8, 'fixed64');
    const lo = BigInt(this.fixed32());
    const hi = BigInt(this.fixed32());
    return (hi << 32n) | lo;
  }

  /** The bytes of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const start = this.pos;
    const length = this.uint();
    if (length > this.end - this.pos) {
      throw new ProtobufError(`length ${length} at byte ${start} runs past the end of the message`);
    }
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A length-delimited field as UTF-8 text (invalid sequences become U+FFFD, as Go's JSON encoder writes them). */
  string(): string {
    const b = this.bytes();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  /** The bytes not read yet (a view). */
  remaining(): Uint8Array {
    return this.buf.subarray(this.pos, this.end);
  }

  /** A reader over the next length-delimited field, sharing this buffer (so offsets stay absolute). */
  sub(): WireReader {
    const b = this.bytes();
    const start = b.byteOffset - this.buf.byteOffset;
    return new WireReader(this.buf, start, start + b.byteLength);
  }

  tag(): Tag {
    const at = this.pos;
    const key = this.uint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${at}`);
    if (wireType > 5) throw new ProtobufError(`invalid wire type ${wireType} at byte ${at}`);
    return { field, wireType: wireType as WireType };
  }

  /** Skips the value of a field whose tag was just read; groups are skipped whole. */
  skip(wireType: WireType, field = 0): void {
    this.skipValue(wireType, field, 0);
  }

  private skipValue(wireType: WireType, field: number, depth: number): void {
    switch (wireType) {
      case WireType.varint: this.varintParts(); return;
      case WireType.fixed64: this.need(8, 'fixed64'); this.pos += 8; return;
      case WireType.fixed32: this.need(4, 'fixed32'); this.pos += 4; return;
      case WireType.lengthDelimited: this.bytes(); return;
      case WireType.startGroup: {
        if (depth >= maxGroupDepth) throw new ProtobufError(`groups nested deeper than ${maxGroupDepth} at byte ${this.pos}`);
        for (;;) {
          if (this.done) throw new ProtobufError(`group ${field} is not closed`);
          const t = this.tag();
          if (t.wireType === WireType.endGroup) {
            if (t.field !== field) throw new ProtobufError(`group ${field} closed by end-group ${t.field}`);
            return;
          }
          this.skipValue(t.wireType, t.field, depth + 1);
        }
      }
      case WireType.endGroup: throw new ProtobufError(`unexpected end-group ${field} at byte ${this.pos}`);
    }
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw new ProtobufError(`truncated ${what} at byte ${this.pos}`);
  }
}
