/**
 * Opens Warden's database: a PostgreSQL server when a URL is given, else
 * PGlite (PostgreSQL compiled to WebAssembly) persisted in a directory, or in
 * memory for `memory://`. Both are reached through Prisma driver adapters, so
 * the rest of the store does not know which one it has.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from './generated/client.ts';
import { registerAdapter, releaseAdapter } from './store/raw.ts';
import { prismaStore, type Store } from './store/store.ts';

export interface DatabaseOptions {
  /** A postgres:// URL; when absent, PGlite in `dataDir`. */
  url?: string;
  dataDir: string;
  /** Pool size for a server; PGlite has one connection. */
  poolSize?: number;
  /** For an in-memory PGlite: a data-directory image (`dumpDataDir`) to start from. */
  pgliteImage?: Blob;
}

export interface Database {
  kind: 'postgres' | 'pglite';
  /** What everything but migrations and tests reaches storage through. */
  store: Store;
  prisma: PrismaClient;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Server only: the pool the adapter uses (for LISTEN clients and health checks). */
  pool?: pg.Pool;
  /** PGlite only: the embedded database. */
  pglite?: PGlite;
  url?: string;
  close(): Promise<void>;
}

export function openDatabase(opts: DatabaseOptions): Database {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 20 });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    registerAdapter(prisma, adapterFactory);
    return {
      kind: 'postgres',
      store: prismaStore(prisma),
      prisma,
      adapterFactory,
      pool,
      url: opts.url,
      async close() {
        await releaseAdapter(prisma);
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  const inMemory = opts.dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = inMemory && opts.pgliteImage
    ? new PGlite({ loadDataDir: opts.pgliteImage })
    : new PGlite(inMemory ? 'memory://' : `${opts.dataDir}/pgdata`);
  const adapterFactory = new PrismaPGlite(pglite) as unknown as SqlMigrationAwareDriverAdapterFactory;
  const prisma = new PrismaClient({ adapter: adapterFactory as never });
  registerAdapter(prisma, adapterFactory);
  return {
    kind: 'pglite',
    store: prismaStore(prisma),
    prisma,
    adapterFactory,
    pglite,
    async close() {
      await releaseAdapter(prisma);
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
