// Imports: the per-line rejection report of an import job (line, reason, offending address).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('import_rejections').ifNotExists()
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('job_id', 'bigint', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('line', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'varchar(40)', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('email', 'varchar(320)')
    // A record starts on one line, so (job, line) is unique; it is also the report's order.
    .addPrimaryKeyConstraint('import_rejections_pk', ['job_id', 'line'])
    .execute();
}
