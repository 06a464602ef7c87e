// The contract between the import pipeline and a database writer: one call per batch, one
// transaction per call, so a failure leaves whole batches committed and nothing half-written.
import type { ImportRow, Rejection } from '../validate.js';

export type ImportMode = 'add' | 'update' | 'overwrite';

export interface WriteTarget {
  workspaceId: number;
  jobId: number;
  mode: ImportMode;
  /** The list every written row joins, or null (contacts only). */
  listId: number | null;
  /** single opt-in lists → confirmed; double opt-in → unconfirmed. */
  membershipStatus: 'confirmed' | 'unconfirmed';
  purpose: string;
  wordingVersion: string | null;
}

export interface BatchOutcome {
  imported: number;
  updated: number;
  /** add mode: contacts that already existed and were left untouched (they may still join the list). */
  existing: number;
  addedToList: number;
  consentRows: number;
  /** Valid rows not written: suppressed, or not_found in update mode. */
  skipped: Rejection[];
  /** How many rejections (given + skipped) were stored in import_rejections. */
  rejectionsStored: number;
}

export interface ImportWriter {
  /** Writes rows and stores up to `storeLimit` rejections, atomically. */
  writeBatch(rows: ImportRow[], rejections: Rejection[], now: number, storeLimit: number): Promise<BatchOutcome>;
  /** Called once when the import ends, however it ends: undoes connection settings made for it. */
  close?(): void;
}

export function emptyOutcome(): BatchOutcome {
  return { imported: 0, updated: 0, existing: 0, addedToList: 0, consentRows: 0, skipped: [], rejectionsStored: 0 };
}

export function skip(row: ImportRow, reason: 'suppressed' | 'not_found'): Rejection {
  return { line: row.line, reason, detail: null, email: row.email };
}
