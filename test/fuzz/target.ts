/**
 * The Warden under test: a separate operating-system process (`node
 * api/main.ts`, through test/support/process.ts) on PGlite in memory, or,
 * when WARDEN_TEST_DATABASE_URL is set, on a fresh database of that
 * PostgreSQL server; seeded with the platform (platform.ts) through the API.
 *
 * Promises: `exited` is set the moment the process ends; `errorsFor(id)`
 * gives the error lines the process logged for a request id (its structured
 * log at level error); `restart()` replaces a dead (or live) process with a
 * fresh one on a fresh database and seeds it again; `stop()` ends the
 * process and drops every database it made.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startWardenProcess, type WardenProcess } from '../support/process.ts';
import { AdminClient, seed, type Secrets } from './platform.ts';

/** Every Warden process started here and still running: killed if this process exits first, so none outlives a run. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

interface Database {
  url: string;
  drop(): Promise<void>;
}

export class Target {
  proc!: WardenProcess;
  base!: URL;
  admin!: AdminClient;
  secrets!: Secrets;
  exited: string | undefined;
  starts = 0;
  readonly adminToken = `fuzz-admin-${randomBytes(16).toString('hex')}`;
  readonly #databases: Database[] = [];
  #errors = new Map<string, string[]>();
  #tail: string[] = [];
  #partial = '';

  static async start(): Promise<Target> {
    const t = new Target();
    await t.#boot();
    return t;
  }

  get backend(): string {
    return process.env.WARDEN_TEST_DATABASE_URL ? 'postgres' : 'pglite';
  }

  async #boot(): Promise<void> {
    const env: Record<string, string> = {
      WARDEN_ADMIN_TOKEN: this.adminToken,
      WARDEN_DATA_DIR: 'memory://',
      DATABASE_URL: '',
      WARDEN_LOG_LEVEL: 'error',
      // On a busy machine a slow request can delay the snapshot poll past the default 5 s, and Warden then
      // (rightly) answers 503 until it catches up: not what the fuzzer is after, so allow a minute.
      WARDEN_MAX_STALENESS: '60s',
    };
    if (process.env.WARDEN_TEST_DATABASE_URL) {
      const { createTestDatabase } = await import('../support/warden.ts');
      const db = await createTestDatabase();
      this.#databases.push(db);
      env.DATABASE_URL = db.url;
      env.WARDEN_DB_POOL_SIZE = '5';
    }
    this.exited = undefined;
    this.#errors = new Map();
    this.#tail = [];
    this.proc = await startWardenProcess(env, 120_000);
    this.starts++;
    const child = this.proc.child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.once('exit', (code, signal) => { this.exited = `exit code ${code}${signal ? `, signal ${signal}` : ''}`; });
    const take = (d: Buffer) => this.#take(d.toString('utf8'));
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.base = new URL(this.proc.url);
    this.admin = new AdminClient(this.base, this.adminToken);
    try {
      this.secrets = await seed(this.admin);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\nwarden's output:\n${this.tail()}`);
    }
  }

  #take(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      this.#tail.push(line);
      if (this.#tail.length > 200) this.#tail.shift();
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { level?: number; reqId?: string; msg?: string; err?: { type?: string; message?: string } };
        if (!entry.reqId || (entry.level ?? 0) < 50) continue;
        const what = (entry.err ? `${entry.err.type ?? 'Error'}: ${entry.err.message ?? ''}` : entry.msg ?? line).replace(/\s+/g, ' ').slice(0, 400);
        const list = this.#errors.get(entry.reqId) ?? [];
        list.push(what);
        this.#errors.set(entry.reqId, list);
      } catch { /* not a log line */ }
    }
  }

  /** The error lines logged for a request id (waits briefly for the pipe to deliver them). */
  async errorsFor(requestId: string | undefined): Promise<string[]> {
    if (!requestId) return [];
    await new Promise((r) => setTimeout(r, 30));
    return this.#errors.get(requestId) ?? [];
  }

  /** The last lines the process wrote, stack traces of a crash among them. */
  tail(lines = 30): string {
    return [...this.#tail, this.#partial].filter((l) => l.trim() !== '').slice(-lines).join('\n');
  }

  alive(): boolean {
    return this.exited === undefined && this.proc.child.exitCode === null;
  }

  async restart(): Promise<void> {
    if (this.alive()) await this.proc.stop();
    await this.#boot();
  }

  async stop(): Promise<void> {
    if (this.alive()) await this.proc.stop();
    for (const db of this.#databases.splice(0)) await db.drop().catch(() => {});
  }
}
