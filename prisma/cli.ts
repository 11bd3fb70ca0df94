/**
 * `npm run db:migrate`   apply pending migrations (DATABASE_URL, else PGlite in WARDEN_DATA_DIR)
 * `npm run db:diff NAME` write prisma/migrations/<timestamp>_NAME/migration.sql from schema.prisma
 * `npm run db:generate`  generate the Prisma client without Prisma's native engine
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { applyMigrations, diffScript, migrationsDir, schemaPath } from './schema-engine.ts';

const [command, name] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case 'generate': {
      // `prisma generate` needs no engine, but the CLI insists on a binary path before it starts.
      execFileSync('npx', ['prisma', 'generate', '--schema', schemaPath], {
        stdio: 'inherit',
        env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      });
      return;
    }
    case 'migrate': {
      const { openDatabase } = await import('./database.ts');
      const db = openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.WARDEN_DATA_DIR || './.warden-data' });
      try {
        const applied = await applyMigrations(db.adapterFactory);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
      return;
    }
    case 'diff': {
      if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: npm run db:diff <name> (lowercase letters, digits, _)');
      // The diff runs against a throwaway PGlite: it only needs a Postgres to compute SQL with.
      const factory = new PrismaPGlite(new PGlite('memory://')) as unknown as SqlMigrationAwareDriverAdapterFactory;
      const sql = await diffScript(factory);
      if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
        console.log('schema.prisma and the migrations agree: nothing to write');
        return;
      }
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const dir = path.join(migrationsDir, `${stamp}_${name}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'migration.sql'), sql);
      console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
      return;
    }
    default:
      throw new Error('usage: tsx prisma/cli.ts generate | migrate | diff <name>');
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
