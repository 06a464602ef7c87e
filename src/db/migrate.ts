// Runs the migration tree (idempotent; at every start and by `postlane migrate`) and makes
// sure the instance secret exists, so every process sharing the database shares it.
import { randomBytes } from 'node:crypto';
import { Migrator, sql, type MigrationResult } from 'kysely';
import { dialectOf } from './dialect.js';
import { AppError } from '../errors.js';
import type { Database } from './index.js';
import { migrations } from './migrations/index.js';

export async function runMigrations(db: Database): Promise<MigrationResult[]> {
  // Kysely looks for its migration tables in every schema it can see unless told which one;
  // with one schema per test (or per tenant install) it would find another schema's table and
  // skip creating its own. Pin it to the schema this connection works in.
  const migrationTableSchema = dialectOf(db) === 'postgres'
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
    : undefined;
  const migrator = new Migrator({
    db,
    migrationTableSchema,
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
