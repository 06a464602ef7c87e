// Opens the database named by a URL (sqlite:<path> or postgres://…) as a Kysely instance,
// with the driver quirks normalised here: pg int8 → number, SQLite WAL + foreign keys.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { registerDialect, type Dialect } from './dialect.js';
import type { DB } from './types.js';

export type { DB } from './types.js';
export type Database = Kysely<DB>;

export interface DatabaseHandle {
  db: Database;
  dialect: Dialect;
  /** The raw better-sqlite3 handle on SQLite (bulk paths use prepared statements directly). */
  sqlite: BetterSqlite3.Database | null;
  /** The pg pool on PostgreSQL (bulk paths use COPY or large multi-row inserts). */
  pgPool: pg.Pool | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL schema to use as search_path (tests use one schema per test file). */
  pgSchema?: string;
  poolSize?: number;
}

const int8Parser = (v: string): number => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : (v as unknown as number);
};

export function openDatabase(url: string, opts: OpenOptions = {}): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const types = {
      getTypeParser: (oid: number, format?: string) => {
        if (oid === 20) return int8Parser; // int8/bigint: ids and epoch-ms times fit in a double
        if (oid === 1700) return (v: string) => Number(v); // numeric (aggregates)
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        return (pg.types.getTypeParser as any)(oid, format);
      },
    };
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      types,
      // jit=off: PostgreSQL's JIT triggers on estimated cost, and segment queries (JSON filters plus
      // a correlated probe per contact) are estimated far above jit_above_cost while running in
      // well under a second; compiling them cost ~0.8 s of a 1.3 s count at 200k contacts
      // (docs/segments.md). Postlane's other queries are short OLTP statements JIT never helps.
      options: ['-c jit=off', opts.pgSchema ? `-c search_path=${opts.pgSchema}` : ''].filter(Boolean).join(' '),
    });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    registerDialect(db as Kysely<unknown>, 'postgres');
    return { db, dialect: 'postgres', sqlite: null, pgPool: pool, close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  registerDialect(db as Kysely<unknown>, 'sqlite');
  return { db, dialect: 'sqlite', sqlite, pgPool: null, close: () => db.destroy() };
}
