import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, isStrictSubset, parseCIDR, parseIP } from '../../../engine/validation/ip.ts';

const block = (s: string) => {
  const b = parseCIDR(s);
  assert.ok(b, s);
  return b!;
};

test('addresses parse into their family; IPv4-mapped IPv6 is IPv4', () => {
  assert.deepEqual(parseIP('10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.deepEqual(parseIP('010.0.0.001'), { family: 4, value: 0x0a000001n }, 'leading zeros read as decimal');
  assert.deepEqual(parseIP('::ffff:10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.deepEqual(parseIP('::1'), { family: 6, value: 1n });
  assert.deepEqual(parseIP('1::'), { family: 6, value: 1n << 112n });
  assert.deepEqual(parseIP('::10.0.0.1'), { family: 6, value: 0x0a000001n });
  assert.equal(parseIP('1:2:3:4:5:6:7:8::'), undefined, ':: must stand for at least one group');
  assert.deepEqual(parseIP('1:2:3:4:5:6:1.2.3.4'), parseIP('1:2:3:4:5:6:102:304'));
  assert.equal(parseIP('1:2:3:4:5:1.2.3.4'), undefined, 'an embedded IPv4 must fill the last 32 bits');
});

test('a CIDR keeps its network and both prefix lengths', () => {
  assert.deepEqual(parseCIDR('10.1.2.3/8'), { family: 4, network: 0x0a000000n, prefix: 8, writtenPrefix: 8 });
  assert.deepEqual(parseCIDR('::ffff:10.0.0.0/104'), { family: 4, network: 0x0a000000n, prefix: 8, writtenPrefix: 104 });
  assert.equal(parseCIDR('::ffff:10.0.0.0/64')?.family, 6, 'a short prefix loses the mapping');
});

test('containment is per family and respects the prefix', () => {
  assert.equal(cidrContains(block('10.0.0.0/8'), parseIP('10.255.0.1')!), true);
  assert.equal(cidrContains(block('10.0.0.0/8'), parseIP('11.0.0.1')!), false);
  assert.equal(cidrContains(block('0.0.0.0/0'), parseIP('::1')!), false);
  assert.equal(cidrContains(block('::/0'), parseIP('10.0.0.1')!), false);
  assert.equal(cidrContains(block('2001:db8::/32'), parseIP('2001:db8:ffff::1')!), true);
});

test('an except block must nest strictly inside its cidr', () => {
  assert.equal(isStrictSubset(block('10.0.0.0/8'), block('10.1.0.0/16')), true);
  assert.equal(isStrictSubset(block('10.0.0.0/8'), block('10.0.0.0/8')), false);
  assert.equal(isStrictSubset(block('10.0.0.0/16'), block('10.0.0.0/8')), false);
  assert.equal(isStrictSubset(block('10.0.0.0/8'), block('11.0.0.0/16')), false);
  assert.equal(isStrictSubset(block('10.0.0.0/8'), block('2001:db8::/64')), false);
});
