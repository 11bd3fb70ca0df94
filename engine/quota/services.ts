/**
 * The service evaluator (pkg/quota/v1/evaluator/core/services.go).
 *
 * Handles CREATE and UPDATE (a type change changes usage). A service charges
 * `services` and `count/services` once; NodePort and LoadBalancer services
 * charge one `services.nodeports` per port, except that a LoadBalancer with
 * `allocateLoadBalancerNodePorts: false` charges only ports that name an
 * explicit nodePort; LoadBalancer services charge one
 * `services.loadbalancers`. No scope selects services.
 */
import { invalid, type FieldError } from '../validation/field-error.ts';
import { isValidPortNum } from '../validation/names.ts';
import { ObjectReader } from './object-reader.ts';
import { newQuantity } from './quantity.ts';
import type { ResourceList } from './resource-list.ts';
import { readMeta, readResult, matchesNoScope, type Evaluator, type ReadResult } from './evaluator.ts';

const serviceResources: ReadonlySet<string> = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

export const serviceEvaluator: Evaluator = {
  groupResource: { group: '', resource: 'services' },
  handles(operation) {
    return operation === 'CREATE' || operation === 'UPDATE';
  },
  matchingResources(names) {
    return names.filter((n) => serviceResources.has(n));
  },
  read(raw, path, validate, readQuantity): ReadResult {
    const r = new ObjectReader(readQuantity);
    const obj = r.object(raw, path || 'object');
    const sp = path ? `${path}.spec` : 'spec';
    const meta = readMeta(r, obj, path);
    const spec = r.field(obj, 'spec', path, r.object);
    const type = r.field(spec, 'type', sp, r.string) ?? '';
    const allocate = r.field(spec, 'allocateLoadBalancerNodePorts', sp, r.boolean);
    const ports = r.field(spec, 'ports', sp, r.array) ?? [];
    let explicitNodePorts = 0;
    const portErrors: FieldError[] = [];
    ports.forEach((raw, i) => {
      const p = `${sp}.ports[${i}]`;
      const port = r.element(raw, p);
      const number = r.field(port, 'port', p, r.integer) ?? 0;
      const nodePort = r.field(port, 'nodePort', p, r.integer);
      if (nodePort !== undefined && nodePort !== 0) explicitNodePorts++;
      for (const m of isValidPortNum(number)) portErrors.push(invalid(`${p}.port`, number, m));
    });
    if (obj === undefined && r.errors.length === 0) r.errors.push({ type: 'FieldValueRequired', field: path || 'object', detail: 'a Service is required' });
    // validateServicePort: each port, a null one decoded as port 0 included, is 1-65535. (That only
    // headless and ExternalName services may have no ports is left to the API server: a stored
    // service without ports is still charged as one.)
    if (obj !== undefined && validate !== undefined && r.errors.length === 0) r.errors.push(...portErrors);
    return readResult(r, {
      meta,
      usage(): ResourceList {
        let nodePorts = 0;
        let loadBalancers = 0;
        if (type === 'NodePort') nodePorts = ports.length;
        if (type === 'LoadBalancer') {
          nodePorts = allocate === false ? explicitNodePorts : ports.length;
          loadBalancers = 1;
        }
        return new Map([
          ['count/services', newQuantity(1)],
          ['services', newQuantity(1)],
          ['services.loadbalancers', newQuantity(loadBalancers)],
          ['services.nodeports', newQuantity(nodePorts)],
        ]);
      },
      matchesScope: matchesNoScope,
      constraints: () => undefined,
    });
  },
};
