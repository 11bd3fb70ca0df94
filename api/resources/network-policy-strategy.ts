/**
 * NetworkPolicies, defaulted as kube-apiserver does (SetDefaults_NetworkPolicy):
 * a port without protocol is TCP; without policyTypes, Ingress, plus Egress
 * when egress rules are given. The defaults change no decision.
 */
import type { KubeObject } from '../../engine/meta.ts';
import type { NetworkPolicy } from '../../engine/network/types.ts';
import { validateNetworkPolicySpec, validateNetworkPolicyUpdate } from '../../engine/network/validation.ts';

type Rule = { ports?: { protocol?: string }[] };

function defaultPorts<T extends Rule>(rules: T[] | undefined): T[] | undefined {
  return rules?.map((r) => (r && Array.isArray(r.ports) ? { ...r, ports: r.ports.map((p) => (p && typeof p === 'object' && !p.protocol ? { ...p, protocol: 'TCP' } : p)) } : r));
}

export function prepareNetworkPolicy(o: KubeObject): KubeObject {
  const spec = { ...((o.spec ?? {}) as { ingress?: Rule[]; egress?: Rule[]; policyTypes?: string[]; podSelector?: object }) };
  if (spec.ingress) spec.ingress = defaultPorts(spec.ingress);
  if (spec.egress) spec.egress = defaultPorts(spec.egress);
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = spec.egress && spec.egress.length ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  return { ...o, spec };
}

export const validateNetworkPolicy = (o: KubeObject) => validateNetworkPolicySpec((o as unknown as NetworkPolicy).spec, 'spec');

export const validateNetworkPolicyChange = (next: KubeObject, prev: KubeObject) =>
  validateNetworkPolicyUpdate(next as unknown as NetworkPolicy, prev as unknown as NetworkPolicy, { requireResourceVersion: false })
    .filter((e) => !e.field.startsWith('metadata'));
