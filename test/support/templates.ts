/**
 * Migrated, otherwise empty databases to start tests from, made once and
 * reused: a PGlite data-directory image cached in the temp folder, and a
 * template database on the PostgreSQL server. Both are keyed by a hash of
 * the migrations, so a new migration makes new ones. Creating each Warden
 * from them skips initdb and the schema engine, the bulk of a start.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { openDatabase } from '../../prisma/database.ts';
import { applyMigrations, migrationsDir } from '../../prisma/schema-engine.ts';

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const dir of readdirSync(migrationsDir).filter((d) => d !== 'migration_lock.toml').sort()) {
    h.update(dir);
    h.update(readFileSync(path.join(migrationsDir, dir, 'migration.sql')));
  }
  return h.digest('hex').slice(0, 16);
}

let image: Promise<Blob> | undefined;

/** A PGlite data-directory image with every migration applied. */
export function pgliteImage(): Promise<Blob> {
  image ??= (async () => {
    const file = path.join(os.tmpdir(), `warden-test-pglite-${migrationsHash()}.tar`);
    if (!existsSync(file)) {
      const db = new PGlite('memory://');
      await applyMigrations(new PrismaPGlite(db) as unknown as SqlMigrationAwareDriverAdapterFactory);
      const dump = await db.dumpDataDir('none');
      await db.close();
      // Written aside and renamed, so a concurrent test process never reads half a file.
      const tmp = `${file}.${process.pid}`;
      writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
      renameSync(tmp, file);
    }
    return new Blob([readFileSync(file)]);
  })();
  return image;
}

const lockKey = 72_707_370;

async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [lockKey]);
    return await fn(c);
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => {});
    await c.end();
  }
}

function urlFor(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates database `name` on the server as a copy of the migrated template
 * (making the template first if needed). Clones are serialized by an
 * advisory lock, since a template may not be copied while in use.
 */
export async function cloneMigratedDatabase(serverUrl: string, name: string): Promise<string> {
  const template = `warden_tpl_${migrationsHash()}`;
  return withAdmin(serverUrl, async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!exists.rowCount) {
      await c.query(`CREATE DATABASE ${template}`);
      const db = openDatabase({ url: urlFor(serverUrl, template), dataDir: 'memory://', poolSize: 2 });
      try {
        await applyMigrations(db.adapterFactory);
      } finally {
        await db.close();
      }
    }
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    return urlFor(serverUrl, name);
  });
}
