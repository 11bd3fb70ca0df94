/**
 * Warden replicas as OS processes for the chaos tests, all with one admin
 * token; a replica still running when the test process ends is killed, so a
 * failed test leaves no process behind. Plus the request bodies the tests send.
 */
import { randomBytes } from 'node:crypto';
import { startWardenProcess, type WardenProcess } from '../support/process.ts';

export const adminToken = `chaos-admin-${randomBytes(12).toString('hex')}`;

const running = new Set<WardenProcess>();
let hooked = false;

/**
 * A replica on `databaseUrl`; `env` goes over the defaults: a fast poll, a
 * small pool, and no shutdown delay (a test that is about shutting down sets
 * its own).
 */
export async function startReplica(databaseUrl: string, env: Record<string, string> = {}): Promise<WardenProcess> {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => { for (const p of running) p.child.kill('SIGKILL'); });
  }
  const p = await startWardenProcess({
    DATABASE_URL: databaseUrl,
    WARDEN_ADMIN_TOKEN: adminToken,
    WARDEN_POLL_INTERVAL_MS: '200',
    WARDEN_LISTEN_RECONNECT_MS: '500',
    WARDEN_DB_POOL_SIZE: '5',
    WARDEN_SHUTDOWN_DELAY: '0s',
    ...env,
  });
  running.add(p);
  p.child.once('exit', () => running.delete(p));
  return p;
}

export const exited = (p: WardenProcess) => p.child.exitCode !== null || p.child.signalCode !== null;

/** SIGKILL; resolves once the process is gone. */
export function kill9(p: WardenProcess): Promise<void> {
  if (exited(p)) return Promise.resolve();
  return new Promise((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });
}

/** Stops every replica given that still runs: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(replicas: (WardenProcess | undefined)[], graceMs = 10_000): Promise<void> {
  await Promise.all(replicas.map(async (p) => {
    if (!p || exited(p)) return;
    const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
    await p.stop();
    clearTimeout(timer);
  }));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Milliseconds until `cond` holds, polling every `everyMs`; throws after `timeoutMs` naming `what`. */
export async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

const rbac = 'rbac.authorization.k8s.io';
export const rbacBase = `/apis/${rbac}/v1`;
export const sarPath = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
export const usersPath = '/apis/iam.warden.dev/v1/users';
export const tokensPath = '/apis/iam.warden.dev/v1/tokens';
export const applyPath = '/apis/warden.dev/v1/apply';

export const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
export const role = (name: string, ns: string) => ({
  apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name, namespace: ns },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
});
export const roleBinding = (name: string, ns: string, roleName: string, user: string) => ({
  apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name, namespace: ns },
  subjects: [{ kind: 'User', apiGroup: rbac, name: user }], roleRef: { apiGroup: rbac, kind: 'Role', name: roleName },
});
export const clusterRoleBinding = (name: string, clusterRole: string, user: string) => ({
  apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name },
  subjects: [{ kind: 'User', apiGroup: rbac, name: user }], roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: clusterRole },
});
export const viewBinding = (name: string, ns: string, user: string) => ({
  apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name, namespace: ns },
  subjects: [{ kind: 'User', apiGroup: rbac, name: user }], roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
});
export const user = (name: string) => ({ apiVersion: 'iam.warden.dev/v1', kind: 'User', metadata: { name }, spec: { groups: [] } });
export const token = (name: string, forUser: string) => ({ apiVersion: 'iam.warden.dev/v1', kind: 'Token', metadata: { name }, spec: { user: forUser } });

/** A SubjectAccessReview: may `user` `verb` pods in `ns`. Also the authorization webhook's body. */
export const sar = (forUser: string, ns: string, verb = 'get') => ({
  apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
  spec: { user: forUser, groups: ['system:authenticated'], resourceAttributes: { namespace: ns, verb, resource: 'pods' } },
});

/** An AdmissionReview of a pod created in `ns` by `byUser`. */
export const podAdmission = (uid: string, ns: string, byUser: string) => ({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: {
    uid, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
    name: uid, namespace: ns, operation: 'CREATE', userInfo: { username: byUser, groups: ['system:authenticated'] },
    object: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: ns },
      spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    },
    dryRun: false,
  },
});
