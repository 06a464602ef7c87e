// Bulk verification jobs: a submitted list becomes a `jobs` row (kind verify) plus one item per
// line; the runner verifies pending items in batches under the job's lease, so a restart or
// another worker resumes where it stopped and two workers never run one job at once.
import { parse as parseCsv } from 'csv-parse/sync';
import type { AppContext } from '../context.js';
import { claimJob, keepJobLease, newLeaseOwner, releaseJob, UNFINISHED_JOB_STATUSES } from '../jobs/lease.js';
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

/** How long a worker's claim on a job lasts without renewal; renewed every third of it while running. */
export const VERIFY_JOB_LEASE_MS = 60_000;

export interface RunVerifyJobOptions {
  concurrency?: number;
  /** Lease owner (the worker's identity); default a fresh one per call. */
  owner?: string;
  leaseMs?: number;
  /** Aborted at shutdown: stop after the current batch and give the lease back for another worker. */
  signal?: AbortSignal;
}

class LeaseLost extends Error {}

/**
 * Verifies the job's pending items in batches with bounded concurrency; resumable. Runs only under
 * the job's lease (src/jobs/lease.ts): a job another live worker holds is returned untouched, and
 * every batch commits only while the lease is still ours, so two workers never write one job.
 */
export async function runVerifyJob(ctx: AppContext, workspaceId: number, id: number, opts: RunVerifyJobOptions = {}): Promise<VerifyJob> {
  const job = await getVerifyJob(ctx, workspaceId, id);
  if (!job) throw new AppError('not_found', 'job not found');
  if (job.status === 'succeeded' || job.status === 'failed') return job;
  const owner = opts.owner ?? newLeaseOwner();
  const leaseMs = opts.leaseMs ?? VERIFY_JOB_LEASE_MS;
  if (!(await claimJob(ctx, id, owner, leaseMs))) return job;
  const log = ctx.log.child({ component: 'verify', jobId: id, owner });
  const lease = keepJobLease(ctx, id, owner, leaseMs, log);
  const mine = () => ctx.db.updateTable('jobs').where('id', '=', id).where('lease_owner', '=', owner);
  try {
    const verifier = verifierFor(ctx);
    // Progress as the previous owner (if any) committed it, read after the claim: only the owner writes it.
    let progress = (await getVerifyJob(ctx, workspaceId, id))!.progress;
    await mine().set({ status: 'running', updated_at: ctx.clock.now() }).execute();
    for (;;) {
      if (lease.lost) throw new LeaseLost();
      if (opts.signal?.aborted) return (await getVerifyJob(ctx, workspaceId, id))!;
      const items = await ctx.db.selectFrom('verify_job_items').select(['seq', 'email']).where('job_id', '=', id).where('result', 'is', null).orderBy('seq').limit(BATCH).execute();
      if (items.length === 0) break;
      const results = await mapPool(items, opts.concurrency ?? 16, (it) => verifier.verify(decodeItem(it.email), { ...job.params, workspaceId }));
      const next = { ...progress, processed: progress.processed + items.length, verdicts: { ...progress.verdicts } };
      for (const r of results) next.verdicts[r.verdict]++;
      await ctx.db.transaction().execute(async (tx) => {
        // The job row first, guarded by the owner: it locks the row, so a takeover either waits for
        // this batch to commit (and then sees a renewed lease) or has happened and this batch rolls back.
        const held = await tx.updateTable('jobs').set({ progress: toJson(next), updated_at: ctx.clock.now(), lease_expires_at: ctx.clock.now() + leaseMs })
          .where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
        if (Number(held.numUpdatedRows) !== 1) throw new LeaseLost();
        for (let i = 0; i < items.length; i++) {
          const r = results[i]!;
          await tx.updateTable('verify_job_items').set({ verdict: r.verdict, result: toJson({ ...r, email: undefined }) }).where('job_id', '=', id).where('seq', '=', items[i]!.seq).execute();
        }
      });
      progress = next;
    }
    const now = ctx.clock.now();
    await mine().set({ status: 'succeeded', result: toJson({ verdicts: progress.verdicts }), updated_at: now, finished_at: now, lease_owner: null, lease_expires_at: null }).execute();
  } catch (err) {
    if (err instanceof LeaseLost) {
      log.warn('verify job lease taken over by another worker; stopping here');
    } else {
      log.error({ err }, 'verify job failed');
      const now = ctx.clock.now();
      await mine().set({ status: 'failed', error: (err as Error).message.slice(0, 500), updated_at: now, finished_at: now, lease_owner: null, lease_expires_at: null }).execute();
    }
  } finally {
    lease.stop();
    await releaseJob(ctx.db, id, owner).catch(() => undefined);
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

/**
 * Jobs left queued or running whose lease is free or expired (never started, or their worker
 * crashed), oldest first. A job a live worker holds is not listed.
 */
export async function unfinishedVerifyJobs(ctx: AppContext): Promise<Array<{ id: number; workspaceId: number }>> {
  const now = ctx.clock.now();
  const rows = await ctx.db.selectFrom('jobs').select(['id', 'workspace_id']).where('kind', '=', 'verify').where('status', 'in', [...UNFINISHED_JOB_STATUSES])
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now)])).orderBy('id').execute();
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
