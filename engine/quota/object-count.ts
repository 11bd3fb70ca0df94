/**
 * The object-count evaluator (k8s.io/apiserver/pkg/quota/v1/generic
 * objectCountEvaluator) for every kind without a dedicated evaluator: CREATE
 * charges one `count/<resource>[.<group>]`, plus the legacy name for
 * configmaps, secrets, replicationcontrollers and resourcequotas. UPDATE,
 * DELETE and every scope leave it alone.
 */
import { ObjectReader } from './object-reader.ts';
import { newQuantity } from './quantity.ts';
import { objectCountName } from './resource-names.ts';
import { readMeta, readResult, matchesNoScope, type Evaluator, type GroupResource, type ReadResult } from './evaluator.ts';

/** Core resources whose count is also tracked under a pre-`count/` name (evaluator/core/registry.go). */
const legacyAliases: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

export function legacyAliasFor(gr: GroupResource): string | undefined {
  return gr.group === '' && Object.hasOwn(legacyAliases, gr.resource) ? legacyAliases[gr.resource] : undefined;
}

export function objectCountEvaluator(gr: GroupResource): Evaluator {
  const countName = objectCountName(gr.group, gr.resource);
  const alias = legacyAliasFor(gr);
  const names = alias ? [countName, alias] : [countName];
  return {
    groupResource: gr,
    handles(operation) {
      return operation === 'CREATE';
    },
    matchingResources(input) {
      return input.filter((n) => names.includes(n));
    },
    read(raw, path): ReadResult {
      const r = new ObjectReader();
      const obj = r.object(raw, path || 'object');
      const meta = readMeta(r, obj, path);
      if (obj === undefined && r.errors.length === 0) r.errors.push({ type: 'FieldValueRequired', field: path || 'object', detail: 'an object is required' });
      return readResult(r, {
        meta,
        usage: () => new Map(names.map((n) => [n, newQuantity(1)])),
        matchesScope: matchesNoScope,
        constraints: () => undefined,
      });
    },
  };
}
