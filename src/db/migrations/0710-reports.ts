// Reports: the dashboard's per-day counts read deliveries by when they were first tried and when
// the receiving server accepted them; these keep those range scans on an index per workspace.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('deliveries_ws_first_attempt_idx').ifNotExists().on('deliveries').columns(['workspace_id', 'first_attempt_at']).execute();
  await db.schema.createIndex('deliveries_ws_sent_idx').ifNotExists().on('deliveries').columns(['workspace_id', 'sent_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_ws_sent_idx').ifExists().execute();
  await db.schema.dropIndex('deliveries_ws_first_attempt_idx').ifExists().execute();
}
