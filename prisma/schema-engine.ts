/**
 * Prisma's WebAssembly schema engine, so migrations never need Prisma's
 * native engine binary (which is downloaded from a host air-gapped clusters
 * cannot reach). `applyMigrations` keeps `_prisma_migrations` exactly as
 * `prisma migrate deploy` does; `diffScript` prints the SQL that takes the
 * migrations folder to schema.prisma, for writing the next migration.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
export const schemaPath = path.join(here, 'schema.prisma');
export const migrationsDir = path.join(here, 'migrations');

type Engine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

// Node provides WebAssembly at run time; @types/node does not declare it.
const wasm = (globalThis as unknown as { WebAssembly: {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
} }).WebAssembly;

type Bindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

/**
 * The wasm-bindgen glue keeps module-level state tied to one instance, so
 * the engine is instantiated once per process and every SchemaEngine is
 * created on it, one at a time.
 */
let bindings: Promise<Bindings> | undefined;
let queue: Promise<unknown> = Promise.resolve();
let lastPanic = '';

function instantiate(): Promise<Bindings> {
  bindings ??= (async () => {
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (m: string) => { lastPanic = m; } };
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = fileURLToPath(new URL('./schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm')));
    const module = await wasm.compile(await readFile(wasmPath));
    const instance = await wasm.instantiate(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports as never);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg;
  })();
  return bindings;
}

/**
 * The pg adapter runs a migration script as statements split at every `;`,
 * which cuts a function body apart. On a pg pool, a script is sent whole
 * instead, as one simple query: PostgreSQL runs its statements as one
 * transaction. (PGlite's adapter already runs scripts whole.)
 */
function scriptsWhole(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const whole = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const driver = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.();
    if (!(driver instanceof pg.Pool)) return adapter;
    return Object.assign(adapter, {
      async executeScript(script: string): Promise<void> {
        try {
          await driver.query(script);
        } catch (err) {
          // The adapter's own translation of the driver's error, which the engine expects.
          const translate = (adapter as { onError?: (e: unknown) => never }).onError;
          if (translate) translate.call(adapter, err);
          throw err;
        }
      },
    });
  };
  return Object.assign(Object.create(factory) as SqlMigrationAwareDriverAdapterFactory, {
    connect: async () => whole(await factory.connect()),
    connectToShadowDb: async () => whole(await factory.connectToShadowDb()),
  });
}

/** Runs `fn` with a fresh engine on the shared instance; calls are serialized. */
async function withEngine<T>(adapterFactory: SqlMigrationAwareDriverAdapterFactory, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const run = queue.then(async () => {
    const bg = await instantiate();
    const schema = await readFile(schemaPath, 'utf8');
    const logs: string[] = [];
    const engine = (await bg.SchemaEngine.new(
      { datamodels: [[schemaPath, schema]] },
      (line: string) => logs.push(line),
      bindMigrationAwareSqlAdapterFactory(scriptsWhole(adapterFactory)),
    )) as unknown as Engine;
    try {
      return await fn(engine);
    } catch (err) {
      if (lastPanic) (err as Error).message += ` (schema engine: ${lastPanic})`;
      throw err;
    } finally {
      engine.free();
    }
  });
  queue = run.catch(() => {});
  return run;
}

async function migrationList() {
  const entries = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(entries.map(async (dir) => {
      const file = path.join(migrationsDir, dir, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (err: Error) => ({ tag: 'error' as const, value: err.message }),
      );
      return { path: dir, migrationFile: { path: 'migration.sql', content } };
    })),
  };
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * The migrations in the folder that `_prisma_migrations` does not record as
 * finished; all of them when the table does not exist yet. Lets a start on
 * an up-to-date database skip loading the schema engine.
 */
export async function pendingMigrations(query: (sql: string) => Promise<{ migration_name: string }[]>): Promise<string[]> {
  const wanted = (await migrationList()).migrationDirectories.map((d) => d.path);
  let done: Set<string>;
  try {
    const rows = await query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    done = new Set(rows.map((r) => r.migration_name));
  } catch {
    return wanted;
  }
  return wanted.filter((m) => !done.has(m));
}

/** Applies every migration not yet recorded in `_prisma_migrations`; returns the names applied. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrationsList = await migrationList();
  return withEngine(adapterFactory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return out.appliedMigrationNames;
  });
}

/** The SQL script from the current migrations (or from nothing) to schema.prisma; empty when they agree. */
export async function diffScript(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const schema = await readFile(schemaPath, 'utf8');
  const list = await migrationList();
  return withEngine(adapterFactory, async (engine) => {
    const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
    const out = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return out.stdout ?? '';
  });
}
