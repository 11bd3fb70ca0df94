/** The depth limit on request bodies: exactly where it starts, and safe on bodies nested far past it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxBodyDepth, nestsDeeperThan } from '../../api/body.ts';

/** A value `levels` objects and lists deep (a scalar inside counts for nothing). */
function deep(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

test('a body exactly at the limit passes; one level more does not', () => {
  assert.equal(maxBodyDepth, 64);
  assert.equal(nestsDeeperThan(deep(64), 64), false);
  assert.equal(nestsDeeperThan(deep(65), 64), true);
  assert.equal(nestsDeeperThan({ ok: deep(10), deep: [1, 'a', deep(64)] }, 64), true, 'found below a sibling that is within it');
  assert.equal(nestsDeeperThan({ ok: deep(10), fine: [1, 'a', deep(62)] }, 64), false);
});

test('scalars and empty containers are one level or none', () => {
  for (const v of [null, 0, 'a', true, undefined]) assert.equal(nestsDeeperThan(v, 0), false);
  assert.equal(nestsDeeperThan({}, 1), false);
  assert.equal(nestsDeeperThan([], 0), true);
});

test('a body nested a million levels deep is answered without exhausting the stack', () => {
  assert.equal(nestsDeeperThan(JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000)), 64), true);
  assert.equal(nestsDeeperThan(deep(1_000_000), 64), true);
});

test('only own keys count: an inherited enumerable property is not walked', () => {
  const proto = { inherited: deep(100) };
  const body = Object.create(proto) as Record<string, unknown>;
  body.own = deep(3);
  assert.equal(nestsDeeperThan(body, 64), false);
});
