// Leases on the shared jobs table (src/jobs/lease.ts): the worker that owns a job and until when.
// A job whose lease has expired (its worker crashed) may be taken over by another worker.
import type { Kysely } from 'kysely';
import { timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('lease_owner', 'varchar(100)').execute();
  await db.schema.alterTable('jobs').addColumn('lease_expires_at', timeType).execute();
  // Workers look for unfinished jobs of one kind whose lease is free or expired.
  await db.schema.createIndex('jobs_kind_status_idx').ifNotExists().on('jobs').columns(['kind', 'status']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_kind_status_idx').ifExists().execute();
  await db.schema.alterTable('jobs').dropColumn('lease_expires_at').execute();
  await db.schema.alterTable('jobs').dropColumn('lease_owner').execute();
}
