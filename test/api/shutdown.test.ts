/** `npm start` stops on SIGTERM by its own handler, whenever the signal comes: exit 0 once up, exit 1 for a boot that cannot finish. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort, root } from '../support/process.ts';

const adminToken = 'shutdown-test-admin-token-0123';

/** `api/main.ts` in its own process with `env` over the test's; `exited` resolves to how it ended. */
function startMain(env: Record<string, string>, stdio: 'stdout' | 'stderr') {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: root,
    // DATABASE_URL unset unless given: the embedded database, whatever the test run's environment.
    env: { ...process.env, DATABASE_URL: '', HOST: '127.0.0.1', WARDEN_ADMIN_TOKEN: adminToken, ...env },
    stdio: stdio === 'stdout' ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited };
}

test('a SIGTERM that comes while Warden is still booting is kept, and Warden stops cleanly once it is up', { timeout: 60_000 }, async () => {
  const [port, tlsPort] = [await freePort(), await freePort()];
  const { child, exited } = startMain({ PORT: String(port), WARDEN_TLS_PORT: String(tlsPort), WARDEN_DATA_DIR: 'memory://', WARDEN_LOG_LEVEL: 'info' }, 'stdout');
  let out = '';
  const lines = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
  // The first log line is written during the boot (a fresh database is migrated), before the listeners open.
  const firstLine = new Promise<void>((r) => child.stdout!.on('data', (d: Buffer) => { out += d; if (out.includes('\n')) r(); }));
  try {
    await Promise.race([firstLine, exited]);
    assert.equal(lines()[0]?.msg, 'applied database migrations', 'the signal is sent mid-boot');
    child.kill('SIGTERM');
    const result = await exited;
    assert.deepEqual(result, { code: 0, signal: null }, 'exits by its own handler, not by the signal');
    const msgs = lines().map((l) => l.msg);
    assert.ok(msgs.indexOf('warden is serving') < msgs.indexOf('shutting down: no new connections, finishing requests in flight'), msgs.join(' | '));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('a SIGTERM to a serving Warden drains it and exits 0', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const { child, exited } = startMain({ PORT: String(port), WARDEN_TLS_PORT: 'off', WARDEN_DATA_DIR: 'memory://', WARDEN_LOG_LEVEL: 'info' }, 'stdout');
  let out = '';
  const serving = new Promise<void>((r) => child.stdout!.on('data', (d: Buffer) => { out += d; if (out.includes('warden is serving')) r(); }));
  try {
    await Promise.race([serving, exited]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.match(out, /shutting down/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('a SIGTERM during a boot that cannot finish (a database that never answers) ends the process after the shutdown timeout', { timeout: 60_000 }, async () => {
  // Accepts connections and never says a word.
  const held: net.Socket[] = [];
  let connected!: () => void;
  const reached = new Promise<void>((r) => { connected = r; });
  const silent = net.createServer((socket) => { held.push(socket); connected(); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const dbPort = (silent.address() as net.AddressInfo).port;
  const { child, exited } = startMain({ PORT: String(await freePort()), WARDEN_TLS_PORT: 'off', DATABASE_URL: `postgres://warden:warden@127.0.0.1:${dbPort}/warden`, WARDEN_SHUTDOWN_TIMEOUT_MS: '500' }, 'stderr');
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d; });
  try {
    await Promise.race([reached, exited]);
    assert.equal(child.exitCode, null, 'the boot is waiting on the database');
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const result = await exited;
    assert.deepEqual(result, { code: 1, signal: null }, err);
    assert.match(err, /SIGTERM came while starting, and the start did not finish within 500 ms; exiting/);
    assert.ok(Date.now() - sentAt < 10_000, 'ends near the timeout, not when the database gives up');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of held) s.destroy();
    silent.close();
  }
});
