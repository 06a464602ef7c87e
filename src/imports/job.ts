// Import jobs in the shared `jobs` table (kind 'import'): parameters, live progress, the final
// result with counts and a rejection sample, and the per-line rejection report.
import type { AppContext } from '../context.js';
import { fromJson, toJson } from '../db/dialect.js';
import type { RequestedEncoding } from './decode.js';
import type { ExplicitMapping } from './mapping.js';
import type { ImportVerifyMode } from './validate.js';
import type { ImportMode } from './writers/types.js';

export type ImportFormat = 'csv' | 'ndjson';

export interface ImportParams {
  listId: number | null;
  mode: ImportMode;
  format: ImportFormat;
  encoding: RequestedEncoding;
  delimiter: string | null;
  mapping: ExplicitMapping;
  purpose: string;
  wordingVersion: string | null;
  fileName: string | null;
  /** Verification at import (absent in jobs created before it existed: accept). */
  verify?: ImportVerifyMode;
}

export interface ImportCounts {
  /** Data rows read (header and blank lines excluded) = imported + updated + skipped + invalid. */
  processed: number;
  imported: number;
  updated: number;
  /** Valid rows that changed no contact: duplicates in the file, suppressed, update mode without a match, add mode on an existing contact. */
  skipped: number;
  invalid: number;
  /** add mode: the part of `skipped` that are existing contacts left as they are (they may still join the list). */
  existing: number;
  added_to_list: number;
  consent_rows: number;
}

export interface ImportProgress extends ImportCounts {
  total_bytes: number;
  bytes_read: number;
  /** The last line of the file covered by a committed batch. */
  committed_through_line: number;
}

export interface RejectionView {
  line: number;
  reason: string;
  detail: string | null;
  email: string | null;
}

export interface ImportResult extends ImportCounts {
  skipped_reasons: Record<string, number>;
  invalid_reasons: Record<string, number>;
  rejections: RejectionView[];
  rejections_stored: number;
  rejections_truncated: boolean;
  mapping: { column: string; target: string }[];
  warnings: string[];
  /** On failure: the first line of the batch that was rolled back; rows before it are committed. */
  stopped_at_line?: number;
}

export interface ImportJob {
  id: number;
  workspaceId: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  params: ImportParams;
  progress: ImportProgress;
  result: ImportResult | null;
  error: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export function zeroCounts(): ImportCounts {
  return { processed: 0, imported: 0, updated: 0, skipped: 0, invalid: 0, existing: 0, added_to_list: 0, consent_rows: 0 };
}

type Ctx = Pick<AppContext, 'db' | 'clock'>;

export async function createImportJob(ctx: Ctx, input: { workspaceId: number; params: ImportParams; totalBytes: number; actor: string }): Promise<ImportJob> {
  const now = ctx.clock.now();
  const progress: ImportProgress = { ...zeroCounts(), total_bytes: input.totalBytes, bytes_read: 0, committed_through_line: 0 };
  const row = await ctx.db
    .insertInto('jobs')
    .values({
      workspace_id: input.workspaceId, kind: 'import', status: 'queued', params: toJson(input.params), progress: toJson(progress),
      result: null, error: null, created_by: input.actor, created_at: now, updated_at: now, finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    id: Number(row.id), workspaceId: input.workspaceId, status: 'queued', params: input.params, progress, result: null, error: null,
    createdBy: input.actor, createdAt: now, updatedAt: now, finishedAt: null,
  };
}

export async function setJobProgress(ctx: Ctx, id: number, status: 'running', progress: ImportProgress): Promise<void> {
  await ctx.db.updateTable('jobs').set({ status, progress: toJson(progress), updated_at: ctx.clock.now() }).where('id', '=', id).execute();
}

export async function finishJob(ctx: Ctx, id: number, status: 'succeeded' | 'failed', progress: ImportProgress, result: ImportResult, error: string | null): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .updateTable('jobs')
    .set({ status, progress: toJson(progress), result: toJson(result), error, updated_at: now, finished_at: now })
    .where('id', '=', id)
    .execute();
}

/** The job, only if it is an import of this workspace (tenant boundary). */
export async function getImportJob(ctx: Pick<AppContext, 'db'>, workspaceId: number, id: number): Promise<ImportJob | null> {
  const r = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).where('kind', '=', 'import').executeTakeFirst();
  if (!r) return null;
  return {
    id: Number(r.id),
    workspaceId: Number(r.workspace_id),
    status: r.status as ImportJob['status'],
    params: fromJson<ImportParams>(r.params, {} as ImportParams),
    progress: fromJson<ImportProgress>(r.progress, { ...zeroCounts(), total_bytes: 0, bytes_read: 0, committed_through_line: 0 }),
    result: fromJson<ImportResult | null>(r.result, null),
    error: r.error,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

/** The stored rejection report in line order, keyset-paginated by line. */
export async function listRejections(
  ctx: Pick<AppContext, 'db'>, workspaceId: number, jobId: number, opts: { afterLine?: number; limit?: number } = {},
): Promise<RejectionView[]> {
  const rows = await ctx.db
    .selectFrom('import_rejections')
    .select(['line', 'reason', 'detail', 'email'])
    .where('workspace_id', '=', workspaceId)
    .where('job_id', '=', jobId)
    .where('line', '>', opts.afterLine ?? 0)
    .orderBy('line')
    .limit(Math.min(Math.max(opts.limit ?? 1000, 1), 10_000))
    .execute();
  return rows.map((r) => ({ line: Number(r.line), reason: r.reason, detail: r.detail, email: r.email }));
}
