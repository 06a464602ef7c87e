// Byte-level checks of an import file before any row is read: empty, binary, encoding (BOM,
// UTF-16, invalid UTF-8) — each a clear error naming the problem. Rows are parsed in parse.ts.
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { AppError } from '../errors.js';

export type SourceEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'latin1';
export type RequestedEncoding = 'auto' | 'utf8' | 'latin1';

export interface SniffResult {
  encoding: SourceEncoding;
  /** Bytes of byte-order mark at the start (skipped by the decoder). */
  bomBytes: number;
}

const SNIFF_BYTES = 64 * 1024;

/** Text decoder for the whole stream; `fatal` so a bad byte after the pre-scan still stops the job loudly. */
export function createDecoder(encoding: SourceEncoding): TextDecoder {
  const label = encoding === 'utf8' ? 'utf-8' : encoding === 'latin1' ? 'latin1' : encoding === 'utf16le' ? 'utf-16le' : 'utf-16be';
  // ignoreBOM false: the decoder drops a leading BOM of its own encoding.
  return new TextDecoder(label, { fatal: encoding !== 'latin1', ignoreBOM: false });
}

/** Looks at the first bytes: BOMs, UTF-16 without BOM, archives/spreadsheets and binary junk. */
export function sniffEncoding(head: Buffer, requested: RequestedEncoding = 'auto'): SniffResult {
  if (head.length === 0) throw new AppError('unprocessable', 'the file is empty', { reason: 'empty_file' });
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomBytes: 2 };
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new AppError('unprocessable', 'the file is a ZIP archive (an .xlsx or .zip?): export the sheet as CSV (UTF-8) and import that', { reason: 'binary_file', detected: 'zip' });
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new AppError('unprocessable', 'the file is a legacy Office document (.xls?): export the sheet as CSV (UTF-8) and import that', { reason: 'binary_file', detected: 'ole2' });
  }
  const sample = head.subarray(0, Math.min(head.length, SNIFF_BYTES));
  let zeroEven = 0;
  let zeroOdd = 0;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i] as number;
    if (b === 0) {
      if (i % 2 === 0) zeroEven++;
      else zeroOdd++;
    } else if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++;
  }
  const half = sample.length / 2;
  // ASCII text in UTF-16 has a NUL in every other byte: odd positions for LE, even for BE.
  if (zeroOdd > half * 0.3 && zeroEven < half * 0.05) {
    throw new AppError('unprocessable', 'the file looks like UTF-16 (little-endian) without a byte-order mark: save it as UTF-8 (or UTF-16 with BOM) and retry', { reason: 'unsupported_encoding', detected: 'utf-16le' });
  }
  if (zeroEven > half * 0.3 && zeroOdd < half * 0.05) {
    throw new AppError('unprocessable', 'the file looks like UTF-16 (big-endian) without a byte-order mark: save it as UTF-8 (or UTF-16 with BOM) and retry', { reason: 'unsupported_encoding', detected: 'utf-16be' });
  }
  if (zeroEven + zeroOdd > 0 || control > sample.length * 0.01) {
    throw new AppError('unprocessable', 'the file is binary, not CSV or NDJSON text (NUL or control bytes found)', { reason: 'binary_file' });
  }
  return { encoding: requested === 'latin1' ? 'latin1' : 'utf8', bomBytes: 0 };
}

/**
 * Validates a whole file as UTF-8 before the job starts, so an ISO-8859-1/Windows-1252 file is
 * refused up front instead of failing halfway. Reads in 1 MB chunks: memory stays flat.
 */
export async function assertUtf8File(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let carry = Buffer.alloc(0);
    let offset = 0; // file offset of chunk[0]
    let lines = 1;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const cut = bytesRead === 0 ? chunk.length : completeUtf8Prefix(chunk);
      const body = chunk.subarray(0, cut);
      if (!isUtf8(body)) throw invalidUtf8(offset, lines, body);
      if (bytesRead === 0) break;
      for (let i = body.indexOf(0x0a); i !== -1; i = body.indexOf(0x0a, i + 1)) lines++;
      offset += cut;
      carry = Buffer.from(chunk.subarray(cut));
    }
  } finally {
    await fh.close();
  }
}

/** Length of the prefix that ends on a character boundary (a multi-byte sequence may straddle chunks). */
function completeUtf8Prefix(b: Buffer): number {
  const n = b.length;
  for (let back = 1; back <= 4 && back <= n; back++) {
    const c = b[n - back] as number;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** The first byte where a UTF-8 sequence breaks (structure only; runs once, on the error path). */
function firstBadUtf8Byte(b: Buffer): number {
  for (let i = 0; i < b.length;) {
    const c = b[i] as number;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return Math.max(0, b.length - 1);
}

function invalidUtf8(offset: number, lines: number, chunk: Buffer): AppError {
  const bad = firstBadUtf8Byte(chunk);
  let line = lines;
  for (let i = 0; i < bad; i++) if (chunk[i] === 0x0a) line++;
  const byte = chunk[bad] ?? 0;
  return new AppError(
    'unprocessable',
    `the file is not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset + bad}, line ${line}); it is probably ISO-8859-1/Windows-1252: re-save it as UTF-8, or import with encoding=latin1`,
    { reason: 'invalid_utf8', offset: offset + bad, line },
  );
}
