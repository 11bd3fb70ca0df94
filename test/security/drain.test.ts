/**
 * Stopping drains: /readyz goes unready at once, requests are still served
 * during the drain delay and every answer (those in flight included) closes
 * its connection, requests in flight finish, and then the listener closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestWarden } from '../support/warden.ts';

function get(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<{ status: number; connection?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
    }).on('error', reject);
  });
}

test('a Warden closing with a drain delay answers unready, closes each connection after its answer, finishes what is in flight, then stops listening', { timeout: 30_000 }, async () => {
  const w = await startTestWarden({ listen: true, env: { WARDEN_TLS_PORT: 'off' } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const url = w.warden.url!;
  const auth = { Authorization: w.auth };
  try {
    const before = await get(agent, `${url}/readyz`);
    assert.equal(before.status, 200);
    assert.equal(before.connection, 'keep-alive');

    // In flight when the drain starts: waits for a revision that the write below makes.
    const revision = w.warden.deps.snapshots.revision;
    const waiting = get(agent, `${url}/api/v1/namespaces`, { ...auth, 'X-Warden-Min-Revision': String(revision + 1) });
    await new Promise((r) => setTimeout(r, 100));

    const closed = w.warden.close(1500);
    const ready = await get(agent, `${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(JSON.parse(ready.body).checks.shutdown, 'failed');
    assert.equal(ready.connection, 'close');

    const write = await new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      const req = http.request(`${url}/api/v1/namespaces`, { method: 'POST', agent, headers: { ...auth, 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'during-drain' } }));
    });
    assert.equal(write.status, 201, 'requests are still served while draining');
    assert.equal(write.connection, 'close');

    const inFlight = await waiting;
    assert.equal(inFlight.status, 200, 'the request in flight finished');
    assert.equal(inFlight.connection, 'close', 'and its answer closed its connection too');

    await closed;
    await assert.rejects(get(new http.Agent(), `${url}/livez`), /ECONNREFUSED/, 'after the drain the listener is closed');
  } finally {
    agent.destroy();
    await w.close().catch(() => {});
  }
});
