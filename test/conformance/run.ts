/**
 * `npm run conformance -- <folder> [--server URL --token TOKEN]`
 *
 * Runs the conformance corpora found in <folder> (rbac/, quota/, netpol/)
 * against a running Warden through its HTTP API, and prints counts per file.
 * Without --server it starts a throwaway Warden (PGlite in memory). The
 * target's state is wiped between scenarios: do not point it at a Warden
 * whose data you keep. Exits 1 when any entry disagrees.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WardenClient, type Suite, type SuiteResult } from './client.ts';
import { suites } from './suites.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const folder = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !['--server', '--token'].includes(all[i - 1] ?? ''));
  if (!folder || !existsSync(folder)) {
    console.error('usage: npm run conformance -- <corpus folder> [--server URL --token TOKEN]');
    return 2;
  }
  let server = arg('--server');
  let token = arg('--token') ?? process.env.WARDEN_TOKEN;
  let stop: (() => Promise<void>) | undefined;
  if (!server) {
    const { loadConfig } = await import('../../api/config.ts');
    const { startWarden } = await import('../../api/server.ts');
    const pino = (await import('pino')).default;
    token = `conformance-${randomBytes(16).toString('hex')}`;
    const warden = await startWarden(loadConfig({
      WARDEN_DATA_DIR: 'memory://', WARDEN_ADMIN_TOKEN: token, PORT: '0', WARDEN_TLS_PORT: 'off', WARDEN_LOG_LEVEL: 'silent',
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    }), { log: pino({ level: 'silent' }) });
    server = warden.url!;
    stop = () => warden.close();
  }
  if (!token) {
    console.error('--token (or WARDEN_TOKEN) is required with --server');
    return 2;
  }
  const client = new WardenClient(server.replace(/\/$/, ''), token);
  const results: SuiteResult[] = [];
  try {
    for (const suite of suites as Suite[]) {
      if (!existsSync(path.join(folder, suite.file))) continue;
      const started = Date.now();
      const out = await suite.run(client, folder);
      for (const r of out) {
        results.push(r);
        const mark = r.passed === r.total ? 'ok  ' : 'FAIL';
        console.log(`${mark} ${r.file.padEnd(28)} ${String(r.passed).padStart(6)}/${String(r.total).padEnd(6)} ${r.unit} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        for (const f of r.failures.slice(0, 10)) console.log(`       - ${f}`);
        if (r.failures.length > 10) console.log(`       … and ${r.failures.length - 10} more`);
      }
    }
  } finally {
    await stop?.();
  }
  if (!results.length) {
    console.log(`no corpus files found under ${folder}`);
    return 0;
  }
  const failed = results.reduce((n, r) => n + (r.total - r.passed), 0);
  console.log(failed ? `${failed} disagreements` : 'every entry agrees');
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
