/**
 * A private PostgreSQL cluster for one test file, made and controlled with
 * Debian's postgresql-common tools (pg_createcluster, pg_ctlcluster,
 * pg_dropcluster), so a test may stop, kill and restart its database without
 * touching any server others use.
 *
 * The cluster is named `warden-chaos-<tag>-<pid>`, listens on localhost on a
 * free port, and holds a superuser role and a database, both `warden`, for
 * Warden. It is dropped by `drop()`, and otherwise when the test process
 * exits or is ended by a signal. Clusters left behind by test processes that
 * no longer run are dropped by the next `createCluster`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../support/process.ts';

const run = promisify(execFile);
const installRoot = '/usr/lib/postgresql';
const socketDir = '/var/run/postgresql';
const namePattern = /^warden-chaos-[a-z0-9]+-(\d+)$/;

export interface Cluster {
  version: string;
  name: string;
  port: number;
  dataDir: string;
  /** Warden's connection URL (user and database `warden`, over TCP). */
  url: string;
  /** The same URL with another port: a proxy in front of the cluster. */
  urlOnPort(port: number): string;
  start(): Promise<void>;
  /** `pg_ctlcluster stop -m <mode>`; `fast` ends every session at once. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** SIGKILL to the postmaster; its backends end on noticing it gone. `start()` recovers. */
  kill(): Promise<void>;
  /** Stops and removes the cluster; safe to call more than once. */
  drop(): Promise<void>;
  /** Whether Warden's URL takes a connection now. */
  accepting(): Promise<boolean>;
  /** Runs SQL in Warden's database as the `postgres` superuser, over the Unix socket. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

/** The newest PostgreSQL installed under /usr/lib/postgresql, if any. */
export function postgresVersion(): string | undefined {
  if (!existsSync(installRoot)) return undefined;
  return readdirSync(installRoot)
    .filter((v) => existsSync(path.join(installRoot, v, 'bin', 'postgres')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0];
}

/**
 * Why these tests do not run here (a test's `skip` value), or false. They
 * bring their own PostgreSQL whatever backend the suite runs on, so they
 * run in the embedded-database pass of the suite and are skipped when it
 * runs again against a server (WARDEN_TEST_DATABASE_URL), which would only
 * repeat them.
 */
export function clusterUnavailable(): string | false {
  if (process.env.WARDEN_TEST_DATABASE_URL) return 'the chaos tests bring their own PostgreSQL cluster and run in the suite\'s embedded-database pass, not again in the server pass';
  if (!onPath('pg_createcluster')) return 'pg_createcluster is not installed (Debian\'s postgresql-common): these tests need a private PostgreSQL cluster of their own';
  if (!postgresVersion()) return `no PostgreSQL server under ${installRoot}: these tests need a private PostgreSQL cluster of their own`;
  if (process.getuid?.() !== 0) return 'creating and controlling a private PostgreSQL cluster needs root';
  return false;
}

const live = new Map<string, { version: string; name: string }>();

function dropNow(version: string, name: string): void {
  spawnSync('pg_dropcluster', ['--stop', version, name], { stdio: 'ignore' });
}

function dropAllNow(): void {
  for (const c of live.values()) dropNow(c.version, c.name);
  live.clear();
}

let hooked = false;
function hookProcessEnd(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', dropAllNow);
  // Ended by a signal, the process exits (running every 'exit' hook) as the signal would have ended it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
  }
}

/** Whether `pid` names a running process (a zombie awaiting its parent's wait counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Drops chaos clusters whose creating process is gone. Another test file
 * may be creating or dropping its cluster at this moment, which makes
 * pg_lsclusters fail on that half-made cluster: the cleanup is then left
 * to a later run rather than failing this one.
 */
async function dropOrphans(): Promise<void> {
  let stdout: string;
  try {
    ({ stdout } = await run('pg_lsclusters', ['-h']));
  } catch {
    return;
  }
  for (const line of stdout.split('\n')) {
    const [version, name] = line.trim().split(/\s+/);
    const m = name ? namePattern.exec(name) : null;
    if (m && !alive(Number(m[1]))) await run('pg_dropcluster', ['--stop', version, name]).catch(() => {});
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates and starts a cluster named after `tag` (lowercase letters and
 * digits), with role and database `warden`.
 */
export async function createCluster(tag: string): Promise<Cluster> {
  if (!/^[a-z0-9]+$/.test(tag)) throw new Error(`cluster tag ${JSON.stringify(tag)}: lowercase letters and digits only`);
  const version = postgresVersion();
  if (!version) throw new Error(`no PostgreSQL server under ${installRoot}`);
  await dropOrphans();
  const name = `warden-chaos-${tag}-${process.pid}`;
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  hookProcessEnd();
  live.set(name, { version, name });
  try {
    await run('pg_createcluster', [
      version, name, '-p', String(port), '--start-conf=manual',
      // Durability against a crash of the machine is not under test; a crashed process loses nothing without fsync.
      '-o', 'fsync=off',
      '-o', 'max_connections=200',
      '--', '--auth-local=trust', '--auth-host=scram-sha-256',
    ]);
  } catch (err) {
    dropNow(version, name);
    live.delete(name);
    throw err;
  }
  const { stdout } = await run('pg_lsclusters', ['-h', version, name]);
  const dataDir = stdout.trim().split(/\s+/)[5];

  const query = async <R extends pg.QueryResultRow>(sql: string, params?: unknown[], database = 'warden') => {
    const c = new pg.Client({ host: socketDir, port, user: 'postgres', database });
    await c.connect();
    try {
      return await c.query<R>(sql, params);
    } finally {
      await c.end();
    }
  };

  let killed = false;
  const cluster: Cluster = {
    version, name, port, dataDir,
    url: `postgres://warden:${password}@127.0.0.1:${port}/warden`,
    urlOnPort: (p) => `postgres://warden:${password}@127.0.0.1:${p}/warden`,
    async start() {
      // After a kill, orphaned backends may hold the old shared memory for a moment.
      const deadline = Date.now() + (killed ? 15_000 : 0);
      for (;;) {
        try {
          await run('pg_ctlcluster', [version, name, 'start']);
          killed = false;
          return;
        } catch (err) {
          if (Date.now() >= deadline) throw err;
          await sleep(250);
        }
      }
    },
    async stop(mode = 'fast') {
      await run('pg_ctlcluster', [version, name, 'stop', '-m', mode]);
    },
    async kill() {
      const pidFile = path.join(dataDir, 'postmaster.pid');
      if (!existsSync(pidFile)) return;
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      killed = true;
      const deadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < deadline) await sleep(20);
    },
    async drop() {
      if (!live.has(name)) return;
      await run('pg_dropcluster', ['--stop', version, name]);
      live.delete(name);
    },
    async accepting() {
      const c = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 1000 });
      c.on('error', () => {});
      try {
        await c.connect();
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => {});
      }
    },
    query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => query<R>(sql, params),
  };
  try {
    await cluster.start();
    await query(`CREATE ROLE warden LOGIN SUPERUSER PASSWORD '${password}'`, [], 'postgres');
    await query('CREATE DATABASE warden OWNER warden', [], 'postgres');
  } catch (err) {
    await cluster.drop().catch(() => {});
    throw err;
  }
  return cluster;
}
