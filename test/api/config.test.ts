/** Configuration is read once from the environment; a bad value stops the boot naming the variable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../api/config.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('defaults serve the embedded database on 127.0.0.1:8080 with HTTPS on 8443', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.tlsPort, 8443);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.dataDir, './.warden-data');
  assert.equal(c.bodyLimit, '1mb');
  assert.ok(Object.isFrozen(c));
});

test('each bad variable is named in the error', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres:\/\//],
    [{ WARDEN_ADMIN_TOKEN: 'short' }, /WARDEN_ADMIN_TOKEN: must be at least 16 characters/],
    [{ WARDEN_LOG_LEVEL: 'loud' }, /WARDEN_LOG_LEVEL/],
    [{ WARDEN_BODY_LIMIT: 'lots' }, /WARDEN_BODY_LIMIT/],
    [{ WARDEN_TLS_PORT: 'on' }, /WARDEN_TLS_PORT/],
    [{ WARDEN_TLS_CERT_FILE: '/x.crt' }, /WARDEN_TLS_CERT_FILE and WARDEN_TLS_KEY_FILE must be set together/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});

test('empty variables count as unset', () => {
  assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).port, 8080);
});

test('npm start refuses to boot on a bad variable, naming it, with exit code 2', async () => {
  const run = promisify(execFile);
  await assert.rejects(
    run(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: root, env: { ...process.env, PORT: 'nope', WARDEN_DATA_DIR: 'memory://' } }),
    (err: { code: number; stderr: string }) => err.code === 2 && /warden: invalid configuration: PORT/.test(err.stderr),
  );
});
