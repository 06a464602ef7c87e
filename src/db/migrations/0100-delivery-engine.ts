// Delivery engine additions: when a delivery was first attempted (the deferral max age runs
// from it, not from the snapshot, so a long pause does not expire queued mail).
import type { Kysely } from 'kysely';
import { timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('first_attempt_at', timeType).execute();
  // Lease scan for every status a worker claims from, ordered the way claims read it.
  await db.schema.createIndex('deliveries_lease_idx').ifNotExists().on('deliveries').columns(['campaign_id', 'status', 'lease_expires_at']).execute();
}
