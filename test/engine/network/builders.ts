/** Tiny builders for NetworkPolicy tests: namespaces, pods, policies, states, decisions. */
import type { Labels, LabelSelector } from '../../../engine/meta.ts';
import { reviewTraffic } from '../../../engine/network/review.ts';
import type {
  ContainerPort, Endpoint, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
  NetworkPolicySpec, NetworkPolicyState, PodEndpoint, Protocol, WhatIf,
} from '../../../engine/network/types.ts';

export const labels = (l: Labels): LabelSelector => ({ matchLabels: l });

export function pod(namespace: string, name: string, podLabels: Labels = {}, extra: Partial<PodEndpoint> = {}): PodEndpoint {
  return { namespace, name, labels: podLabels, ...extra };
}

export const outside = (ip: string): Endpoint => ({ ip });

export function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

export const ingressFrom = (...from: NetworkPolicyPeer[]): NetworkPolicyIngressRule => ({ from });
export const egressTo = (...to: NetworkPolicyPeer[]): NetworkPolicyEgressRule => ({ to });

/** Namespaces carry kubernetes.io/metadata.name as the API server sets it. */
export function state(
  namespaces: Record<string, Labels>,
  policies: NetworkPolicy[],
  defaults?: Record<string, NetworkPolicy[]>,
): NetworkPolicyState {
  return {
    namespaces: new Map(Object.entries(namespaces).map(([n, l]) => [n, { 'kubernetes.io/metadata.name': n, ...l }])),
    policies,
    defaults: defaults ? new Map(Object.entries(defaults)) : undefined,
  };
}

/** [allowed, ingressAllowed, egressAllowed] */
export type Triple = [boolean, boolean, boolean];

export function decide(
  st: NetworkPolicyState,
  source: Endpoint,
  destination: Endpoint,
  port: number | string = 80,
  protocol?: Protocol,
  whatIf?: WhatIf,
): Triple {
  const r = reviewTraffic(st, { source, destination, port, protocol }, whatIf);
  return [r.allowed, r.ingress.allowed, r.egress.allowed];
}

export const ALLOW: Triple = [true, true, true];
export const DENY_IN: Triple = [false, false, true];
export const DENY_OUT: Triple = [false, true, false];
export const DENY_BOTH: Triple = [false, false, false];

export const tcp = (containerPort: number, name?: string): ContainerPort => ({ name, containerPort, protocol: 'TCP' });
export const udp = (containerPort: number, name?: string): ContainerPort => ({ name, containerPort, protocol: 'UDP' });
