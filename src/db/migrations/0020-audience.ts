// Audience: the consent ledger refuses UPDATEs at the database level (append-only even against
// a stray query), and PostgreSQL gets prefix-search indexes (LIKE 'x%' needs text_pattern_ops
// there; SQLite's range over the unique (workspace_id, email_lower) index is enough).
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Keyset pages and export batches walk one workspace's contacts in id order.
  await db.schema.createIndex('contacts_ws_id_idx').ifNotExists().on('contacts').columns(['workspace_id', 'id']).execute();
  if (dialectOf(db) === 'postgres') {
    await sql`CREATE OR REPLACE FUNCTION consent_ledger_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'consent_ledger is append-only'; END; $$ LANGUAGE plpgsql`.execute(db);
    await sql`DROP TRIGGER IF EXISTS consent_ledger_no_update ON consent_ledger`.execute(db);
    await sql`CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
      FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only()`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS contacts_ws_email_prefix_idx ON contacts (workspace_id, email_lower text_pattern_ops)`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS suppressions_ws_email_prefix_idx ON suppressions (workspace_id, email text_pattern_ops)`.execute(db);
  } else {
    await sql`CREATE TRIGGER IF NOT EXISTS consent_ledger_no_update BEFORE UPDATE ON consent_ledger
      BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only'); END`.execute(db);
  }
}
