/**
 * A real Warden for a test: its own fresh database (PGlite in memory, or a
 * new database on the Postgres server named by WARDEN_TEST_DATABASE_URL),
 * the real express app driven through supertest, and an admin token.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../api/config.ts';
import { startWarden, type Warden, type WardenOptions } from '../../api/server.ts';
import { cloneMigratedDatabase, pgliteImage } from './templates.ts';

export const testServerUrl = process.env.WARDEN_TEST_DATABASE_URL || undefined;
export const backend = testServerUrl ? 'postgres' : 'pglite';

export interface TestWarden {
  warden: Warden;
  http: supertest.Agent;
  adminToken: string;
  databaseUrl?: string;
  /** Authorization header value for the admin. */
  auth: string;
  close(): Promise<void>;
}

/** Creates an empty database on the test server and returns its URL. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testServerUrl) throw new Error('WARDEN_TEST_DATABASE_URL is not set');
  const name = `warden_test_${randomBytes(6).toString('hex')}`;
  const url = await cloneMigratedDatabase(testServerUrl, name);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: testServerUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface StartOptions extends WardenOptions {
  env?: Record<string, string>;
  /** Reuse an existing database URL (for two replicas on one server). */
  databaseUrl?: string;
  dataDir?: string;
}

export async function startTestWarden(opts: StartOptions = {}): Promise<TestWarden> {
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  let db: { url: string; drop(): Promise<void> } | undefined;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl && testServerUrl && !opts.dataDir) {
    db = await createTestDatabase();
    databaseUrl = db.url;
  }
  const config: Readonly<Config> = loadConfig({
    WARDEN_DATA_DIR: opts.dataDir ?? 'memory://',
    WARDEN_ADMIN_TOKEN: adminToken,
    WARDEN_POLL_INTERVAL_MS: '200',
    WARDEN_LOG_LEVEL: 'silent',
    PORT: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, WARDEN_DB_POOL_SIZE: '5' } : {}),
    ...opts.env,
  });
  const image = !databaseUrl && !opts.dataDir ? await pgliteImage() : undefined;
  const warden = await startWarden(config, { pgliteImage: image, listen: opts.listen ?? false, log: opts.log ?? pino({ level: 'silent' }), listenReconnectMs: opts.listenReconnectMs });
  const http = supertest.agent(warden.server ?? warden.app);
  return {
    warden,
    http,
    adminToken,
    databaseUrl,
    auth: `Bearer ${adminToken}`,
    async close() {
      await warden.close();
      if (db) await db.drop();
    },
  };
}
