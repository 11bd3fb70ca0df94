/**
 * Boots Warden: database, migrations, bootstrap state, the snapshot and its
 * refresh triggers, the app, the listening socket; and shuts it down
 * gracefully (stop accepting, finish requests in flight, close the pool).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { openDatabase, type Database } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/schema-engine.ts';
import { RevisionListener } from '../prisma/listener.ts';
import { SnapshotSource } from '../prisma/snapshot-source.ts';
import { createApp } from './app.ts';
import { hashToken } from './authn.ts';
import { createAuthorizer } from './authorizer.ts';
import { ensureAdminToken } from './bootstrap.ts';
import type { Config } from './config.ts';
import type { AppDeps } from './context.ts';

export interface WardenOptions {
  /** Listen on config.host:config.port (default true); tests drive the app directly instead. */
  listen?: boolean;
  log?: Logger;
  /** Delay before re-opening a dropped LISTEN connection. */
  listenReconnectMs?: number;
}

export interface Warden {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  server?: http.Server;
  url?: string;
  listener?: RevisionListener;
  adminToken?: string;
  close(): Promise<void>;
}

export async function startWarden(config: Readonly<Config>, opts: WardenOptions = {}): Promise<Warden> {
  const log = opts.log ?? pino({ level: config.logLevel });
  const db: Database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  try {
    const applied = await applyMigrations(db.adapterFactory);
    if (applied.length) log.info({ applied }, 'applied database migrations');
    const adminToken = await ensureAdminToken(db, config.dataDir, log);
    const snapshots = new SnapshotSource(db.prisma, undefined, undefined, (err) => log.error({ err }, 'snapshot refresh failed; keeping the last good snapshot'));
    await snapshots.start(config.pollIntervalMs);
    let listener: RevisionListener | undefined;
    if (db.kind === 'postgres' && db.url) {
      listener = new RevisionListener(db.url, () => void snapshots.refresh(), opts.listenReconnectMs ?? 1000, (err) => log.warn({ err }, 'revision listener connection failed'));
      await listener.start();
    }
    const deps: AppDeps = {
      config, db, snapshots, log, authorizer: createAuthorizer(snapshots),
      adminTokenHash: config.adminToken ? hashToken(config.adminToken) : undefined,
    };
    const app = createApp(deps);
    const warden: Warden = {
      deps, app, listener, adminToken,
      async close() {
        if (warden.server) {
          const server = warden.server;
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs).unref();
          await closed;
          clearTimeout(timer);
        }
        await listener?.stop();
        snapshots.stop();
        await db.close();
      },
    };
    if (opts.listen !== false) {
      const server = http.createServer(app);
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      warden.server = server;
      warden.url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
      log.info({ url: warden.url, database: db.kind, revision: snapshots.current.revision }, 'warden is serving');
    }
    return warden;
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
