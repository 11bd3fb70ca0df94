/** The review resources in discovery, as kube-apiserver lists authorization.k8s.io (create only). */
import { registerDiscovery } from '../discovery.ts';

const review = (name: string, kind: string, namespaced = false) => ({ name, singularName: '', namespaced, kind, verbs: ['create'] });

registerDiscovery('authorization.k8s.io', 'v1', [
  review('localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('subjectaccessreviews', 'SubjectAccessReview'),
]);
registerDiscovery('authorization.warden.dev', 'v1', [
  review('rbacchangereviews', 'RBACChangeReview'),
  review('resourceaccessreviews', 'ResourceAccessReview'),
  review('subjectaccessreviewbatches', 'SubjectAccessReviewBatch'),
  review('subjectrulesreviews', 'SubjectRulesReview'),
]);
