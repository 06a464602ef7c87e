// Runs an import's read side (parse.ts: decode, tokenize, validate, dedup — about a third of an
// import's CPU) on a worker thread and yields its batches to the writer on the main thread, so the
// two use both cores. At most IN_FLIGHT batches wait unwritten: the worker stops reading until the
// writer catches up, so memory stays bounded whatever the file size.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ParseError, type ParsedBatch, type ParseOptions } from './parse.js';
import type { ImportRow, Rejection } from './validate.js';

const IN_FLIGHT = 2;

/**
 * A batch as it crosses the thread boundary: one array per row field. Structured clone copies
 * arrays of strings about twice as fast as the same rows as objects (measured on the receiving
 * thread, which is the writer's: ~0.3 s per million rows), and rebuilding the row objects there
 * costs a few hundredths of that.
 */
export interface PackedBatch {
  line: Float64Array;
  email: string[];
  key: string[];
  firstName: (string | null)[];
  lastName: (string | null)[];
  externalId: (string | null)[];
  timezone: (string | null)[];
  attrJson: string[];
  rejections: Rejection[];
  firstLine: number;
  lastLine: number;
  bytesRead: number;
}

export function packBatch(b: ParsedBatch): PackedBatch {
  const r = b.rows;
  return {
    line: Float64Array.from(r, (x) => x.line), email: r.map((x) => x.email), key: r.map((x) => x.key), firstName: r.map((x) => x.firstName),
    lastName: r.map((x) => x.lastName), externalId: r.map((x) => x.externalId), timezone: r.map((x) => x.timezone), attrJson: r.map((x) => x.attrJson),
    rejections: b.rejections, firstLine: b.firstLine, lastLine: b.lastLine, bytesRead: b.bytesRead,
  };
}

function unpackBatch(p: PackedBatch): ParsedBatch {
  const rows: ImportRow[] = new Array(p.line.length);
  for (let i = 0; i < rows.length; i++) {
    rows[i] = {
      line: p.line[i] as number, email: p.email[i] as string, key: p.key[i] as string, firstName: p.firstName[i] ?? null, lastName: p.lastName[i] ?? null,
      externalId: p.externalId[i] ?? null, timezone: p.timezone[i] ?? null, attrJson: p.attrJson[i] as string,
    };
  }
  return { rows, rejections: p.rejections, firstLine: p.firstLine, lastLine: p.lastLine, bytesRead: p.bytesRead };
}

export type ParserMessage =
  | { type: 'batch'; batch: PackedBatch }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; name: string; message: string; pendingFromLine: number };

type Event = ParserMessage | { type: 'crash'; error: Error } | { type: 'exit'; code: number };

// The worker allocates short-lived strings at a high rate and V8 sizes its heap for throughput,
// not footprint: by default its young generation grew to 3 × 16 MB and its old generation held
// ~60 MB, mostly rows already sent. With these caps an import of the 1M-row bench file peaked at
// 242-244 MB RSS instead of 293 MB, and the worker's GC time stayed within the noise (--trace-gc).
// A 12 MB young generation had doubled it while rows were built from `+=` string chains. What the worker
// really holds is small: the dedup table (outside the heap), the batch being built and the
// batches in flight, each cut at BATCH_CHARS (parse.ts) so a file of wide rows fits too.
const WORKER_YOUNG_GENERATION_MB = 16;
const WORKER_OLD_GENERATION_MB = 48;

function workerOptions(options: ParseOptions) {
  return { workerData: options, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB } };
}

function startWorker(options: ParseOptions): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', here), workerOptions(options));
  // Running from the TypeScript sources (tests, tsx): Node cannot load a .ts entry by itself, so
  // the worker registers tsx's loader first. Builds take the branch above and do not need tsx.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./parse-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, ...workerOptions(options) });
}

/**
 * Yields the file's batches in line order and returns the bytes read. Throws a ParseError when the
 * file cannot be read on (encoding broken after the preflight, file gone) or the thread dies.
 */
export async function* parseInWorker(options: ParseOptions): AsyncGenerator<ParsedBatch, number> {
  const worker = startWorker(options);
  const queue: Event[] = [];
  let wake: (() => void) | null = null;
  const push = (e: Event) => {
    queue.push(e);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (error) => push({ type: 'crash', error }));
  worker.on('exit', (code) => push({ type: 'exit', code }));
  worker.postMessage(IN_FLIGHT);
  try {
    for (;;) {
      if (!queue.length) await new Promise<void>((resolve) => { wake = resolve; });
      const e = queue.shift() as Event;
      if (e.type === 'batch') {
        yield unpackBatch(e.batch);
        worker.postMessage(1);
      } else if (e.type === 'end') return e.bytesRead;
      else if (e.type === 'error') {
        const cause = e.name === 'TypeError' ? new TypeError(e.message) : new Error(e.message);
        throw new ParseError(cause, e.pendingFromLine);
      } else if (e.type === 'crash') throw new ParseError(e.error, 0);
      else throw new ParseError(new Error(`the import's parser thread stopped (exit code ${e.code})`), 0);
    }
  } finally {
    worker.removeAllListeners();
    worker.on('error', () => {}); // an 'error' while terminating must not become an uncaught exception
    await worker.terminate();
  }
}
