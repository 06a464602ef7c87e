// Bulk verification jobs: a submitted list becomes a `jobs` row (kind verify) plus one item per
// line; the runner verifies pending items in batches, so a restart resumes where it stopped.
import { parse as parseCsv } from 'csv-parse/sync';
import type { AppContext } from '../context.js';
import { fromJson, toJson } from '../db/dialect.js';
import { AppError } from '../errors.js';
import type { SyntaxPolicy } from './diagnosis.js';
import { verifierFor } from './engine.js';
import type { Check, Verdict, VerifyResult } from './types.js';

export const MAX_JOB_ITEMS = 1_000_000;
const BATCH = 500;

export interface VerifyJobParams {
  checks: Check[];
  policy: SyntaxPolicy;
}

export interface VerifyJob {
  id: number;
  status: string;
  params: VerifyJobParams;
  progress: { processed: number; total: number; verdicts: Record<Verdict, number> };
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** Addresses from a CSV body: the column named email (any case), else the first column. */
export function addressesFromCsv(text: string): string[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (err) {
    throw new AppError('bad_request', `CSV could not be parsed: ${(err as Error).message}`);
  }
  if (rows.length === 0) return [];
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const col = header.findIndex((h) => h === 'email' || h === 'e-mail' || h === 'email_address' || h === 'address');
  if (col >= 0) return rows.slice(1).map((r) => r[col] ?? '');
  return rows.map((r) => r[0] ?? '');
}

const emptyVerdicts = (): Record<Verdict, number> => ({ deliverable: 0, risky: 0, undeliverable: 0, unknown: 0 });

export async function createVerifyJob(ctx: AppContext, workspaceId: number, actor: string, emails: string[], params: VerifyJobParams): Promise<VerifyJob> {
  if (emails.length === 0) throw new AppError('bad_request', 'the list contains no addresses');
  if (emails.length > MAX_JOB_ITEMS) throw new AppError('payload_too_large', `at most ${MAX_JOB_ITEMS} addresses per job`);
  const now = ctx.clock.now();
  const progress = { processed: 0, total: emails.length, verdicts: emptyVerdicts() };
  const id = await ctx.db.transaction().execute(async (tx) => {
    const job = await tx.insertInto('jobs').values({
      workspace_id: workspaceId, kind: 'verify', status: 'queued', params: toJson(params), progress: toJson(progress),
      result: null, error: null, created_by: actor, created_at: now, updated_at: now, finished_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    const jobId = Number(job.id);
    for (let i = 0; i < emails.length; i += 1000) {
      const chunk = emails.slice(i, i + 1000).map((e, k) => ({ job_id: jobId, seq: i + k, email: encodeItem(e), verdict: null, result: null }));
      await tx.insertInto('verify_job_items').values(chunk).execute();
    }
    return jobId;
  });
  return (await getVerifyJob(ctx, workspaceId, id))!;
}

export async function getVerifyJob(ctx: AppContext, workspaceId: number, id: number): Promise<VerifyJob | null> {
  const row = await ctx.db.selectFrom('jobs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).where('kind', '=', 'verify').executeTakeFirst();
  if (!row) return null;
  return {
    id: Number(row.id), status: row.status, params: fromJson(row.params, { checks: ['syntax'], policy: 'deliverable' } as VerifyJobParams),
    progress: fromJson(row.progress, { processed: 0, total: 0, verdicts: emptyVerdicts() }), error: row.error,
    createdAt: Number(row.created_at), finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** Verifies the job's pending items in batches with bounded concurrency; resumable. */
export async function runVerifyJob(ctx: AppContext, workspaceId: number, id: number, opts: { concurrency?: number } = {}): Promise<VerifyJob> {
  const job = await getVerifyJob(ctx, workspaceId, id);
  if (!job) throw new AppError('not_found', 'job not found');
  if (job.status === 'succeeded' || job.status === 'failed') return job;
  const verifier = verifierFor(ctx);
  const progress = job.progress;
  await ctx.db.updateTable('jobs').set({ status: 'running', updated_at: ctx.clock.now() }).where('id', '=', id).execute();
  try {
    for (;;) {
      const items = await ctx.db.selectFrom('verify_job_items').select(['seq', 'email']).where('job_id', '=', id).where('result', 'is', null).orderBy('seq').limit(BATCH).execute();
      if (items.length === 0) break;
      const results = await mapPool(items, opts.concurrency ?? 16, (it) => verifier.verify(decodeItem(it.email), { ...job.params, workspaceId }));
      await ctx.db.transaction().execute(async (tx) => {
        for (let i = 0; i < items.length; i++) {
          const r = results[i]!;
          await tx.updateTable('verify_job_items').set({ verdict: r.verdict, result: toJson({ ...r, email: undefined }) }).where('job_id', '=', id).where('seq', '=', items[i]!.seq).execute();
          progress.verdicts[r.verdict]++;
        }
        progress.processed += items.length;
        await tx.updateTable('jobs').set({ progress: toJson(progress), updated_at: ctx.clock.now() }).where('id', '=', id).execute();
      });
    }
    const now = ctx.clock.now();
    await ctx.db.updateTable('jobs').set({ status: 'succeeded', result: toJson({ verdicts: progress.verdicts }), updated_at: now, finished_at: now }).where('id', '=', id).execute();
  } catch (err) {
    ctx.log.error({ err, jobId: id, component: 'verify' }, 'verify job failed');
    const now = ctx.clock.now();
    await ctx.db.updateTable('jobs').set({ status: 'failed', error: (err as Error).message.slice(0, 500), updated_at: now, finished_at: now }).where('id', '=', id).execute();
  }
  return (await getVerifyJob(ctx, workspaceId, id))!;
}

/** Results in submission order, page by page (seq > after). */
export async function jobResults(ctx: AppContext, jobId: number, after: number, limit: number): Promise<Array<{ seq: number; result: VerifyResult | null; email: string }>> {
  const rows = await ctx.db.selectFrom('verify_job_items').select(['seq', 'email', 'result']).where('job_id', '=', jobId).where('seq', '>', after).orderBy('seq').limit(limit).execute();
  return rows.map((r) => {
    const email = decodeItem(r.email);
    const result = r.result === null ? null : fromJson<VerifyResult | null>(r.result, null);
    return { seq: Number(r.seq), email, result: result ? { ...result, email } : null };
  });
}

// Submitted lines are stored JSON-encoded: NUL and lone surrogates survive PostgreSQL text
// (which rejects NUL) exactly, so each line is verified as sent. Results omit the raw email.
function encodeItem(e: string): string {
  return JSON.stringify(e.slice(0, 2000));
}

function decodeItem(stored: string): string {
  try {
    const v = JSON.parse(stored) as unknown;
    return typeof v === 'string' ? v : stored;
  } catch {
    return stored;
  }
}

/** Jobs left queued or running (by a crash or restart), oldest first. */
export async function unfinishedVerifyJobs(ctx: AppContext): Promise<Array<{ id: number; workspaceId: number }>> {
  const rows = await ctx.db.selectFrom('jobs').select(['id', 'workspace_id']).where('kind', '=', 'verify').where('status', 'in', ['queued', 'running']).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), workspaceId: Number(r.workspace_id) }));
}

/** Maps with at most `n` promises in flight, keeping input order. */
export async function mapPool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

const CSV_COLUMNS = ['email', 'verdict', 'score', 'reasons', 'normalized', 'syntax_valid', 'diagnosis', 'domain', 'mx', 'disposable', 'role', 'free', 'suggestion', 'smtp_status'] as const;

/** One CSV row per result; cells that a spreadsheet would run as a formula are neutralised. */
export function resultCsvRow(email: string, r: VerifyResult | null): string[] {
  const cells = r === null
    ? [email, 'pending', '', '', '', '', '', '', '', '', '', '', '', '']
    : [email, r.verdict, String(r.score), r.reasons.join(' '), r.normalized ?? '', String(r.syntax.valid), r.syntax.diagnosis, r.domain ?? '',
      (r.mx ?? []).join(' '), fmt(r.disposable), fmt(r.role), fmt(r.free), r.suggestion ?? '', r.smtp?.status ?? ''];
  return cells.map(formulaSafe);
}

export const RESULT_CSV_HEADER: readonly string[] = CSV_COLUMNS;

const fmt = (b: boolean | null): string => (b === null ? '' : String(b));

/** OWASP: a leading = + - @ TAB or CR makes spreadsheets evaluate the cell. */
export function formulaSafe(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}
