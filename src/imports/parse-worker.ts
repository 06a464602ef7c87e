// Worker-thread entry of an import's read side (parse.ts; started by parse-thread.ts): posts each
// batch to the main thread and stops reading while the batches it was allowed to send are unwritten
// (the main thread grants one credit per batch written).
import { parentPort, workerData } from 'node:worker_threads';
import { parseBatches, ParseError, type ParseOptions } from './parse.js';
import { packBatch, type ParserMessage } from './parse-thread.js';

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread');
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (n: number) => {
  credit += n;
  wake?.();
  wake = null;
});
const post = (m: ParserMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  let bytesRead = 0;
  await parseBatches(workerData as ParseOptions, async (batch) => {
    while (credit === 0) await new Promise<void>((resolve) => { wake = resolve; });
    credit--;
    bytesRead = batch.bytesRead;
    const packed = packBatch(batch);
    post({ type: 'batch', batch: packed }, [packed.line.buffer as ArrayBuffer]);
  });
  post({ type: 'end', bytesRead });
} catch (err) {
  const cause = err instanceof ParseError ? err.cause : err;
  post({ type: 'error', name: (cause as Error)?.name ?? 'Error', message: (cause as Error)?.message ?? String(cause), pendingFromLine: err instanceof ParseError ? err.pendingFromLine : 0 });
}
