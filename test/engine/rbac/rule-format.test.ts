import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateErrorString, compactString, describeMissingRules, goQuoteList } from '../../../engine/rbac/rule-format.ts';
import { goQuote } from '../../../engine/validation/go-quote.ts';
import { rule, urlRule } from './builders.ts';

test('rules print as kube CompactString, fields in fixed order, empty ones left out', () => {
  assert.equal(compactString(rule('get', '', 'pods')), '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}');
  assert.equal(compactString(rule('get,list', 'apps', 'deployments', ['web'])),
    '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get" "list"]}');
  assert.equal(compactString(urlRule('get', '/healthz')), '{NonResourceURLs:["/healthz"], Verbs:["get"]}');
});

test('missing atoms that differ only by verb are merged, then printed sorted and once', () => {
  const atoms = [rule('list', '', 'pods'), rule('get', 'apps', 'deployments'), rule('get', '', 'pods'), rule('get', '', 'secrets', ['s'])];
  assert.deepEqual(describeMissingRules(atoms), [
    '{APIGroups:[""], Resources:["pods"], Verbs:["list" "get"]}',
    '{APIGroups:[""], Resources:["secrets"], ResourceNames:["s"], Verbs:["get"]}',
    '{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}',
  ]);
});

test('Go quoting: escapes quotes and control characters, lists are space separated', () => {
  assert.equal(goQuote('a"b\\c\n\x01'), '"a\\"b\\\\c\\n\\x01"');
  assert.equal(goQuote('naïve'), '"naïve"');
  assert.equal(goQuoteList(['system:authenticated', 'devs']), '["system:authenticated" "devs"]');
  assert.equal(goQuoteList(undefined), '[]');
});

test('aggregated errors read like utilerrors: one alone, several de-duplicated in brackets', () => {
  assert.equal(aggregateErrorString(['a']), 'a');
  assert.equal(aggregateErrorString(['a', 'b', 'a']), '[a, b]');
  assert.equal(aggregateErrorString(['a', 'a']), 'a');
});
