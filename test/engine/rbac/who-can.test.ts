import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareWhoCan, whoCan, type WhoCanQuestion } from '../../../engine/rbac/who-can.ts';
import { arrayView, clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, urlRule, user } from './builders.ts';

const view = arrayView([
  clusterRole('pod-reader', [rule('get,list', '', 'pods'), urlRule('get', '/metrics')]),
  clusterRole('admin', [rule('*', '*', '*')]),
  role('ns1', 'lister', [rule('list', '', 'pods')]),
  clusterRoleBinding('readers', 'ClusterRole/pod-reader', [group('dev'), user('ann')]),
  clusterRoleBinding('dangling', 'ClusterRole/gone', [user('ghost')]),
  clusterRoleBinding('masters-too', 'ClusterRole/admin', [group('system:masters')]),
  roleBinding('ns1', 'local', 'Role/lister', [sa('builder'), user('ann'), user('ann')]),
  roleBinding('ns1', 'reader-here', 'ClusterRole/pod-reader', [sa('deployer', 'ci')]),
  roleBinding('ns2', 'elsewhere', 'ClusterRole/pod-reader', [user('zed')]),
]);

const listPods = (namespace?: string): WhoCanQuestion => ({ resourceAttributes: { verb: 'list', resource: 'pods', ...(namespace ? { namespace } : {}) } });
const names = (r: ReturnType<typeof whoCan>) => (r.ok ? r.subjects.map((e) => `${e.subject.kind}:${e.subject.namespace ? e.subject.namespace + '/' : ''}${e.subject.name}`) : r);

test('system:masters first, then subjects in order of first appearance, each once', () => {
  const r = whoCan(view, listPods('ns1'), { revision: 1 });
  assert.deepEqual(names(r), ['Group:system:masters', 'Group:dev', 'User:ann', 'ServiceAccount:builder', 'ServiceAccount:ci/deployer']);
});

test('a subject carries every binding that grants it', () => {
  const r = whoCan(view, listPods('ns1'), { revision: 1 });
  assert.ok(r.ok);
  const ann = r.subjects.find((e) => e.subject.name === 'ann')!;
  assert.deepEqual(ann.grantedBy.map((b) => `${b.kind}:${b.namespace ?? ''}/${b.name}`), ['ClusterRoleBinding:/readers', 'RoleBinding:ns1/local']);
  const masters = r.subjects[0];
  assert.equal(masters.privileged, 'system:masters');
  assert.deepEqual(masters.grantedBy.map((b) => b.name), ['masters-too'], 'a binding naming system:masters is merged into its entry');
});

test('requests without a namespace, and every URL, see ClusterRoleBindings only', () => {
  assert.deepEqual(names(whoCan(view, listPods(), { revision: 1 })), ['Group:system:masters', 'Group:dev', 'User:ann']);
  assert.deepEqual(names(whoCan(view, { nonResourceAttributes: { verb: 'get', path: '/metrics' } }, { revision: 1 })),
    ['Group:system:masters', 'Group:dev', 'User:ann']);
  assert.deepEqual(names(whoCan(view, listPods('*'), { revision: 1 })), ['Group:system:masters', 'Group:dev', 'User:ann'],
    'namespace * is a literal name');
});

test('bindings to missing roles grant nothing and are reported', () => {
  const r = whoCan(view, listPods('ns1'), { revision: 1 });
  assert.ok(r.ok);
  assert.equal(r.evaluationError, 'clusterrole.rbac.authorization.k8s.io "gone" not found');
});

test('a configured super-user follows system:masters', () => {
  assert.deepEqual(names(whoCan(view, { resourceAttributes: { verb: 'delete', resource: 'nodes' } }, { revision: 1, superUser: 'root' })),
    ['Group:system:masters', 'User:root']);
});

test('pages are stable and a continue token only serves its own question and revision', () => {
  prepareWhoCan(view);
  const all = names(whoCan(view, listPods('ns1'), { revision: 5 }));
  const first = whoCan(view, listPods('ns1'), { revision: 5, limit: 2 });
  assert.ok(first.ok);
  assert.equal(first.remainingItemCount, 3);
  const second = whoCan(view, listPods('ns1'), { revision: 5, limit: 2, continue: first.continue });
  assert.ok(second.ok);
  const third = whoCan(view, listPods('ns1'), { revision: 5, limit: 2, continue: second.continue });
  assert.ok(third.ok);
  assert.equal(third.continue, undefined);
  assert.deepEqual([...names(first) as string[], ...names(second) as string[], ...names(third) as string[]], all);
  assert.deepEqual(third.subjects.map((e) => e.grantedBy.length), [1], 'grantedBy is complete on later pages');

  const other = whoCan(view, listPods('ns2'), { revision: 5, limit: 2, continue: first.continue });
  assert.equal(other.ok, false);
  assert.equal(!other.ok && other.problem, 'invalid-token');
  const stale = whoCan(view, listPods('ns1'), { revision: 6, limit: 2, continue: first.continue });
  assert.equal(!stale.ok && stale.problem, 'expired-token');
  const junk = whoCan(view, listPods('ns1'), { revision: 5, continue: 'not-a-token!' });
  assert.equal(!junk.ok && junk.message, 'invalid continue token: not an encoded token');
});
