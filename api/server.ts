/**
 * Boots Warden: database, migrations, bootstrap state, the snapshot and its
 * refresh triggers, the app, the listening socket; and shuts it down
 * gracefully (stop accepting, finish requests in flight, close the pool).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { openDatabase, type Database } from '../prisma/database.ts';
import { applyMigrations, pendingMigrations } from '../prisma/schema-engine.ts';
import { RevisionListener } from '../prisma/listener.ts';
import { SnapshotSource } from '../prisma/snapshot-source.ts';
import { createApp } from './app.ts';
import { hashToken } from './authn.ts';
import { createAuthorizer } from './authorizer.ts';
import { ensureAdminToken, installBootstrapPolicy, materializeAggregation, systemActor } from './bootstrap.ts';
import { ensureSystemNamespaces, systemNamespaceObjects } from './resources/system-namespaces.ts';
import { loadPolicies } from './policies.ts';
import { tlsMaterial } from './tls.ts';
import { startTenancyReconciler, type Reconciler } from './tenancy/reconciler.ts';
import { decisionLogFor } from './audit/decision-log.ts';
import type { Config } from './config.ts';
import type { AppDeps } from './context.ts';
import { ServerMetrics } from './metrics.ts';
import { admissionSteps, discoveryGroups, writePolicy } from './composition.ts';
import { answerClientErrors, maxHeaderBytes } from './client-errors.ts';
import { WatchHub } from './watch/hub.ts';
import { namespaceOwnerRole } from '../engine/tenancy/managed.ts';
import type { KubeObject } from '../engine/meta.ts';

export interface WardenOptions {
  /** Listen on config.host:config.port (default true); tests drive the app directly instead. */
  listen?: boolean;
  log?: Logger;
  /**
   * An in-memory PGlite starts from this image of a data directory (from
   * `dumpDataDir`) instead of an empty one: tests start from a migrated
   * database without running initdb and migrations each time.
   */
  pgliteImage?: Blob;
  /** Delay before re-opening a dropped LISTEN connection. */
  listenReconnectMs?: number;
}

export interface Warden {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  server?: http.Server;
  url?: string;
  tlsServer?: https.Server;
  /** The HTTPS address (kubectl sends tokens only over TLS). */
  tlsUrl?: string;
  /** The certificate file the HTTPS listener presents, when it is kept on disk. */
  tlsCertFile?: string;
  listener?: RevisionListener;
  reconciler: Reconciler;
  adminToken?: string;
  /**
   * Stops: drains first (for `drainDelayMs`, /readyz answers 503 while
   * requests are still served, each answer closing its connection), then
   * stops accepting, lets requests in flight finish (cut after the shutdown
   * timeout), and closes the database.
   */
  close(drainDelayMs?: number): Promise<void>;
}

