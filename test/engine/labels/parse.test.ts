import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector, parseLabelSelector } from '../../../engine/labels/parse.ts';

function matcher(text: string) {
  const r = parseLabelSelector(text);
  if (!r.ok) throw new Error(`unexpected parse error for ${text}: ${r.message}`);
  return r.selector;
}

const web = { app: 'web', tier: 'front', replicas: '3' };
const db = { app: 'db', tier: 'back' };
const bare = {};

test('each operator matches as labels.Selector does', () => {
  const cases: Array<[string, boolean, boolean, boolean]> = [
    // selector, matches web, matches db, matches a pod without labels
    ['', true, true, true],
    ['app=web', true, false, false],
    ['app==web', true, false, false],
    ['app!=web', false, true, true],
    ['app in (web, db)', true, true, false],
    ['app notin (web)', false, true, true],
    ['replicas', true, false, false],
    ['!replicas', false, true, true],
    ['replicas>2', true, false, false],
    ['replicas<3', false, false, false],
    ['app=web,tier=front', true, false, false],
    ['app=web, tier=back', false, false, false],
    ['  app  =  web  ', true, false, false],
    ['app in (in, notin)', false, false, false],
  ];
  for (const [text, w, d, b] of cases) {
    const s = matcher(text);
    assert.deepEqual([s.matches(web), s.matches(db), s.matches(bare)], [w, d, b], text);
  }
});

test('empty values are legal: a=, in (), in (,x)', () => {
  assert.equal(matcher('app=').matches({ app: '' }), true);
  assert.equal(matcher('app in ()').matches({ app: '' }), true);
  assert.deepEqual(matcher('app in (,x)').requirements[0].values, ['', 'x']);
  assert.deepEqual(matcher('app in (x,,y)').requirements[0].values, ['', 'x', 'y']);
});

test('requirements are sorted by key and print canonically', () => {
  assert.equal(matcher('z=1, a in (y,x), !b, c').toString(), 'a in (x,y),!b,c,z=1');
});

test('syntax errors carry kube-apiserver wording', () => {
  const cases: Array<[string, string]> = [
    ['app in', "unable to parse requirement: found '' expected: '('"],
    ['app in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['app in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['app in (a,', "unable to parse requirement: found '', expected: ',', or identifier"],
    ['app in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['app=web tier', "found 'tier', expected: ',' or 'end of string'"],
    ['app=web,', "found '', expected: identifier after ','"],
    [',app', "found ',', expected: !, identifier, or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['app (x)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['app=(x)', "unable to parse requirement: found '(', expected: identifier"],
    ['!app=x', "found '=', expected: ',' or 'end of string'"],
    ['replicas>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ];
  for (const [text, message] of cases) assert.deepEqual(parseLabelSelector(text), { ok: false, message }, text);
});

test('invalid keys and values are reported with their field paths', () => {
  const key = parseLabelSelector('a@b=c');
  assert.equal(key.ok, false);
  assert.match(!key.ok ? key.message : '', /^unable to parse requirement: <nil>: Invalid value: "a@b": name part must consist of/);
  const value = parseLabelSelector('app=-x');
  assert.match(!value.ok ? value.message : '', /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-x": a valid label must be/);
  const both = parseLabelSelector('n>-1');
  assert.match(!both.ok ? both.message : '', /^unable to parse requirement: values\[0\]\[n\]: Invalid value: "-1": a valid label/);
});

test('field selectors support =, == and != on the named fields', () => {
  const r = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system', ['metadata.name', 'metadata.namespace']);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.selector.matches({ 'metadata.name': 'web', 'metadata.namespace': 'a' }), true);
  assert.equal(r.selector.matches({ 'metadata.name': 'web', 'metadata.namespace': 'kube-system' }), false);
  assert.equal(r.selector.matches({ 'metadata.name': 'db', 'metadata.namespace': 'a' }), false);
});

test('field selector errors read as kube-apiserver writes them', () => {
  assert.deepEqual(parseFieldSelector('metadata.name'), { ok: false, message: "invalid selector: 'metadata.name'; can't understand 'metadata.name'" });
  assert.deepEqual(parseFieldSelector('spec.x=1', ['metadata.name']), { ok: false, message: 'field label not supported: spec.x' });
  assert.deepEqual(parseFieldSelector('metadata.name=a\\qb'), { ok: false, message: 'invalid field selector: invalid escape sequence: \\q' });
  const escaped = parseFieldSelector('metadata.name=a\\,b');
  assert.ok(escaped.ok && escaped.selector.requirements[0].value === 'a,b');
});
