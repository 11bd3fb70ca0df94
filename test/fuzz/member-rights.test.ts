/**
 * The member check the fuzzer relies on says what Kubernetes RBAC says for
 * a user bound to `edit` in a-dev only: a table of requests and verdicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributesOf, memberVerdict, type Intent, type Verdict } from './member-rights.ts';

const intent = (method: string, template: string, params: Record<string, string | undefined> = {}, more: Partial<Intent> = {}): Intent =>
  ({ template, params, method, pathAltered: 'none', impersonation: 'none', ...more });

const cases: [string, Intent, Verdict][] = [
  ['list service accounts in its namespace', intent('GET', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: 'a-dev' }), 'allowed'],
  ['delete a network policy in its namespace', intent('DELETE', '/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}', { namespace: 'a-dev', name: 'x' }), 'allowed'],
  ['request a service account token in its namespace', intent('POST', '/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token', { namespace: 'a-dev', name: 'x' }), 'allowed'],
  ['read its namespace', intent('GET', '/api/v1/namespaces/{name}', { name: 'a-dev' }), 'allowed'],
  ['list service accounts across namespaces (narrowed)', intent('GET', '/api/v1/serviceaccounts'), 'allowed'],
  ['ask a self subject access review', intent('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), 'allowed'],
  ['read discovery', intent('GET', '/apis/{group}/{version}', { group: 'rbac.authorization.k8s.io', version: 'v1' }), 'allowed'],
  ['list service accounts in tenant B', intent('GET', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: 'b-dev' }), 'forbidden'],
  ['list service accounts in tenant A\'s other namespace', intent('GET', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: 'a-ops' }), 'forbidden'],
  ['create a Role in its namespace (edit has no RBAC)', intent('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles', { namespace: 'a-dev' }), 'forbidden'],
  ['raise its quota', intent('PATCH', '/api/v1/namespaces/{namespace}/resourcequotas/{name}', { namespace: 'a-dev', name: 'q' }), 'forbidden'],
  ['update its namespace', intent('PUT', '/api/v1/namespaces/{name}', { name: 'a-dev' }), 'forbidden'],
  ['list tokens', intent('GET', '/apis/iam.warden.dev/v1/tokens'), 'forbidden'],
  ['read another user\'s token', intent('GET', '/apis/iam.warden.dev/v1/tokens/{name}', { name: 'b-owner-token' }), 'forbidden'],
  ['write a ClusterRole', intent('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles'), 'forbidden'],
  ['ask a local subject access review (admin only)', intent('POST', '/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews', { namespace: 'a-dev' }), 'forbidden'],
  ['call the admission webhook', intent('POST', '/webhooks/admission'), 'forbidden'],
  ['read /metrics', intent('GET', '/metrics'), 'forbidden'],
  ['a namespace that does not decode', intent('GET', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: undefined }), 'forbidden'],
  ['list tokens by a case-altered path', intent('GET', '/apis/iam.warden.dev/v1/tokens', {}, { pathAltered: 'case', alteredTemplate: '/APIS/iam.warden.dev/v1/tokens' }), 'forbidden'],
  ['a case-altered version RBAC would allow (404 in Kubernetes)', intent('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {}, { pathAltered: 'case', alteredTemplate: '/apis/authorization.k8s.io/V1/selfsubjectaccessreviews' }), 'unknown'],
  ['a trailing slash on an allowed path', intent('GET', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: 'a-dev' }, { pathAltered: 'other' }), 'unknown'],
  ['impersonating a service account of its namespace', intent('GET', '/apis/iam.warden.dev/v1/tokens', {}, { impersonation: 'member-namespace-sa' }), 'unknown'],
  ['impersonating a user', intent('GET', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: 'a-dev' }, { impersonation: 'other' }), 'forbidden'],
  ['a probe (public)', intent('GET', '/readyz', {}, { impersonation: 'other' }), 'unknown'],
  ['a wrong method on an allowed path', intent('OPTIONS', '/api/v1/namespaces/{namespace}/serviceaccounts', { namespace: 'a-dev' }), 'forbidden'],
];

for (const [what, i, verdict] of cases) {
  test(`the member check: ${what} is ${verdict}`, () => {
    assert.equal(memberVerdict(i), verdict, JSON.stringify(attributesOf(i)));
  });
}

test('attributes follow kube-apiserver\'s RequestInfo: namespace of a namespace, subresources, deletecollection', () => {
  assert.deepEqual(attributesOf(intent('GET', '/api/v1/namespaces/{name}', { name: 'a-dev' })),
    { resourceRequest: true, verb: 'get', path: '/api/v1/namespaces/a-dev', apiGroup: '', namespace: 'a-dev', resource: 'namespaces', subresource: '', name: 'a-dev' });
  const status = attributesOf(intent('PUT', '/api/v1/namespaces/{namespace}/resourcequotas/{name}/status', { namespace: 'a-dev', name: 'q' }));
  assert.equal(`${status.resource}/${status.subresource} ${status.verb}`, 'resourcequotas/status update');
  assert.equal(attributesOf(intent('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles', { namespace: 'a-dev' })).verb, 'deletecollection');
  assert.equal(attributesOf(intent('GET', '/apis/{group}', { group: 'apps' })).resourceRequest, false);
});
