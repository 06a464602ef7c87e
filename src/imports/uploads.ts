// Import uploads: the API spools a request body to a temp file under POSTLANE_DATA_DIR/imports/
// for the job to read; the job deletes it when it ends. A process that dies mid-import (crash,
// kill, restart) cannot, so startup removes upload files older than a day.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { randomToken } from '../lib/crypto.js';

/** Upload cap for import bodies (JSON routes keep the small global limit). */
export const IMPORT_BODY_LIMIT = 2 * 1024 ** 3;
/** An upload this old belongs to no running import (1M rows take seconds): it was orphaned. */
export const STALE_UPLOAD_MS = 24 * 60 * 60_000;
const UPLOAD_FILE = /^upload-[A-Za-z0-9_-]+\.tmp$/;

export function uploadDir(dataDir: string): string {
  return join(dataDir, 'imports');
}

/** Copies the body to a temp file, enforcing the size cap; the file is removed if anything fails. */
export async function spoolUpload(dataDir: string, body: Readable): Promise<string> {
  const dir = uploadDir(dataDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `upload-${randomToken(12)}.tmp`);
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > IMPORT_BODY_LIMIT) cb(new AppError('payload_too_large', `import files are limited to ${IMPORT_BODY_LIMIT / 1024 ** 3} GB`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(body, cap, createWriteStream(path));
    return path;
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('bad_request', `the upload was interrupted: ${(err as Error).message}`);
  }
}

/**
 * Deletes upload files older than `maxAgeMs` (by modification time) left by a process that died
 * mid-import; only names the spooler writes are touched. Returns how many were removed.
 */
export async function removeStaleUploads(dataDir: string, now: number, maxAgeMs = STALE_UPLOAD_MS): Promise<number> {
  let names: string[];
  try {
    names = await readdir(uploadDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!UPLOAD_FILE.test(name)) continue;
    const path = join(uploadDir(dataDir), name);
    const st = await stat(path).catch(() => null);
    if (!st?.isFile() || now - st.mtimeMs < maxAgeMs) continue;
    await rm(path, { force: true });
    removed++;
  }
  return removed;
}
