// Checks an import file before a job exists: encoding, binary junk, emptiness and the header
// (no email column → 422 with the headers found). Nothing is written until these pass.
import { open, stat } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { CsvTokenizer, sniffDelimiter } from './csv.js';
import { assertUtf8File, createDecoder, sniffEncoding, type SniffResult } from './decode.js';
import type { ImportParams } from './job.js';
import { compileHeaderMapping, KeyMapper, type CompiledMapping } from './mapping.js';

export const MAX_ROW_BYTES = 1 << 20;
const HEAD_BYTES = 256 * 1024;

export interface Preflight {
  sniff: SniffResult;
  totalBytes: number;
  /** CSV only. */
  delimiter: string;
  /** CSV: the compiled header mapping; NDJSON: null (keys are mapped per line). */
  mapping: CompiledMapping | null;
}

export async function preflightImport(path: string, params: Pick<ImportParams, 'format' | 'encoding' | 'delimiter' | 'mapping'>): Promise<Preflight> {
  const { size } = await stat(path);
  if (size === 0) throw new AppError('unprocessable', 'the file is empty', { reason: 'empty_file' });
  const head = await readHead(path, HEAD_BYTES);
  const sniff = sniffEncoding(head, params.encoding);
  if (sniff.encoding === 'utf8') await assertUtf8File(path);
  let text: string;
  try {
    text = createDecoder(sniff.encoding).decode(head, { stream: true });
  } catch {
    throw new AppError('unprocessable', `the file is not valid ${sniff.encoding}`, { reason: 'invalid_encoding' });
  }
  if (text.trim() === '') throw new AppError('unprocessable', 'the file holds no rows (only blank space)', { reason: 'empty_file' });
  const whole = size <= HEAD_BYTES;
  if (params.format === 'ndjson') {
    checkNdjsonHead(text, params.mapping);
    return { sniff, totalBytes: size, delimiter: ',', mapping: null };
  }
  const delimiter = params.delimiter ?? sniffDelimiter(text);
  const records: string[][] = [];
  const tok = new CsvTokenizer(delimiter, MAX_ROW_BYTES, { record: (f) => { if (records.length < 2) records.push(f); }, broken: () => {} });
  tok.push(text);
  if (whole) tok.end();
  const header = records[0];
  if (!header) throw new AppError('unprocessable', `the header row is missing or longer than ${HEAD_BYTES / 1024} KB`, { reason: 'no_header' });
  const mapping = compileHeaderMapping(header, params.mapping);
  if (whole && records.length < 2) throw new AppError('unprocessable', 'the file has a header row but no data rows', { reason: 'no_rows', headers: header });
  return { sniff, totalBytes: size, delimiter, mapping };
}

function checkNdjsonHead(text: string, explicit: ImportParams['mapping']): void {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) throw new AppError('unprocessable', 'the file holds no rows', { reason: 'empty_file' });
  let obj: unknown;
  try {
    obj = JSON.parse(first);
  } catch {
    throw new AppError('unprocessable', 'the first line is not JSON: NDJSON needs one JSON object per line (is this a CSV file? use format=csv)', { reason: 'invalid_json' });
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new AppError('unprocessable', 'the first line is not a JSON object: NDJSON needs one object per line', { reason: 'invalid_json' });
  }
  const mapper = new KeyMapper(explicit);
  const keys = Object.keys(obj);
  if (!keys.some((k) => { const t = mapper.target(k); return t.kind === 'field' && t.field === 'email'; })) {
    throw new AppError('unprocessable', `no email key in the first object: found ${keys.map((k) => JSON.stringify(k)).join(', ') || 'no keys'}`, { reason: 'no_email_column', headers: keys });
  }
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
