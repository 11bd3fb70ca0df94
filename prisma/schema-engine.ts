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
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

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

let wasmModule: Promise<object> | undefined;

async function loadEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory, schema: string): Promise<Engine> {
  const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = fileURLToPath(new URL('./schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm')));
  wasmModule ??= readFile(wasmPath).then((bytes) => wasm.compile(bytes));
  const instance = await wasm.instantiate(await wasmModule, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports as never);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  const logs: string[] = [];
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    (line: string) => logs.push(line),
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
  return engine as unknown as Engine;
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

/** Applies every migration not yet recorded in `_prisma_migrations`; returns the names applied. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const schema = await readFile(schemaPath, 'utf8');
  const engine = await loadEngine(adapterFactory, schema);
  try {
    const out = await engine.applyMigrations({ migrationsList: await migrationList(), filters: noFilters });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** The SQL script from the current migrations (or from nothing) to schema.prisma; empty when they agree. */
export async function diffScript(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const schema = await readFile(schemaPath, 'utf8');
  const engine = await loadEngine(adapterFactory, schema);
  try {
    const list = await migrationList();
    const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
    const out = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return out.stdout ?? '';
  } finally {
    engine.free();
  }
}
