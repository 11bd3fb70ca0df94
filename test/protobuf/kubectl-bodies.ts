/**
 * Request bodies kubectl 1.32 sent for its typed commands (captured with
 * `-v=10`), and the object each decodes to: for the generators, what the same
 * command prints with `--dry-run=client -o json`, less its null fields.
 */
export interface KubectlBody { command: string; body: string; json: Record<string, unknown> }

export const kubectlBodies: KubectlBody[] = [
  {
    command: 'kubectl create namespace payments2',
    body:
      '6b3873000a0f0a02763112094e616d65737061636512210a190a097061796d656e74733212001a0022002a0032003800' +
      '420012001a020a001a002200',
    json: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'payments2' }, spec: {}, status: {} },
  },
  {
    command: 'kubectl create serviceaccount deployer2 -n payments',
    body:
      '6b3873000a140a027631120e536572766963654163636f756e7412230a210a096465706c6f7965723212001a08706179' +
      '6d656e747322002a003200380042001a002200',
    json: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'deployer2', namespace: 'payments' } },
  },
  {
    command: 'kubectl create role reader2 --verb=get,list --resource=serviceaccounts --resource-name=a -n payments',
    body:
      '6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512440a1f0a07' +
      '7265616465723212001a087061796d656e747322002a0032003800420012210a036765740a046c69737412001a0f7365' +
      '72766963656163636f756e74732201611a002200',
    json: { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'reader2', namespace: 'payments' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['serviceaccounts'], resourceNames: ['a'] }] },
  },
  {
    command: 'kubectl create clusterrole monitoring2 --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true',
    body:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '6512530a1b0a0b6d6f6e69746f72696e673212001a0022002a003200380042001a340a320a300a28726261632e657861' +
      '6d706c652e636f6d2f6167677265676174652d746f2d6d6f6e69746f72696e671204747275651a002200',
    json: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'monitoring2' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }] } },
  },
  {
    command: 'kubectl create clusterrole logs2 --verb=get --non-resource-url=/logs/*',
    body:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '6512270a150a056c6f67733212001a0022002a00320038004200120e0a036765742a072f6c6f67732f2a1a002200',
    json: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'logs2' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }] },
  },
  {
    command: 'kubectl create rolebinding readers2 --role=reader --user=alice --group=devs --serviceaccount=payments:deployer -n payments',
    body:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e' +
      '6712cd010a200a08726561646572733212001a087061796d656e747322002a00320038004200122a0a04557365721219' +
      '726261632e617574686f72697a6174696f6e2e6b38732e696f1a05616c6963652200122a0a0547726f75701219726261' +
      '632e617574686f72697a6174696f6e2e6b38732e696f1a0464657673220012260a0e536572766963654163636f756e74' +
      '12001a086465706c6f79657222087061796d656e74731a290a19726261632e617574686f72697a6174696f6e2e6b3873' +
      '2e696f1204526f6c651a067265616465721a002200',
    json: { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'readers2', namespace: 'payments' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }, { kind: 'ServiceAccount', name: 'deployer', namespace: 'payments' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' } },
  },
  {
    command: 'kubectl create clusterrolebinding log-readers2 --clusterrole=logs --user=bob',
    body:
      '6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c' +
      '6542696e64696e6712780a1c0a0c6c6f672d726561646572733212001a0022002a0032003800420012280a0455736572' +
      '1219726261632e617574686f72697a6174696f6e2e6b38732e696f1a03626f6222001a2e0a19726261632e617574686f' +
      '72697a6174696f6e2e6b38732e696f120b436c7573746572526f6c651a046c6f67731a002200',
    json: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'log-readers2' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'logs' } },
  },
  {
    command: 'kubectl create quota compute2 --hard=pods=10,requests.cpu=500m --scopes=NotBestEffort -n payments',
    body:
      '6b3873000a130a027631120d5265736f7572636551756f7461125b0a200a08636f6d707574653212001a087061796d65' +
      '6e747322002a0032003800420012350a0c0a04706f647312040a0231300a160a0c72657175657374732e63707512060a' +
      '043530306d120d4e6f74426573744566666f72741a001a002200',
    json: { kind: 'ResourceQuota', apiVersion: 'v1', metadata: { name: 'compute2', namespace: 'payments' }, spec: { hard: { pods: '10', 'requests.cpu': '500m' }, scopes: ['NotBestEffort'] }, status: {} },
  },
  {
    command: 'kubectl auth can-i list serviceaccounts/token -n payments --as alice --as-group=devs',
    body:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577124e0a100a0012001a0022002a0032003800420012300a2e0a087061796d656e747312046c697374' +
      '1a0022002a0f736572766963656163636f756e747332003a05746f6b656e1a08080012001a0020001a002200',
    json: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { namespace: 'payments', verb: 'list', resource: 'serviceaccounts', name: 'token' } }, status: { allowed: false } },
  },
  {
    command: 'kubectl auth can-i get /logs/x --as bob',
    body:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577122e0a100a0012001a0022002a003200380042001210120e0a072f6c6f67732f7812036765741a08' +
      '080012001a0020001a002200',
    json: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { nonResourceAttributes: { path: '/logs/x', verb: 'get' } }, status: { allowed: false } },
  },
  {
    command: 'kubectl auth can-i --list -n payments --as alice',
    body:
      '6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c65' +
      '7352657669657712240a100a0012001a0022002a00320038004200120a0a087061796d656e74731a04180022001a0022' +
      '00',
    json: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'payments' }, status: { incomplete: false } },
  },
  {
    command: 'kubectl create token deployer --duration=10m --audience=api --audience=vault -n payments',
    body:
      '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e526571756573741229' +
      '0a100a0012001a0022002a00320038004200120f0a036170690a057661756c7420d8041a040a0012001a002200',
    json: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['api', 'vault'], expirationSeconds: 600 }, status: { token: '' } },
  },
  {
    command: 'kubectl auth whoami',
    body:
      '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a6563745265' +
      '76696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200',
    json: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: {} } },
  },
];
