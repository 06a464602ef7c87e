// Runs an import's read side (parse.ts: decode, tokenize, validate, dedup — about a third of an
// import's CPU) on a worker thread and yields its batches to the writer on the main thread, so the
// two use both cores. At most IN_FLIGHT batches wait unwritten: the worker stops reading until the
// writer catches up, so memory stays bounded whatever the file size.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ParseError, type ParsedBatch, type ParseOptions } from './parse.js';

const IN_FLIGHT = 2;

export type ParserMessage =
  | { type: 'batch'; batch: ParsedBatch }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; name: string; message: string; pendingFromLine: number };

type Event = ParserMessage | { type: 'crash'; error: Error } | { type: 'exit'; code: number };

function startWorker(options: ParseOptions): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', here), { workerData: options });
  // Running from the TypeScript sources (tests, tsx): Node cannot load a .ts entry by itself, so
  // the worker registers tsx's loader first. Builds take the branch above and do not need tsx.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./parse-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData: options });
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
        yield e.batch;
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
    await worker.terminate();
  }
}
