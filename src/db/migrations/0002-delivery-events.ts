// Delivery and event tables: campaigns, the per-recipient ledger, links, fragments,
// sending domains, the capture outbox and the shared event model.
import { sql, type Kysely } from 'kysely';
import { addIdColumn, dialectOf, jsonType, timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  const json = jsonType(d);

  await addIdColumn(db.schema.createTable('campaigns').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('draft'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('from_email', 'varchar(320)', (c) => c.notNull())
    .addColumn('from_name', 'varchar(200)')
    .addColumn('reply_to', 'varchar(320)')
    .addColumn('html', 'text')
    .addColumn('text', 'text')
    .addColumn('mjml', 'text')
    .addColumn('list_ids', json, (c) => c.notNull().defaultTo(sql`'[]'`))
    .addColumn('segment_ids', json, (c) => c.notNull().defaultTo(sql`'[]'`))
    .addColumn('send_at', timeType)
    .addColumn('started_at', timeType)
    .addColumn('finished_at', timeType)
    .addColumn('paused_reason', 'text')
    .addColumn('parent_campaign_id', 'bigint')
    .addColumn('derived_kind', 'varchar(30)')
    .addColumn('track_opens', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('track_clicks', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('rate_limit', 'integer')
    .addColumn('settings', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaigns_ws_status_idx').ifNotExists().on('campaigns').columns(['workspace_id', 'status']).execute();

  // The ledger: one row per (campaign, contact) — the unique key makes double sends impossible.
  await addIdColumn(db.schema.createTable('deliveries').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('contact_id', 'bigint', (c) => c.notNull())
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('variant', 'varchar(20)')
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', timeType, (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(100)')
    .addColumn('lease_expires_at', timeType)
    .addColumn('route', 'varchar(100)')
    .addColumn('smtp_code', 'integer')
    .addColumn('smtp_response', 'text')
    .addColumn('message_id', 'varchar(300)')
    .addColumn('verp_token', 'varchar(100)')
    .addColumn('skip_reason', 'varchar(50)')
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .addColumn('sent_at', timeType)
    .execute();
  await db.schema.createIndex('deliveries_campaign_contact_uq').ifNotExists().on('deliveries').columns(['campaign_id', 'contact_id']).unique().execute();
  // Lease scan: due rows of one campaign in id order.
  await db.schema.createIndex('deliveries_due_idx').ifNotExists().on('deliveries').columns(['campaign_id', 'status', 'next_attempt_at', 'id']).execute();
  await db.schema.createIndex('deliveries_contact_idx').ifNotExists().on('deliveries').columns(['workspace_id', 'contact_id', 'status']).execute();
  await db.schema.createIndex('deliveries_verp_idx').ifNotExists().on('deliveries').column('verp_token').execute();
  await db.schema.createIndex('deliveries_message_id_idx').ifNotExists().on('deliveries').column('message_id').execute();

  await addIdColumn(db.schema.createTable('links').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('links_campaign_idx').ifNotExists().on('links').column('campaign_id').execute();

  await addIdColumn(db.schema.createTable('fragments').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('fragments_ws_name_version_uq').ifNotExists().on('fragments').columns(['workspace_id', 'name', 'version']).unique().execute();

  await addIdColumn(db.schema.createTable('sending_domains').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('domain', 'varchar(253)', (c) => c.notNull())
    .addColumn('selector', 'varchar(63)', (c) => c.notNull())
    .addColumn('algorithm', 'varchar(10)', (c) => c.notNull())
    .addColumn('private_key_enc', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('pending'))
    .addColumn('last_checked_at', timeType)
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sending_domains_uq').ifNotExists().on('sending_domains').columns(['workspace_id', 'domain', 'selector', 'algorithm']).unique().execute();

  await addIdColumn(db.schema.createTable('captured_messages').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('campaign_id', 'bigint')
    .addColumn('delivery_id', 'bigint')
    .addColumn('envelope_from', 'varchar(400)', (c) => c.notNull())
    .addColumn('envelope_to', 'varchar(400)', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('captured_messages_ws_idx').ifNotExists().on('captured_messages').columns(['workspace_id', 'id']).execute();

  await addIdColumn(db.schema.createTable('events').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('contact_id', 'bigint')
    .addColumn('anonymous_id', 'varchar(200)')
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('properties', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('occurred_at', timeType, (c) => c.notNull())
    .addColumn('received_at', timeType, (c) => c.notNull())
    .addColumn('idempotency_key', 'varchar(200)')
    .addColumn('source', 'varchar(20)', (c) => c.notNull())
    .addColumn('campaign_id', 'bigint')
    .execute();
  // Segment evaluation walks (workspace, contact, name, time); reports use rollups, not this table.
  await db.schema.createIndex('events_contact_name_time_idx').ifNotExists().on('events').columns(['workspace_id', 'contact_id', 'name', 'occurred_at']).execute();
  await db.schema.createIndex('events_ws_name_time_idx').ifNotExists().on('events').columns(['workspace_id', 'name', 'occurred_at']).execute();
  await db.schema.createIndex('events_anon_idx').ifNotExists().on('events').columns(['workspace_id', 'anonymous_id']).execute();
  await db.schema.createIndex('events_idem_uq').ifNotExists().on('events').columns(['workspace_id', 'idempotency_key']).unique().execute();
  await db.schema.createIndex('events_campaign_idx').ifNotExists().on('events').columns(['campaign_id', 'name']).execute();
}
