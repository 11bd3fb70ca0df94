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
import { ObjectReader } from './object-reader.ts';
import { newQuantity } from './quantity.ts';
import type { ResourceList } from './resource-list.ts';
import { readMeta, readResult, matchesNoScope, type Evaluator, type ReadResult } from './evaluator.ts';

const serviceResources = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

export const serviceEvaluator: Evaluator = {
  groupResource: { group: '', resource: 'services' },
  handles(operation) {
    return operation === 'CREATE' || operation === 'UPDATE';
  },
  matchingResources(names) {
    return names.filter((n) => serviceResources.has(n));
  },
  read(raw, path): ReadResult {
    const r = new ObjectReader();
    const obj = r.object(raw, path || 'object');
    const sp = path ? `${path}.spec` : 'spec';
    const meta = readMeta(r, obj, path);
    const spec = r.field(obj, 'spec', path, r.object);
    const type = r.field(spec, 'type', sp, r.string) ?? '';
    const allocate = r.field(spec, 'allocateLoadBalancerNodePorts', sp, r.boolean);
    const ports = r.field(spec, 'ports', sp, r.array) ?? [];
    let explicitNodePorts = 0;
    ports.forEach((raw, i) => {
      const p = `${sp}.ports[${i}]`;
      const port = r.object(raw, p);
      const nodePort = r.field(port, 'nodePort', p, r.integer);
      if (nodePort !== undefined && nodePort !== 0) explicitNodePorts++;
    });
    if (obj === undefined && r.errors.length === 0) r.errors.push({ type: 'FieldValueRequired', field: path || 'object', detail: 'a Service is required' });
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
