// Content, tracking and sending domains: a hash key that makes link registration idempotent
// across workers, and the last DNS check results of a sending domain.
import { type Kysely } from 'kysely';
import { dialectOf, jsonType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  // sha256 of the URL: long URLs exceed btree limits on PostgreSQL, a hash never does.
  await db.schema.alterTable('links').addColumn('url_hash', 'varchar(64)').execute();
  await db.schema.createIndex('links_campaign_url_uq').ifNotExists().on('links').columns(['campaign_id', 'url_hash']).unique().execute();
  await db.schema.alterTable('sending_domains').addColumn('dns_checks', jsonType(d)).execute();
  // Unsubscribe and tracking endpoints look deliveries up by contact; the foundation index covers it.
}
