// The read side of an import: file bytes → decoder → CSV/NDJSON records → validated rows →
// in-file dedup → batches of rows and rejections in line order. It runs in the parse worker
// (parse-worker.ts) so that it uses the second core while the main thread writes; memory is one
// read chunk, the batches not yet written and the dedup table. Writing stays in run.ts.
import { createReadStream } from 'node:fs';
import { CsvTokenizer } from './csv.js';
import { createDecoder, type SniffResult } from './decode.js';
import { SeenAddresses } from './dedup.js';
import type { ImportFormat } from './job.js';
import { KeyMapper, type CompiledMapping, type ExplicitMapping } from './mapping.js';
import { MAX_ROW_BYTES } from './preflight.js';
import { isRejection, RowBuilder, type AttributeType, type ImportRow, type ImportVerifyMode, type Rejection } from './validate.js';

const CHUNK_BYTES = 256 * 1024;
/** A batch is also cut at this many characters of row data, so wide rows keep batches small. */
export const BATCH_CHARS = 4 * 1024 * 1024;

/** Everything the read side needs; structured-cloneable (it is the worker's workerData). */
export interface ParseOptions {
  path: string;
  format: ImportFormat;
  sniff: SniffResult;
  delimiter: string;
  /** CSV: the header mapping from the preflight; NDJSON: null (keys are mapped per line). */
  mapping: CompiledMapping | null;
  /** NDJSON: the caller's explicit key mapping. */
  explicitMapping: ExplicitMapping;
  attributeTypes: ReadonlyMap<string, AttributeType>;
  verify: ImportVerifyMode;
  batchRows: number;
}

export interface ParsedBatch {
  rows: ImportRow[];
  rejections: Rejection[];
  /** First and last file line covered by the batch. */
  firstLine: number;
  lastLine: number;
  /** File bytes read when the batch was cut (for progress). */
  bytesRead: number;
}

/** Thrown when the file cannot be read on; `pendingFromLine` is the first line of the unsent batch (0: none). */
export class ParseError extends Error {
  constructor(cause: unknown, readonly pendingFromLine: number) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
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

/**
 * Reads the whole file and hands over batches of at most `batchRows` rows plus rejections, in
 * line order; awaits `emit` (the caller's back-pressure) between read chunks, never per row.
 */
export async function parseBatches(o: ParseOptions, emit: (batch: ParsedBatch) => Promise<void>): Promise<void> {
  const builder = new RowBuilder(o.attributeTypes, o.verify);
  const seen = new SeenAddresses();
  let rows: ImportRow[] = [];
  let rejections: Rejection[] = [];
  let firstLine = 0;
  let lastLine = 0;
  let bytesRead = 0;
  let chars = 0;
  const ready: ParsedBatch[] = [];

  const cut = () => {
    if (!rows.length && !rejections.length) return;
    ready.push({ rows, rejections, firstLine, lastLine, bytesRead });
    rows = [];
    rejections = [];
    firstLine = 0;
    chars = 0;
  };
  const full = () => rows.length + rejections.length >= o.batchRows || chars >= BATCH_CHARS;
  const note = (line: number) => {
    if (firstLine === 0) firstLine = line;
    if (line > lastLine) lastLine = line;
  };
  const accept = (r: ImportRow | Rejection) => {
    note(r.line);
    if (isRejection(r)) rejections.push(r);
    else if (seen.seenBefore(r.key)) rejections.push({ line: r.line, reason: 'duplicate', detail: null, email: r.email });
    else {
      rows.push(r);
      chars += r.email.length + r.key.length + r.attrJson.length + (r.firstName?.length ?? 0) + (r.lastName?.length ?? 0) + (r.externalId?.length ?? 0);
    }
    if (full()) cut();
  };
  const broken = (line: number, reason: 'row_too_large' | 'unterminated_quote') => {
    note(line);
    rejections.push({ line, reason, detail: reason === 'row_too_large' ? `over ${MAX_ROW_BYTES} bytes` : null, email: null });
    if (full()) cut();
  };

  let parser: { push(text: string): void; end(): void };
  if (o.format === 'ndjson') {
    const keyMapper = new KeyMapper(o.explicitMapping);
    parser = new NdjsonLines({ record: (text, line) => accept(builder.fromJson(text, line, keyMapper)), broken: (line) => broken(line, 'row_too_large') });
  } else {
    const mapping = o.mapping as CompiledMapping;
    let header = false;
    parser = new CsvTokenizer(o.delimiter, MAX_ROW_BYTES, {
      record: (fields, line) => {
        if (!header) { header = true; return; }
        accept(builder.fromCsv(fields, line, mapping));
      },
      broken,
    });
  }

  const send = async () => {
    while (ready.length) await emit(ready.shift() as ParsedBatch);
  };
  try {
    const decoder = createDecoder(o.sniff.encoding);
    const stream = createReadStream(o.path, { highWaterMark: CHUNK_BYTES });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      parser.push(decoder.decode(chunk, { stream: true }));
      await send();
    }
    parser.push(decoder.decode());
    parser.end();
  } catch (err) {
    throw new ParseError(err, ready[0]?.firstLine || firstLine);
  }
  cut();
  await send();
}
