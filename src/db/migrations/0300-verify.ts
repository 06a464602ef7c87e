// Verification cache and bulk job items. Cache: one row per (workspace, address) with the last result, the checks and
// policy it ran with, and the last real delivery outcome reported by feedback.
import type { Kysely } from 'kysely';
import { dialectOf, jsonType, timeType } from '../dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await db.schema.createTable('verifications').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('email_key', 'varchar(320)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('verdict', 'varchar(20)', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('checks', 'varchar(40)', (c) => c.notNull())
    .addColumn('policy', 'varchar(20)', (c) => c.notNull())
    .addColumn('result', jsonType(d), (c) => c.notNull())
    .addColumn('outcome', 'varchar(20)')
    .addColumn('outcome_at', timeType)
    .addColumn('checked_at', timeType, (c) => c.notNull())
    .addPrimaryKeyConstraint('verifications_pk', ['workspace_id', 'email_key'])
    .execute();
  // Re-verification walks the stalest rows first.
  // Bulk job items: one row per submitted line, result filled in by the runner (null = pending).
  await db.schema.createTable('verify_job_items').ifNotExists()
    .addColumn('job_id', 'bigint', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('verdict', 'varchar(20)')
    .addColumn('result', jsonType(d))
    .addPrimaryKeyConstraint('verify_job_items_pk', ['job_id', 'seq'])
    .execute();
  await db.schema.createIndex('verifications_ws_checked_idx').ifNotExists().on('verifications').columns(['workspace_id', 'checked_at']).execute();
}
