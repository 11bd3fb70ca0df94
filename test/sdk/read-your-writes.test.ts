/**
 * Read-your-writes across replicas: an SDK client that writes through one
 * replica and asks the other gets answers that include its writes, every
 * time (200 tries), because it sends the revision of its last write as the
 * minimum revision. Needs a PostgreSQL server (two replicas share it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Warden, type FetchLike } from '@warden/sdk';
import { backend, startTestWarden, type TestWarden } from '../support/warden.ts';
import { startWardenProcess, type WardenProcess } from '../support/process.ts';

const needsServer = backend === 'postgres' ? false : 'needs a PostgreSQL server (set WARDEN_TEST_DATABASE_URL)';

let a: TestWarden;
let b: WardenProcess;

before(async () => {
  if (needsServer) return;
  a = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1' } });
  // The other replica learns of writes by polling only (its LISTEN reconnect is a minute away once lost), and slowly.
  b = await startWardenProcess({ DATABASE_URL: a.databaseUrl!, WARDEN_ADMIN_TOKEN: a.adminToken, WARDEN_POLL_INTERVAL_MS: '1000' });
});

after(async () => {
  if (b) await b.stop();
  await a?.close();
});

/** Writes go to replica A, everything else to replica B. */
function splitFetch(aUrl: string, bUrl: string): FetchLike {
  return (input, init) => {
    const url = String(input);
    const review = /reviews(\?|$)|reviewbatches(\?|$)/.test(url);
    const method = init?.method ?? 'GET';
    const target = method === 'GET' || review ? url.replace(aUrl, bUrl) : url;
    return fetch(target, init);
  };
}

test('write on one replica, decide on the other: consistent over 200 tries', { skip: needsServer }, async () => {
  const warden = new Warden({ baseUrl: a.warden.url!, token: a.adminToken, fetch: splitFetch(a.warden.url!, b.url) });
  await warden.namespaces.create({ metadata: { name: 'ryw' } });
  for (let i = 0; i < 200; i++) {
    const user = `ryw-${i}`;
    await warden.roleBindings.create({ metadata: { name: user, namespace: 'ryw' }, subjects: [{ kind: 'User', name: user }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } });
    const d = await warden.can({ user, verb: 'list', resource: 'pods', namespace: 'ryw' });
    assert.equal(d.allowed, true, `try ${i}: the decision on the other replica includes the binding`);
    assert.ok(d.revision >= warden.revision);
    const read = await warden.roleBindings.get(user, { namespace: 'ryw' });
    assert.equal(read.metadata?.name, user);
  }
});

