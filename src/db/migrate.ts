// Runs the migration tree (idempotent; at every start and by `postlane migrate`) and makes
// sure the instance secret exists, so every process sharing the database shares it.
import { randomBytes } from 'node:crypto';
import { Migrator, sql, type DatabaseIntrospector, type MigrationResult, type TableMetadata } from 'kysely';
import { dialectOf } from './dialect.js';
import { AppError } from '../errors.js';
import type { Database } from './index.js';
import { migrations } from './migrations/index.js';

export async function runMigrations(db: Database): Promise<MigrationResult[]> {
  // On PostgreSQL, pin Kysely's bookkeeping tables to the current schema: its existence check
  // looks at every schema, so another schema's kysely_migration_lock (parallel test runs, or
  // two installs in one database) would make it skip creating ours.
  const schema = dialectOf(db) === 'postgres'
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
    : undefined;
  const migrator = new Migrator({
    db: schema ? withSchemaIntrospection(db, schema) : db,
    migrationTableSchema: schema,
    provider: { getMigrations: async () => migrations },
    // Domains number their migrations in ranges; a branch may land one below an applied name.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new AppError('internal', `migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`);
  }
  await ensureInstanceSecret(db);
  return results ?? [];
}

/**
 * The database as the Migrator sees it on PostgreSQL: the same instance, except that its
 * introspection lists only the tables of `schema`. Kysely's own getTables() (which the Migrator
 * calls to find its bookkeeping tables) reads every schema in the database and calls
 * has_schema_privilege() and pg_get_serial_sequence() by name for each column; those look names
 * up in the current catalog, not the scan's snapshot, so a schema dropped by another process
 * during the scan (parallel test contexts tearing down, or another install) failed the whole
 * migration with `schema "<theirs>" does not exist`. This query only reads catalog rows.
 */
function withSchemaIntrospection(db: Database, schema: string): Database {
  const inner = db.introspection;
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string; kind: string }>`
      SELECT c.relname AS name, c.relkind AS kind
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'v', 'p')`.execute(db);
    return rows.map((r) => ({ name: r.name, schema, isView: r.kind === 'v', columns: [] }));
  };
  const introspection: DatabaseIntrospector = {
    getSchemas: () => inner.getSchemas(),
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      // Kysely keeps its state in private fields: run its methods and getters on the real instance.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function ensureInstanceSecret(db: Database): Promise<void> {
  await db
    .insertInto('instance')
    .values({ key: 'secret', value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** The secret that keys HMAC tokens and encryption at rest: config override, else the stored one. */
export async function loadInstanceSecret(db: Database, override: string | null): Promise<string> {
  if (override) return override;
  const row = await db.selectFrom('instance').select('value').where('key', '=', 'secret').executeTakeFirst();
  if (!row) throw new AppError('internal', 'instance secret missing: run `postlane migrate`');
  return row.value;
}
