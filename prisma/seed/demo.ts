/**
 * `npm run seed:demo`: stores the demo platform (demo-platform.ts) in a
 * running Warden through server-side apply, so running it again changes
 * nothing, then prints what it made and commands to try.
 *
 *   node --import tsx prisma/seed/demo.ts [--url URL] [--token TOKEN | --token-file FILE]
 *
 * The URL comes from --url, WARDEN_URL, or http://127.0.0.1:8080; the admin
 * token from --token, WARDEN_ADMIN_TOKEN, --token-file, or the file
 * `admin-token` in WARDEN_DATA_DIR (default ./.warden-data). Exits 1 with
 * Warden's message when a stage is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { demoStages, describeObject } from './demo-platform.ts';

export interface SeedOptions { url: string; token: string }

/** Options from the command line and the environment, as the header says; throws naming what is missing. */
export function seedOptions(argv: string[], env: Record<string, string | undefined>): SeedOptions {
  const { values } = parseArgs({ args: argv, options: { url: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' } } });
  const url = (values.url ?? env.WARDEN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  let token = values.token ?? env.WARDEN_ADMIN_TOKEN;
  if (!token) {
    const file = values['token-file'] ?? join(env.WARDEN_DATA_DIR || '.warden-data', 'admin-token');
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      throw new Error(`no admin token: pass --token, set WARDEN_ADMIN_TOKEN, or point --token-file at Warden's admin-token file (tried ${file})`);
    }
  }
  return { url, token };
}

/** Applies every stage in order; returns the applied objects. Throws with Warden's Status message when a stage is refused. */
export async function seedDemo(opts: SeedOptions): Promise<Record<string, unknown>[]> {
  const applied: Record<string, unknown>[] = [];
  for (const items of demoStages) {
    const res = await fetch(`${opts.url}/apis/warden.dev/v1/apply?fieldManager=warden-demo&force=true`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${opts.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    });
    const body = await res.json().catch(() => ({})) as { message?: string; items?: Record<string, unknown>[] };
    if (res.status !== 200) throw new Error(`Warden refused the demo objects (HTTP ${res.status}): ${body.message ?? 'no message'}`);
    applied.push(...(body.items ?? []));
  }
  return applied;
}

/** What was applied, and commands to try against the default address and data directory. */
function summary(url: string, applied: Record<string, unknown>[]): string {
  const httpsUrl = /^http:\/\/[^/]+:8080$/.test(url) ? url.replace(/^http:/, 'https:').replace(/:8080$/, ':8443') : '<the HTTPS address of Warden>';
  return [
    `Applied ${applied.length} objects to ${url}:`,
    ...applied.map((o) => `  ${describeObject(o)}`),
    '',
    'Tenant "shop" is owned by User alice and Group shop-admins; tenant "analytics" by User bob.',
    'Try (kubectl sends tokens only over TLS):',
    `  alias kw="kubectl --server=${httpsUrl} --certificate-authority=.warden-data/tls.crt --token=$(cat .warden-data/admin-token)"`,
    '  kw get tenants',
    '  kw --as alice get namespaces              # only shop-web and shop-payments',
    '  kw --as alice get roles,rolebindings -A   # only the shop namespaces',
    '  kw --as alice get roles -n analytics-etl  # Forbidden: another tenant',
    '  kw --as bob get rolebindings -n analytics-etl',
    `  curl -s ${url}/apis/tenancy.warden.dev/v1/tenants/shop -H "Authorization: Bearer $(cat .warden-data/admin-token)"`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const opts = seedOptions(process.argv.slice(2), process.env);
    console.log(summary(opts.url, await seedDemo(opts)));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
