// Foundation tables: instance, workspaces, auth, audience, consent, suppression, audit, jobs.
import { sql, type Kysely } from 'kysely';
import { addIdColumn, dialectOf, jsonType, timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  const json = jsonType(d);

  await db.schema.createTable('instance').ifNotExists()
    .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await addIdColumn(db.schema.createTable('workspaces').ifNotExists(), d)
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('slug', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('postal_address', 'text')
    .addColumn('settings', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .execute();

  await addIdColumn(db.schema.createTable('users').ifNotExists(), d)
    .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(200)')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', timeType, (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('last_login_at', timeType)
    .execute();

  await db.schema.createTable('workspace_members').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_members_pk', ['workspace_id', 'user_id'])
    .execute();

  await db.schema.createTable('sessions').ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('expires_at', timeType, (c) => c.notNull())
    .addColumn('last_seen_at', timeType, (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').ifNotExists().on('sessions').column('user_id').execute();

  await addIdColumn(db.schema.createTable('api_keys').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('prefix', 'varchar(32)', (c) => c.notNull())
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_by', 'bigint')
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('last_used_at', timeType)
    .addColumn('revoked_at', timeType)
    .execute();

  await addIdColumn(db.schema.createTable('contacts').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('email_lower', 'varchar(320)', (c) => c.notNull())
    .addColumn('first_name', 'varchar(200)')
    .addColumn('last_name', 'varchar(200)')
    .addColumn('external_id', 'varchar(200)')
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('active'))
    .addColumn('attributes', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('timezone', 'varchar(64)')
    .addColumn('tracking_consent', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .execute();
  // Uniqueness per workspace on the lower-cased address; also the lookup index for upserts.
  await db.schema.createIndex('contacts_ws_email_uq').ifNotExists().on('contacts').columns(['workspace_id', 'email_lower']).unique().execute();
  // Partial indexes: most contacts are active and have no external id, so a bulk import of such
  // rows maintains only the unique email index (the 1M-row import bench: ~1.7× → ~1× the raw
  // insert for the contacts table). Lookups by external id imply IS NOT NULL and still use it;
  // a status filter uses it when the query repeats `status <> 'active'` (see contacts search).
  await db.schema.createIndex('contacts_ws_external_idx').ifNotExists().on('contacts').columns(['workspace_id', 'external_id'])
    .where('external_id', 'is not', null).execute();
  await db.schema.createIndex('contacts_ws_status_idx').ifNotExists().on('contacts').columns(['workspace_id', 'status', 'id'])
    .where('status', '<>', 'active').execute();

  await db.schema.createTable('attribute_definitions').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('type', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('attribute_definitions_pk', ['workspace_id', 'name'])
    .execute();

  await addIdColumn(db.schema.createTable('lists').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('opt_in', 'varchar(10)', (c) => c.notNull().defaultTo('single'))
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lists_ws_name_uq').ifNotExists().on('lists').columns(['workspace_id', 'name']).unique().execute();

  await db.schema.createTable('list_memberships').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('list_id', 'bigint', (c) => c.notNull().references('lists.id').onDelete('cascade'))
    .addColumn('contact_id', 'bigint', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('confirmed_at', timeType)
    .addColumn('unsubscribed_at', timeType)
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('list_memberships_pk', ['list_id', 'contact_id'])
    .execute();
  // Audience cursor: (list, status, contact) lets the send loop walk a list in id order.
  await db.schema.createIndex('list_memberships_list_status_idx').ifNotExists().on('list_memberships').columns(['list_id', 'status', 'contact_id']).execute();
  await db.schema.createIndex('list_memberships_contact_idx').ifNotExists().on('list_memberships').column('contact_id').execute();

  await addIdColumn(db.schema.createTable('tags').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tags_ws_name_uq').ifNotExists().on('tags').columns(['workspace_id', 'name']).unique().execute();

  await db.schema.createTable('contact_tags').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('contact_id', 'bigint', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('tag_id', 'bigint', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('contact_tags_tag_idx').ifNotExists().on('contact_tags').columns(['tag_id', 'contact_id']).execute();

  // Append-only: no code path updates or deletes rows here (erasure keeps a keyed hash elsewhere).
  await addIdColumn(db.schema.createTable('consent_ledger').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('contact_id', 'bigint', (c) => c.notNull())
    .addColumn('purpose', 'varchar(100)', (c) => c.notNull())
    .addColumn('action', 'varchar(20)', (c) => c.notNull())
    .addColumn('source_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('source_id', 'varchar(200)')
    .addColumn('wording_version', 'varchar(100)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_ledger_contact_idx').ifNotExists().on('consent_ledger').columns(['workspace_id', 'contact_id', 'created_at']).execute();

  await addIdColumn(db.schema.createTable('suppressions').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('reason', 'varchar(50)', (c) => c.notNull())
    .addColumn('source', 'varchar(50)', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('suppressions_ws_email_uq').ifNotExists().on('suppressions').columns(['workspace_id', 'email']).unique().execute();

  await addIdColumn(db.schema.createTable('audit_log').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint')
    .addColumn('actor_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(100)')
    .addColumn('action', 'varchar(100)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(50)')
    .addColumn('target_id', 'varchar(100)')
    .addColumn('details', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('ip', 'varchar(64)')
    .addColumn('created_at', timeType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_ws_time_idx').ifNotExists().on('audit_log').columns(['workspace_id', 'created_at']).execute();

  await addIdColumn(db.schema.createTable('jobs').ifNotExists(), d)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(30)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('params', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('progress', json, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('result', json)
    .addColumn('error', 'text')
    .addColumn('created_by', 'varchar(100)')
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addColumn('updated_at', timeType, (c) => c.notNull())
    .addColumn('finished_at', timeType)
    .execute();
  await db.schema.createIndex('jobs_ws_kind_idx').ifNotExists().on('jobs').columns(['workspace_id', 'kind', 'created_at']).execute();

  await db.schema.createTable('idempotency_keys').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('key', 'varchar(200)', (c) => c.notNull())
    .addColumn('method', 'varchar(10)', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['workspace_id', 'key'])
    .execute();
}
