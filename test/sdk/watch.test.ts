/**
 * Resource clients' watch against a real Warden: ADDED, MODIFIED and
 * DELETED as writes happen; resuming after a resourceVersion; and after a
 * 410 Expired (a resourceVersion older than the watch history), a relist
 * whose differences are emitted before watching on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Warden, type WatchEvent } from '@warden/sdk';
import { startTestWarden, type TestWarden } from '../support/warden.ts';

let w: TestWarden;
let warden: Warden;

before(async () => {
  w = await startTestWarden({ listen: true, env: { PORT: '0', WARDEN_TLS_PORT: 'off', HOST: '127.0.0.1', WARDEN_WATCH_HISTORY: '1s' } });
  warden = new Warden({ baseUrl: w.warden.url!, token: w.adminToken });
  await warden.namespaces.create({ metadata: { name: 'watched' } });
});
after(async () => { await w?.close(); });

const role = (name: string, verbs = ['get']) => ({ metadata: { name, namespace: 'watched' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs }] });

/** Takes `n` events (bookmarks aside) from a watch, then stops it. */
async function take<T>(events: AsyncGenerator<WatchEvent<T>>, n: number, during?: () => Promise<unknown>): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = [];
  const writes = during?.();
  for await (const e of events) {
    if (e.type === 'BOOKMARK') continue;
    out.push(e);
    if (out.length === n) break;
  }
  await writes;
  return out;
}

const summary = (events: WatchEvent<{ metadata?: { name?: string } }>[]) => events.map((e) => `${e.type} ${e.object.metadata?.name}`);

test('a watch from a list sees each write once, in order', async () => {
  const start = await warden.roles.page({ namespace: 'watched' });
  const ac = new AbortController();
  const events = warden.roles.watch({ namespace: 'watched', resourceVersion: start.resourceVersion, signal: ac.signal });
  const got = await take(events, 3, async () => {
    await warden.roles.create(role('w1'));
    await warden.roles.patch('w1', { metadata: { labels: { a: 'b' } } }, { namespace: 'watched' });
    await warden.roles.delete('w1', { namespace: 'watched' });
  });
  assert.deepEqual(summary(got), ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
});

test('without a resourceVersion the watch first sends what exists as ADDED', async () => {
  await warden.roles.create(role('existing'));
  const got = await take(warden.roles.watch({ namespace: 'watched' }), 1);
  assert.deepEqual(summary(got), ['ADDED existing']);
});

test('after 410 Expired the watch relists, emits what changed, and watches on', async () => {
  const old = await warden.roles.create(role('gone-soon'));
  await warden.roles.create(role('stays'));
  await warden.roles.delete('gone-soon', { namespace: 'watched' });
  await new Promise((r) => setTimeout(r, 1500));
  // Resuming from a resourceVersion older than the history: the server answers 410, the SDK relists.
  const got = await take(warden.roles.watch({ namespace: 'watched', resourceVersion: old.metadata!.resourceVersion }), 3, async () => {
    await new Promise((r) => setTimeout(r, 300));
    await warden.roles.create(role('after-relist'));
  });
  assert.deepEqual(summary(got).sort(), ['ADDED after-relist', 'ADDED existing', 'ADDED stays']);
});
