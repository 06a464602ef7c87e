// Opaque keyset cursors: the API hands out base64url("<id>") so clients cannot mistake it for an
// offset, and the server walks "id > cursor ORDER BY id" on an index instead of OFFSET scans.
import { AppError } from '../errors.js';

export function encodeCursor(id: number): string {
  return Buffer.from(`k${id}`, 'utf8').toString('base64url');
}

/** The id after which the next page starts (0 for the first page); a forged cursor is a 400. */
export function decodeCursor(cursor: string | undefined | null): number {
  if (!cursor) return 0;
  const raw = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^k(\d{1,15})$/.exec(raw);
  if (!m) throw new AppError('bad_request', 'invalid cursor: pass next_cursor from a previous page unchanged');
  return Number(m[1]);
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Turns limit+1 fetched rows into a page and the cursor of its last row. */
export function toPage<T>(rows: T[], limit: number, idOf: (row: T) => number): Page<T> {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, nextCursor: more && last !== undefined ? encodeCursor(idOf(last)) : null };
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.max(1, Math.min(MAX_LIMIT, Math.floor(limit)));
}
