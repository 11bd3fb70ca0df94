import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../engine/validation/field-error.ts';
import { validateLabelSelector, validateLabels } from '../../../engine/validation/labels.ts';
import type { LabelSelector } from '../../../engine/meta.ts';

const messages = (selector: LabelSelector, opts = {}) =>
  validateLabelSelector(selector, 'spec.podSelector', opts).map(errorString);

test('a valid selector, an empty one and a missing one have no errors', () => {
  assert.deepEqual(messages({}), []);
  assert.deepEqual(messages({ matchLabels: { app: 'web', 'app.kubernetes.io/part-of': '' } }), []);
  assert.deepEqual(messages({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }, { key: 'x', operator: 'Exists' }] }), []);
  assert.deepEqual(validateLabelSelector(undefined, 'spec.podSelector'), []);
});

test('selector requirements report kube paths and wording', () => {
  const cases: Array<[LabelSelector, string[]]> = [
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] },
      ["spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] },
      ["spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Equals' as never, values: ['a'] }] },
      ['spec.podSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']],
  ];
  for (const [selector, want] of cases) assert.deepEqual(messages(selector), want);
});

test('matchExpressions values must be label values unless the old object already had bad ones', () => {
  const selector: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['ok', 'not ok'] }] };
  const errs = messages(selector);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec\.podSelector\.matchExpressions\[0\]\.values\[1\]: Invalid value: "not ok": a valid label must be/);
  assert.deepEqual(messages(selector, { allowInvalidLabelValueInSelector: true }), []);
});

test('bad label keys and values name the map, not the key', () => {
  const errs = validateLabels({ 'a@b': 'x', ok: '-bad' }, 'metadata.labels').map(errorString);
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^metadata\.labels: Invalid value: "a@b": name part must consist of/);
  assert.match(errs[1], /^metadata\.labels: Invalid value: "-bad": a valid label must be/);
  assert.match(messages({ matchLabels: { 'a/b/c': 'x' } })[0], /^spec\.podSelector\.matchLabels: Invalid value: "a\/b\/c": a qualified name/);
});
