// Events and segments: saved segment definitions, the anonymous-id → contact map that identify
// writes, and the indexes segment evaluation relies on (see docs/segments.md "Indexes").
import { sql, type Kysely } from 'kysely';
import { addIdColumn, dialectOf, jsonType, timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);

  await addIdColumn(db.schema.createTable('segments').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('definition', jsonType(d), (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('segments_ws_name_uq').ifNotExists().on('segments').columns(['workspace_id', 'name']).unique().execute();

  // identify() maps a device/browser id to a contact so later anonymous track calls are attributed.
  await db.schema.createTable('anonymous_ids').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('anonymous_id', 'varchar(200)', (c) => c.notNull())
    .addColumn('contact_id', 'bigint', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('anonymous_ids_pk', ['workspace_id', 'anonymous_id'])
    .execute();

  // Event conditions compile to `contact_id IN (SELECT contact_id FROM events WHERE workspace_id = ?
  // AND name = ? AND occurred_at >= ? GROUP BY contact_id …)`. With contact_id as the last column the
  // subquery is answered from the index alone (no table lookups for 10M rows); it supersedes
  // events_ws_name_time_idx from 0002, whose every use it also serves.
  await db.schema.createIndex('events_ws_name_time_contact_idx').ifNotExists().on('events')
    .columns(['workspace_id', 'name', 'occurred_at', 'contact_id']).execute();
  await db.schema.dropIndex('events_ws_name_time_idx').ifExists().execute();

  // email_domain conditions: the compiled expression matches this expression index exactly.
  const domainExpr = d === 'postgres' ? sql`split_part(email_lower, '@', 2)` : sql`substr(email_lower, instr(email_lower, '@') + 1)`;
  await sql`CREATE INDEX IF NOT EXISTS contacts_ws_email_domain_idx ON contacts (workspace_id, (${domainExpr}))`.execute(db);
}