export async function startWarden(config: Readonly<Config>, opts: WardenOptions = {}): Promise<Warden> {
  const log = opts.log ?? pino({ level: config.logLevel });
  const db: Database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, pgliteImage: opts.pgliteImage });
  try {
    const pending = await pendingMigrations((sql) => db.prisma.$queryRawUnsafe(sql));
    if (pending.length) {
      const applied = await applyMigrations(db.adapterFactory);
      if (applied.length) log.info({ applied }, 'applied database migrations');
    }
    // The shared role of tenant owners is managed: installed with the bootstrap policy, kept by the reconciler.
    // So are kube-apiserver's system namespaces, created again at start when missing.
    await installBootstrapPolicy(db, [...(await loadPolicies()).bootstrap, namespaceOwnerRole() as unknown as KubeObject, ...systemNamespaceObjects()], log);
    await ensureSystemNamespaces(db.store, systemActor, log);
    await materializeAggregation(db.store, log);
    const adminToken = config.adminToken ? undefined : await ensureAdminToken(db, config.dataDir, log);
    const policy = await loadPolicies();
    const snapshots = new SnapshotSource(db.store, { casbinModel: policy.casbinModel }, (err) => log.error({ err }, 'snapshot refresh failed; keeping the last good snapshot'), { maxStalenessMs: config.maxStalenessMs });
    await snapshots.start(config.pollIntervalMs);
    let listener: RevisionListener | undefined;
    if (db.kind === 'postgres' && db.url) {
      listener = new RevisionListener(db.url, (revision) => snapshots.notified(revision), opts.listenReconnectMs ?? config.listenReconnectMs, (err) => log.warn({ err }, 'revision listener connection failed'));
      await listener.start();
    }
    const draining: AppDeps['draining'] = {};
    const metrics = new ServerMetrics(
      () => { const age = snapshots.health().ageMs; return age === undefined ? undefined : age / 1000; },
      () => snapshots.health().ready && draining.since === undefined,
      () => (snapshots.loaded ? snapshots.peekRbacMemo() : undefined),
    );
    const watches = new WatchHub(db.store, snapshots, {
      max: config.watchMax, maxPerUser: config.watchMaxPerUser, historyMs: config.watchHistoryMs,
      bookmarkIntervalMs: config.watchBookmarkIntervalMs, bufferBytes: config.watchBufferBytes,
    }, metrics.registry, (err) => log.warn({ err }, 'watch: reading the change history failed; retrying'));
    await watches.start();
    const deps: AppDeps = {
      config, db, store: db.store, snapshots, log, authorizer: createAuthorizer(snapshots), metrics, draining, watches,
      writes: writePolicy(), admission: admissionSteps(), discovery: discoveryGroups(),
      adminTokenHash: config.adminToken ? hashToken(config.adminToken) : undefined,
      decisions: decisionLogFor(config, db.store, log, metrics.registry),
    };
    deps.decisions!.start();
    const app = createApp(deps);
    const reconciler = startTenancyReconciler(db.store, snapshots, log, config.reconcileIntervalMs);
    const warden: Warden = {
      deps, app, listener, adminToken, reconciler,
      async close(drainDelayMs = 0) {
        app.drain();
        reconciler.stop();
        const listening = [warden.server, warden.tlsServer].some((x) => x?.listening);
        if (listening && drainDelayMs > 0) {
          log.info({ drainDelayMs }, 'draining: /readyz answers 503 and connections close after each answer');
          await new Promise((r) => setTimeout(r, drainDelayMs));
        }
        // Watches end cleanly (their clients watch again elsewhere) before the listeners wait for connections to close.
        watches.stop();
        await Promise.all([warden.server, warden.tlsServer].filter((x) => x !== undefined).map(async (server) => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs).unref();
          await closed;
          clearTimeout(timer);
        }));
        await listener?.stop();
        const unwritten = await deps.decisions?.stop(config.shutdownTimeoutMs);
        if (unwritten) log.warn({ unwritten }, 'decision log entries left unwritten at shutdown');
        snapshots.stop();
        await db.close();
      },
    };
    if (opts.listen !== false) {
      const listen = async (server: http.Server | https.Server, port: number) => {
        server.keepAliveTimeout = 65_000;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, config.host, () => resolve());
        });
        const addr = server.address() as AddressInfo;
        return `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
      };
      // The certificate first (creating one takes a moment): once /readyz answers, all is up.
      const tls = config.tlsPort !== undefined ? await tlsMaterial(config) : undefined;
      warden.server = http.createServer({ maxHeaderSize: maxHeaderBytes }, app);
      answerClientErrors(warden.server);
      warden.url = `http://${await listen(warden.server, config.port)}`;
      if (tls && config.tlsPort !== undefined) {
        warden.tlsServer = https.createServer({ cert: tls.cert, key: tls.key, maxHeaderSize: maxHeaderBytes }, app);
        answerClientErrors(warden.tlsServer);
        warden.tlsUrl = `https://${await listen(warden.tlsServer, config.tlsPort)}`;
        warden.tlsCertFile = tls.certFile;
      }
      log.info({ url: warden.url, tlsUrl: warden.tlsUrl, database: db.kind, revision: snapshots.revision }, 'warden is serving');
    }
    return warden;
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
