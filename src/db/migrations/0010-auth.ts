// Auth and audit additions: the login-failure ledger behind rate limiting (shared by every
// process through the database) and the audit-log index used by cursor pagination.
import { type Kysely } from 'kysely';
import { addIdColumn, dialectOf, timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);

  // One row per failed sign-in, keyed by scope ('ip' | 'email') and the key (IP, or the
  // sha256 of the lower-cased email so the table does not accumulate addresses).
  await addIdColumn(db.schema.createTable('login_failures').ifNotExists(), d)
    .addColumn('scope', 'varchar(10)', (c) => c.notNull())
    .addColumn('key', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  // Counting the failures of one key inside the window is a range scan on this index.
  await db.schema.createIndex('login_failures_key_idx').ifNotExists().on('login_failures').columns(['scope', 'key', 'created_at']).execute();
  // Pruning expired rows is a range scan on created_at.
  await db.schema.createIndex('login_failures_time_idx').ifNotExists().on('login_failures').column('created_at').execute();

  // The audit-log API pages newest-first by id inside one workspace (keyset on id).
  await db.schema.createIndex('audit_log_ws_id_idx').ifNotExists().on('audit_log').columns(['workspace_id', 'id']).execute();
}
