// deliveries.verp_token is no longer written: a VERP token is `<base36 row id>-<HMAC>`, so feedback
// finds its row by the id once the HMAC checks (feedback/effects.ts). Its index was the one
// random-keyed index the send path wrote — every outcome touched an arbitrary leaf page, ~6 µs of
// the event loop's CPU per message and a page in the WAL per row. The column stays for old rows.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_verp_idx').ifExists().execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('deliveries_verp_idx').ifNotExists().on('deliveries').column('verp_token').execute();
}
