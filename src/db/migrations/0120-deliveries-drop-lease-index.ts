// deliveries_lease_idx (campaign_id, status, lease_expires_at) served no query: claims read
// deliveries_due_idx (campaign_id, status, next_attempt_at, id) in claim order (EXPLAIN QUERY PLAN on
// SQLite, and the same shape on PostgreSQL). It still cost every recipient two index updates on the
// send path — the claim sets lease_expires_at, the outcome clears it and changes status — about a
// fifth of the ledger's index writes per message.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_lease_idx').ifExists().execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('deliveries_lease_idx').ifNotExists().on('deliveries').columns(['campaign_id', 'status', 'lease_expires_at']).execute();
}
