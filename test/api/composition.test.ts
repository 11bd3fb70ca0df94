/**
 * What runs for a request is composed in api/composition.ts and handed to
 * each Warden through AppDeps: escalation prevention is among the write
 * checks and the webhook's steps, in every Warden started the normal way,
 * and dropping it would show here, not silently.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionSteps, discoveryGroups, writePolicy } from '../../api/composition.ts';
import { admitRbacWrite, escalationCheck } from '../../api/resources/escalation-check.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { api, ok } from './client.ts';
import { userWithToken, grant } from '../iam/support.ts';
import { clusterRoleBinding, rbacBase, roleRef } from './builders.ts';

let w: TestWarden;
before(async () => { w = await startTestWarden(); });
after(async () => { await w?.close(); });

test('escalation prevention is composed into the write checks and the webhook steps', () => {
  assert.ok(writePolicy().checks.includes(escalationCheck));
  assert.ok(admissionSteps().includes(admitRbacWrite));
  assert.ok(w.warden.deps.writes.checks.includes(escalationCheck), 'the Warden started here runs it');
  assert.ok(w.warden.deps.admission.includes(admitRbacWrite));
});

test('a Warden started the normal way refuses an escalating binding, through its API and its webhook', async () => {
  const admin = api(w);
  const token = await userWithToken(admin, 'binder');
  await grant(admin, { kind: 'User', name: 'binder' }, ['create'], ['clusterrolebindings'], ['rbac.authorization.k8s.io']);
  const crb = clusterRoleBinding('binder-root', roleRef('ClusterRole', 'cluster-admin'), [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'binder' }]);
  const r = await api(w, token).post(`${rbacBase}/clusterrolebindings`, crb);
  assert.equal(r.status, 403);
  assert.match(r.body.message, /attempting to grant RBAC permissions not currently held/);
  const review = ok(await w.http.post('/webhooks/admission').set('Authorization', w.auth).send({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: 'esc-1', operation: 'CREATE', name: 'binder-root', userInfo: { username: 'binder', groups: ['system:authenticated'] },
      kind: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' }, resource: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' },
      object: crb,
    },
  }));
  assert.equal(review.response.allowed, false);
  assert.equal(review.response.status.code, 403);
});

test('discovery lists the composed groups, reviews among them', () => {
  const groups = discoveryGroups().map((g) => `${g.group}/${g.version}`);
  assert.ok(groups.includes('authorization.k8s.io/v1') && groups.includes('audit.warden.dev/v1'), groups.join());
});
