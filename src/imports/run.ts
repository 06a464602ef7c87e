// The import pipeline: file bytes → decoder → CSV/NDJSON records → validated rows → in-file
// dedup → batches written in one transaction each. Awaits happen per chunk and per batch,
// never per row; memory is bounded by the chunk and batch sizes plus the dedup table.
import { createReadStream } from 'node:fs';
import type { AppContext } from '../context.js';
import { CsvTokenizer } from './csv.js';
import { createDecoder } from './decode.js';
import { SeenAddresses } from './dedup.js';
import { finishJob, setJobProgress, zeroCounts, type ImportCounts, type ImportJob, type ImportProgress, type ImportResult, type RejectionView } from './job.js';
import { KeyMapper, type CompiledMapping } from './mapping.js';
import { MAX_ROW_BYTES, type Preflight } from './preflight.js';
import { isRejection, RowBuilder, SKIP_REASONS, type AttributeType, type ImportRow, type Rejection } from './validate.js';
import { postgresWriter } from './writers/postgres.js';
import { sqliteWriter } from './writers/sqlite.js';
import type { ImportWriter, WriteTarget } from './writers/types.js';

const BATCH_ROWS = 5000;
const CHUNK_BYTES = 256 * 1024;
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

/** Line parser for NDJSON with the same row-size cap as CSV. */
class NdjsonLines {
  private buf = '';
  private line = 1;
  private skipping = false;
  private skipLine = 0;

  constructor(private readonly sink: { record(text: string, line: number): void; broken(line: number): void }) {}

  push(text: string): void {
    let s = this.buf.length ? this.buf + text : text;
    let p = 0;
    for (;;) {
      const nl = s.indexOf('\n', p);
      if (nl === -1) break;
      if (this.skipping) {
        this.skipping = false;
        this.sink.broken(this.skipLine);
      } else if (nl - p > MAX_ROW_BYTES) this.sink.broken(this.line);
      else if (s.slice(p, nl).trim() !== '') this.sink.record(s.slice(p, nl), this.line);
      this.line++;
      p = nl + 1;
    }
    s = s.slice(p);
    if (s.length > MAX_ROW_BYTES) {
      if (!this.skipping) {
        this.skipping = true;
        this.skipLine = this.line;
      }
      s = '';
    }
    this.buf = s;
  }

  end(): void {
    if (this.skipping) this.sink.broken(this.skipLine);
    else if (this.buf.trim() !== '') this.sink.record(this.buf, this.line);
    this.buf = '';
  }
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
  const builder = new RowBuilder(input.attributeTypes, p.verify ?? 'accept');
  const seen = new SeenAddresses();
  let rows: ImportRow[] = [];
  let rejections: Rejection[] = [];
  let batchFirstLine = 0;

  const noteLine = (line: number) => { if (batchFirstLine === 0) batchFirstLine = line; };
  const accept = (r: ImportRow | Rejection) => {
    noteLine(r.line);
    if (isRejection(r)) rejections.push(r);
    else if (seen.seenBefore(r.key)) rejections.push({ line: r.line, reason: 'duplicate', detail: null, email: r.email });
    else rows.push(r);
  };
  const broken = (line: number, reason: 'row_too_large' | 'unterminated_quote') => {
    noteLine(line);
    rejections.push({ line, reason, detail: reason === 'row_too_large' ? `over ${MAX_ROW_BYTES} bytes` : null, email: null });
  };

  let header = mapping === null;
  const parser = p.format === 'ndjson'
    ? new NdjsonLines({ record: (text, line) => accept(builder.fromJson(text, line, keyMapper)), broken: (line) => broken(line, 'row_too_large') })
    : new CsvTokenizer(input.preflight.delimiter, MAX_ROW_BYTES, {
      record: (fields, line) => {
        if (!header) { header = true; return; }
        accept(builder.fromCsv(fields, line, mapping as CompiledMapping));
      },
      broken,
    });
  const keyMapper = new KeyMapper(p.mapping);

  const flush = async (lastLine: number) => {
    if (!rows.length && !rejections.length) return;
    const batchRows = rows;
    const batchRejections = rejections;
    rows = [];
    rejections = [];
    const out = await writer.writeBatch(batchRows, batchRejections, ctx.clock.now(), MAX_STORED_REJECTIONS - state.stored);
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
    state.progress = { ...state.progress, ...c, committed_through_line: Math.max(state.progress.committed_through_line, lastLine) };
    batchFirstLine = 0;
    await setJobProgress(ctx, job.id, 'running', state.progress);
    input.onProgress?.(state.progress);
  };
  const pending = () => rows.length + rejections.length;
  const lastLineOf = () => Math.max(rows.at(-1)?.line ?? 0, rejections.at(-1)?.line ?? 0);

  try {
    await setJobProgress(ctx, job.id, 'running', state.progress);
    const decoder = createDecoder(input.preflight.sniff.encoding);
    const stream = createReadStream(input.path, { highWaterMark: CHUNK_BYTES });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      state.progress.bytes_read += chunk.length;
      parser.push(decoder.decode(chunk, { stream: true }));
      if (pending() >= BATCH_ROWS) await flush(lastLineOf());
    }
    parser.push(decoder.decode());
    parser.end();
    await flush(lastLineOf());
    await finishJob(ctx, job.id, 'succeeded', state.progress, result(), null);
    return result();
  } catch (err) {
    const stoppedAt = batchFirstLine || state.progress.committed_through_line + 1;
    const message = `${describeError(err)} — stopped at line ${stoppedAt}; lines before it are committed (imported ${state.counts.imported}, updated ${state.counts.updated}, skipped ${state.counts.skipped}, invalid ${state.counts.invalid}), nothing from line ${stoppedAt} on was written`;
    ctx.log.error({ err, jobId: job.id }, 'import failed');
    const r = { ...result(), stopped_at_line: stoppedAt };
    await finishJob(ctx, job.id, 'failed', state.progress, r, message).catch((e: unknown) => ctx.log.error({ err: e, jobId: job.id }, 'could not mark the import failed'));
    return r;
  } finally {
    writer.close?.();
  }
}

function describeError(err: unknown): string {
  if (err instanceof TypeError && /decode|encoded data/i.test(err.message)) return 'the file is not valid text in its encoding (it changed after the upload check?)';
  return `import failed: ${(err as Error).message}`;
}
