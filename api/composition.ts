/**
 * What runs for a request beyond its route, assembled in this one place
 * and passed down through AppDeps: the checks every write passes (in
 * order), what a write brings with it and checks inside its transaction,
 * the validating webhook's steps, and the discovery entries of resources
 * that are not stored kinds. Nothing is switched on by importing a module.
 */
import { auditDiscovery } from './audit/routes.ts';
import type { DiscoveryGroup } from './discovery.ts';
import { iamDiscovery } from './iam/routes.ts';
import { mastersGroupCheck, tokenIssuanceCheck, userGroupsCheck } from './iam/write-checks.ts';
import { networkDiscovery } from './network/routes.ts';
import type { WriteCheck } from './resources/admission.ts';
import type { CommitGuard, OpExpander } from './resources/commit.ts';
import { admitRbacWrite, escalationCheck } from './resources/escalation-check.ts';
import { customResourceNamesExpander } from './resources/custom-resource-names.ts';
import { reviewsDiscovery } from './reviews/discovery.ts';
import { immortalNamespacesCheck } from './resources/system-namespaces.ts';
import { namespaceFinalization, terminatingNamespaceCheck } from './resources/namespace-lifecycle.ts';
import { managedObjectsCheck, namespaceLimitGuard, tenancyCheck, tenancyExpander } from './tenancy/checks.ts';
import type { AdmissionStep } from './webhooks/admission.ts';
import { admitNamespaceReview } from './webhooks/namespace-admission.ts';
import { admitNetworkPolicy } from './webhooks/network-policy-admission.ts';
import { admitQuota } from './webhooks/quota-admission.ts';

export interface WritePolicy {
  /** Run on every write after validation, in order; each may refuse. */
  checks: WriteCheck[];
  /** Add the writes that must land in the same transaction. */
  expanders: OpExpander[];
  /** Run inside the transaction, after the revision lock. */
  guards: CommitGuard[];
}

export function writePolicy(): WritePolicy {
  return {
    checks: [terminatingNamespaceCheck, mastersGroupCheck, userGroupsCheck, tokenIssuanceCheck, escalationCheck, managedObjectsCheck, tenancyCheck, immortalNamespacesCheck],
    // After the tenancy cascade, so the namespaces it deletes are finalized as a DELETE of them would be.
    expanders: [tenancyExpander, customResourceNamesExpander, namespaceFinalization],
    guards: [namespaceLimitGuard],
  };
}

/** The validating webhook's steps: those that change nothing first, then the one that charges. */
export function admissionSteps(): AdmissionStep[] {
  return [
    (_deps, _ctx, request) => admitNetworkPolicy(request),
    admitRbacWrite,
    admitNamespaceReview,
    (deps, ctx, request) => admitQuota(deps, ctx, request),
  ];
}

export function discoveryGroups(): DiscoveryGroup[] {
  return [auditDiscovery, networkDiscovery, ...reviewsDiscovery, iamDiscovery];
}
