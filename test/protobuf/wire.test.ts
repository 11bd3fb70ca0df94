/**
 * The wire reader on hand-built byte sequences: varints of every width and
 * sign, fixed32/fixed64, length-delimited fields and sub-readers, tags, the
 * skipping of unknown fields (groups included), and the errors of truncated
 * or impossible input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufError, WireReader, WireType } from '../../api/protobuf/wire.ts';
import { hex, Writer } from './encoder.ts';

const reader = (bytes: Uint8Array | string) => new WireReader(typeof bytes === 'string' ? hex(bytes) : bytes);

test('varints decode at every width, as unsigned, int32, int64 and bool', () => {
  const cases: [string, number, number, number][] = [
    // bytes, uint, int32, int64
    ['00', 0, 0, 0],
    ['01', 1, 1, 1],
    ['7f', 127, 127, 127],
    ['ac02', 300, 300, 300],
    ['ffffffff0f', 4294967295, -1, 4294967295],
    ['8080808010', 2 ** 32, 0, 2 ** 32],
    ['ffffffffffffff0f', 2 ** 53 - 1, -1, 2 ** 53 - 1],
  ];
  for (const [bytes, uint, int32, int64] of cases) {
    assert.equal(reader(bytes).uint(), uint, bytes);
    assert.equal(reader(bytes).int32(), int32, bytes);
    assert.equal(reader(bytes).int64(), int64, bytes);
    assert.equal(reader(bytes).bool(), uint !== 0, bytes);
  }
});

test('negative numbers are ten-byte two\'s complement varints', () => {
  assert.equal(reader(new Writer().varint(-1).finish()).int32(), -1);
  assert.equal(reader(new Writer().varint(-1).finish()).int64(), -1);
  assert.equal(reader(new Writer().varint(-(2 ** 31)).finish()).int32(), -(2 ** 31));
  assert.equal(reader(new Writer().varint(-(2 ** 53) + 1).finish()).int64(), -(2 ** 53) + 1);
  assert.equal(new Writer().varint(-1).finish().length, 10);
  assert.deepEqual(reader('ffffffffffffffffff01').varintParts(), [0xffffffff, 0xffffffff]);
});

test('an int64 beyond what a JSON number holds exactly, or a length beyond 2^53, is refused', () => {
  assert.throws(() => reader(new Writer().varint(2n ** 53n).finish()).int64(), /int64 at byte 0 is outside the range/);
  assert.throws(() => reader(new Writer().varint(2n ** 60n).finish()).uint(), /varint at byte 0 is too large/);
});

test('a varint that ends early or runs past ten bytes is an error naming its offset', () => {
  assert.throws(() => reader('').uint(), (e: unknown) => e instanceof ProtobufError && e.message === 'truncated varint at byte 0');
  assert.throws(() => reader('8080').skip(WireType.varint), /truncated varint at byte 0/);
  const r = reader('01 8080');
  r.uint();
  assert.throws(() => r.uint(), /truncated varint at byte 1/);
  assert.throws(() => reader('ffffffffffffffffffff01').uint(), /varint longer than 10 bytes at byte 0/);
});

test('fixed32 and fixed64 are little-endian, and need all their bytes', () => {
  assert.equal(reader('78563412').fixed32(), 0x12345678);
  assert.equal(reader('ffffffff').fixed32(), 0xffffffff);
  assert.equal(reader('0807060504030201').fixed64(), 0x0102030405060708n);
  assert.equal(reader(new Writer().fixed64(-1n).finish()).fixed64(), 2n ** 64n - 1n);
  assert.throws(() => reader('010203').fixed32(), /truncated fixed32 at byte 0/);
  assert.throws(() => reader('01020304050607').skip(WireType.fixed64), /truncated fixed64 at byte 0/);
  assert.throws(() => reader('01020304050607').fixed64(), /truncated fixed64 at byte 0/);
});

test('length-delimited fields give their bytes and text, and a length past the end is an error', () => {
  assert.deepEqual([...reader('03616263').bytes()], [0x61, 0x62, 0x63]);
  assert.equal(reader(new Writer().string('ünïcode ✓').finish()).string(), 'ünïcode ✓');
  assert.equal(reader('00').string(), '');
  assert.equal(reader('02c328').string(), '\ufffd(', 'invalid UTF-8 becomes U+FFFD, as Go\'s JSON encoder writes it');
  assert.throws(() => reader('0561').bytes(), /length 5 at byte 0 runs past the end of the message/);
});

test('a sub-reader covers exactly one field, and its offsets count from the start of the buffer', () => {
  const r = reader('01 02 0a0b 07');
  r.uint();
  const sub = r.sub();
  assert.equal(sub.offset, 2);
  assert.equal(sub.uint(), 10);
  assert.equal(sub.uint(), 11);
  assert.equal(sub.done, true);
  assert.throws(() => sub.uint(), /truncated varint at byte 4/);
  assert.equal(r.uint(), 7);
  assert.equal(r.done, true);
});

test('a tag splits into field number and wire type; field 0 and wire types 6 and 7 are refused', () => {
  assert.deepEqual(reader('08').tag(), { field: 1, wireType: WireType.varint });
  assert.deepEqual(reader('1a').tag(), { field: 3, wireType: WireType.lengthDelimited });
  assert.deepEqual(reader('8d01').tag(), { field: 17, wireType: WireType.fixed32 });
  assert.deepEqual(reader(new Writer().tag(536870911, 1).finish()).tag(), { field: 536870911, wireType: WireType.fixed64 });
  assert.throws(() => reader('02').tag(), /field number 0 at byte 0/);
  assert.throws(() => reader('0e').tag(), /invalid wire type 6 at byte 0/);
  assert.throws(() => reader('0f').tag(), /invalid wire type 7 at byte 0/);
});

test('skipping passes over one value of each wire type, and a whole group with nested groups', () => {
  const bytes = new Writer()
    .tag(1, 0).varint(-5)
    .tag(2, 1).fixed64(9n)
    .tag(3, 2).string('skip me')
    .tag(4, 5).fixed32(1)
    .tag(5, 3).tag(1, 0).varint(1).tag(6, 3).tag(2, 2).string('x').tag(6, 4).tag(5, 4)
    .tag(7, 0).varint(42)
    .finish();
  const r = reader(bytes);
  for (let i = 0; i < 5; i++) {
    const t = r.tag();
    r.skip(t.wireType, t.field);
  }
  assert.deepEqual(r.tag(), { field: 7, wireType: WireType.varint });
  assert.equal(r.uint(), 42);
  assert.equal(r.done, true);
});

test('a group left open, closed by another number, or nested too deep is an error', () => {
  const open = reader(new Writer().tag(1, 0).varint(1).finish());
  assert.throws(() => open.skip(WireType.startGroup, 9), /group 9 is not closed/);
  assert.throws(() => reader(new Writer().tag(8, 4).finish()).skip(WireType.startGroup, 9), /group 9 closed by end-group 8/);
  assert.throws(() => reader('').skip(WireType.endGroup, 3), /unexpected end-group 3/);
  const deep = new Writer();
  for (let i = 0; i < 100; i++) deep.tag(1, 3);
  assert.throws(() => reader(deep.finish()).skip(WireType.startGroup, 1), /groups nested deeper than 64/);
});
