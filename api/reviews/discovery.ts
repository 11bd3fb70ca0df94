/** The review resources in discovery, as kube-apiserver lists authentication.k8s.io and authorization.k8s.io (create only). */
import type { DiscoveryGroup } from '../discovery.ts';

const review = (name: string, kind: string, namespaced = false) => ({ name, singularName: '', namespaced, kind, verbs: ['create'] });

export const reviewsDiscovery: DiscoveryGroup[] = [
  {
    group: 'authentication.k8s.io', version: 'v1', resources: [
      review('selfsubjectreviews', 'SelfSubjectReview'),
      review('tokenreviews', 'TokenReview'),
    ],
  },
  {
    group: 'authorization.k8s.io', version: 'v1', resources: [
      review('localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
      review('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
      review('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
      review('subjectaccessreviews', 'SubjectAccessReview'),
    ],
  },
  {
    group: 'authorization.warden.dev', version: 'v1', resources: [
      review('rbacchangereviews', 'RBACChangeReview'),
      review('resourceaccessreviews', 'ResourceAccessReview'),
      review('riskreviews', 'RiskReview'),
      review('subjectaccessexplanations', 'SubjectAccessExplanation'),
      review('subjectaccessreviewbatches', 'SubjectAccessReviewBatch'),
      review('subjectrulesreviews', 'SubjectRulesReview'),
    ],
  },
];
