// Feedback events: one row per (notification, recipient). The unique dedupe key makes a
// notification delivered twice (SMTP retry, webhook redelivery, IMAP re-poll) change state once.
import type { Kysely } from 'kysely';
import { addIdColumn, dialectOf, timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await addIdColumn(db.schema.createTable('feedback_events').ifNotExists(), d)
    // Null when no ledger row matched: kept for operators, never acted on.
    .addColumn('workspace_id', 'bigint', (c) => c.references('workspaces.id').onDelete('cascade'))
    // sha256 of the raw message (SMTP/IMAP) or of the provider's event id (webhooks), plus the recipient.
    .addColumn('dedupe_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('source', 'varchar(30)', (c) => c.notNull()) // smtp|imap|ses|sendgrid|mailgun|postmark|api
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)')
    .addColumn('reason', 'varchar(30)', (c) => c.notNull())
    .addColumn('hard', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('action', 'varchar(20)')
    .addColumn('status', 'varchar(20)')
    .addColumn('reply_code', 'integer')
    .addColumn('diagnostic', 'text')
    .addColumn('feedback_type', 'varchar(40)')
    .addColumn('delivery_id', 'bigint')
    .addColumn('campaign_id', 'bigint')
    .addColumn('contact_id', 'bigint')
    .addColumn('occurred_at', timeType, (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('feedback_events_dedupe_uq').ifNotExists().on('feedback_events').column('dedupe_key').unique().execute();
  // Soft-bounce counting ("N within a window") and per-address history.
  await db.schema.createIndex('feedback_events_ws_email_time_idx').ifNotExists().on('feedback_events').columns(['workspace_id', 'email', 'occurred_at']).execute();
  // Circuit-breaker rates per campaign.
  await db.schema.createIndex('feedback_events_campaign_kind_idx').ifNotExists().on('feedback_events').columns(['campaign_id', 'kind', 'hard']).execute();
  await db.schema.createIndex('feedback_events_ws_time_idx').ifNotExists().on('feedback_events').columns(['workspace_id', 'occurred_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feedback_events').ifExists().execute();
}
