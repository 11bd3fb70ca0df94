/**
 * NetworkPolicy (networking.k8s.io/v1) as clients send it, and the shapes of
 * traffic questions and answers. Pure types.
 *
 * Optional fields are optional as in the API: a missing `policyTypes`,
 * `protocol`, `ports`, `from`/`to` or selector each has its Kubernetes
 * default meaning, applied by the engine, never written back.
 */
import type { LabelSelector, Labels, ObjectMeta } from '../meta.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type PolicyType = 'Ingress' | 'Egress';

export interface IPBlock {
  cidr: string;
  except?: string[] | null;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: IPBlock | null;
}

export interface NetworkPolicyPort {
  /** Defaults to TCP. */
  protocol?: Protocol | string | null;
  /** A number, or the name of a container port on the destination pod; missing = every port. */
  port?: number | string | null;
  /** With a numeric `port`: the last port of an inclusive range. */
  endPort?: number | null;
}

export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[] | null;
  from?: NetworkPolicyPeer[] | null;
}

export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[] | null;
  to?: NetworkPolicyPeer[] | null;
}

export interface NetworkPolicySpec {
  /** Missing means `{}`: every pod of the policy's namespace. */
  podSelector?: LabelSelector | null;
  ingress?: NetworkPolicyIngressRule[] | null;
  egress?: NetworkPolicyEgressRule[] | null;
  policyTypes?: Array<PolicyType | string> | null;
}

export interface NetworkPolicy {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: NetworkPolicySpec;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  /** Defaults to TCP. */
  protocol?: Protocol;
}

/** A pod: its namespace, labels and, when known, IP, name and container ports. */
export interface PodEndpoint {
  namespace: string;
  /** Optional; used only to describe the pod and to recognise a pod talking to itself. */
  name?: string;
  labels?: Labels;
  /** Needed for ipBlock peers to see the pod. */
  ip?: string;
  /** Needed for named ports. */
  ports?: ContainerPort[];
}

/** An address outside the cluster's pods. */
export interface ExternalEndpoint {
  ip: string;
  namespace?: undefined;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface PolicyRef {
  namespace: string;
  name: string;
}

/**
 * The NetworkPolicy part of a snapshot. `policies` may be a flat list (each
 * policy lives in its `metadata.namespace`) or already grouped by namespace.
 * `defaults` are a tenant's default policies, per namespace they apply to;
 * they act exactly as policies of that namespace and are flagged in answers.
 * Objects reachable from a state are treated as immutable.
 */
export interface NetworkPolicyState {
  namespaces: ReadonlyMap<string, Labels>;
  policies: readonly NetworkPolicy[] | ReadonlyMap<string, readonly NetworkPolicy[]>;
  defaults?: ReadonlyMap<string, readonly NetworkPolicy[]>;
}

/** A hypothetical change, applied to a copy of the state; nothing is written. */
export interface WhatIf {
  /** Added, or replacing the policy of the same namespace and name. */
  addPolicies?: NetworkPolicy[];
  /** Removes regular (not tenant default) policies. */
  removePolicies?: PolicyRef[];
}

export interface TrafficRequest {
  source: Endpoint;
  destination: Endpoint;
  /** A number, or the name of one of the destination pod's container ports. */
  port: number | string;
  /** Defaults to TCP, or to the protocol of the named container port. */
  protocol?: Protocol;
}

export interface PolicyVerdict {
  namespace: string;
  name: string;
  tenantDefault: boolean;
  /** True when at least one of this policy's rules for the direction allows the traffic. */
  allowed: boolean;
  /** Indexes into `spec.ingress` or `spec.egress` of every rule that allows it. */
  rules: number[];
}

export interface DirectionVerdict {
  allowed: boolean;
  /** True when some policy selects the pod for this direction. */
  isolated: boolean;
  /** The policies that select the pod for this direction, regular ones first. */
  policies: PolicyVerdict[];
}

export interface TrafficReview {
  allowed: boolean;
  /** One line naming the deciding policy and rule, or why nothing allowed it. */
  reason: string;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  /** The connection as evaluated: a named port resolved on the destination (`port` null when it cannot be). */
  connection: { port: number | null; protocol: Protocol; portName?: string };
  /** Set when source and destination are the same pod: always allowed; the plain rule evaluation is kept here. */
  samePod?: { ingressAllowed: boolean; egressAllowed: boolean };
}
