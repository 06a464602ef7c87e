// The import pipeline: the read side (parse.ts: decode, parse, validate, dedup) runs on a worker
// thread (parse-thread.ts) and hands over batches in line order; each batch is written here in one
// transaction. Awaits happen per batch, never per row; memory is bounded by the batch size, the
// batches in flight and the dedup table.
import type { AppContext } from '../context.js';
import { finishJob, setJobProgress, zeroCounts, type ImportCounts, type ImportJob, type ImportProgress, type ImportResult, type RejectionView } from './job.js';
import { ParseError, type ParsedBatch } from './parse.js';
import { parseInWorker } from './parse-thread.js';
import type { Preflight } from './preflight.js';
import { SKIP_REASONS, type AttributeType } from './validate.js';
import { postgresWriter } from './writers/postgres.js';
import { sqliteWriter } from './writers/sqlite.js';
import type { ImportWriter, WriteTarget } from './writers/types.js';

const BATCH_ROWS = 5000;
/** Rejections kept per job for the report; beyond this they are counted, not stored. */
export const MAX_STORED_REJECTIONS = 100_000;
const SAMPLE_REJECTIONS = 20;

interface RunState {
  counts: ImportCounts;
  progress: ImportProgress;
  skippedReasons: Record<string, number>;
  invalidReasons: Record<string, number>;
  sample: RejectionView[];
  stored: number;
  truncated: boolean;
}

export interface RunInput {
  path: string;
  preflight: Preflight;
  listOptIn: 'single' | 'double' | null;
  attributeTypes: ReadonlyMap<string, AttributeType>;
  /** Called after each committed batch (the CLI's progress bar). */
  onProgress?: (progress: ImportProgress) => void;
}

function createWriter(ctx: AppContext, target: WriteTarget): ImportWriter {
  if (ctx.dialect === 'sqlite' && ctx.dbHandle.sqlite) return sqliteWriter(ctx.dbHandle.sqlite, target);
  if (ctx.dbHandle.pgPool) return postgresWriter(ctx.dbHandle.pgPool, target);
  throw new Error('no raw database handle for the import writer');
}

/** Runs the job to the end; marks it succeeded or failed (never leaves it running on error). */
export async function runImport(ctx: AppContext, job: ImportJob, input: RunInput): Promise<ImportResult> {
  const p = job.params;
  const state: RunState = {
    counts: zeroCounts(),
    progress: { ...zeroCounts(), total_bytes: input.preflight.totalBytes, bytes_read: 0, committed_through_line: 0 },
    skippedReasons: {}, invalidReasons: {}, sample: [], stored: 0, truncated: false,
  };
  const mapping = input.preflight.mapping;
  const mappingView = mapping ? mapping.columns.map((c) => ({ column: c.header, target: c.target.kind === 'field' ? c.target.field : c.target.kind === 'attribute' ? `attribute:${c.target.name}` : 'ignore' })) : [];
  const result = (): ImportResult => ({
    ...state.counts, skipped_reasons: state.skippedReasons, invalid_reasons: state.invalidReasons, rejections: state.sample,
    rejections_stored: state.stored, rejections_truncated: state.truncated, mapping: mappingView, warnings: mapping?.warnings ?? [],
  });
  const writer = createWriter(ctx, {
    workspaceId: job.workspaceId, jobId: job.id, mode: p.mode, listId: p.listId,
    membershipStatus: input.listOptIn === 'double' ? 'unconfirmed' : 'confirmed', purpose: p.purpose, wordingVersion: p.wordingVersion,
  });
  // The first line of the batch being written: where the import stopped if that write fails.
  let writing = 0;

  const write = async (batch: ParsedBatch) => {
    const { rows, rejections: batchRejections } = batch;
    const out = await writer.writeBatch(rows, batchRejections, ctx.clock.now(), MAX_STORED_REJECTIONS - state.stored);
    const c = state.counts;
    c.imported += out.imported;
    c.updated += out.updated;
    c.existing += out.existing;
    // add mode: an existing contact is skipped (left as it is); it is not a problem, so not in the report.
    c.skipped += out.existing;
    if (out.existing) state.skippedReasons.exists = (state.skippedReasons.exists ?? 0) + out.existing;
    c.added_to_list += out.addedToList;
    c.consent_rows += out.consentRows;
    for (const list of [batchRejections, out.skipped]) {
      for (const j of list) {
        const skipped = SKIP_REASONS.has(j.reason);
        if (skipped) c.skipped++;
        else c.invalid++;
        const bucket = skipped ? state.skippedReasons : state.invalidReasons;
        bucket[j.reason] = (bucket[j.reason] ?? 0) + 1;
        if (state.sample.length < SAMPLE_REJECTIONS) state.sample.push(j);
      }
    }
    c.processed = c.imported + c.updated + c.skipped + c.invalid;
    state.stored += out.rejectionsStored;
    state.truncated ||= state.stored >= MAX_STORED_REJECTIONS && out.rejectionsStored < batchRejections.length + out.skipped.length;
    state.progress = {
      ...state.progress, ...c, bytes_read: Math.max(state.progress.bytes_read, batch.bytesRead),
      committed_through_line: Math.max(state.progress.committed_through_line, batch.lastLine),
    };
    await setJobProgress(ctx, job.id, 'running', state.progress);
    input.onProgress?.(state.progress);
  };

  const batches = parseInWorker({
    path: input.path, format: p.format, sniff: input.preflight.sniff, delimiter: input.preflight.delimiter, mapping,
    explicitMapping: p.mapping, attributeTypes: input.attributeTypes, verify: p.verify ?? 'accept', batchRows: BATCH_ROWS,
  });
  try {
    await setJobProgress(ctx, job.id, 'running', state.progress);
    for (let next = await batches.next(); ; next = await batches.next()) {
      if (next.done) {
        state.progress.bytes_read = next.value;
        break;
      }
      writing = next.value.firstLine;
      await write(next.value);
      writing = 0;
    }
    await finishJob(ctx, job.id, 'succeeded', state.progress, result(), null);
    return result();
  } catch (err) {
    const stoppedAt = writing || (err instanceof ParseError && err.pendingFromLine) || state.progress.committed_through_line + 1;
    const message = `${describeError(err)} — stopped at line ${stoppedAt}; lines before it are committed (imported ${state.counts.imported}, updated ${state.counts.updated}, skipped ${state.counts.skipped}, invalid ${state.counts.invalid}), nothing from line ${stoppedAt} on was written`;
    ctx.log.error({ err, jobId: job.id }, 'import failed');
    const r = { ...result(), stopped_at_line: stoppedAt };
    await finishJob(ctx, job.id, 'failed', state.progress, r, message).catch((e: unknown) => ctx.log.error({ err: e, jobId: job.id }, 'could not mark the import failed'));
    return r;
  } finally {
    await batches.return(0).catch(() => {}); // stops the parser thread if a write failed
    writer.close?.();
  }
}

function describeError(e: unknown): string {
  const err = e instanceof ParseError ? e.cause : e;
  if (err instanceof TypeError && /decode|encoded data/i.test(err.message)) return 'the file is not valid text in its encoding (it changed after the upload check?)';
  return `import failed: ${(err as Error).message}`;
}
