// Contact export as a stream: keyset batches over contacts.id (optionally joined to one list's
// memberships), rendered to CSV or NDJSON. Memory holds one batch: the next batch is only read
// when the consumer has drained the stream (Readable.from pulls the generator on demand).
import { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { fromJson } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import { isContactStatus, statusIs, type ContactRow, type ContactStatus } from '../contacts/model.js';
import { loadAttributeDefinitions, type Attributes } from '../contacts/attributes.js';
import { MEMBERSHIP_STATUSES } from '../contacts/search.js';
import { csvRow } from './csv.js';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const BUILTIN_COLUMNS = ['email', 'first_name', 'last_name', 'status', 'timezone', 'created_at'] as const;

export interface ContactExportFilter {
  listId?: number;
  membershipStatus?: string;
  status?: string;
}

export interface ContactExportOptions extends ContactExportFilter {
  format: ExportFormat;
  actor: string;
  ip?: string | null;
  batchSize?: number;
  /** Test hook: called with the number of rows after each batch is read from the database. */
  onBatch?: (rows: number) => void;
}

export interface ContactExport {
  columns: string[];
  contentType: string;
  extension: string;
  stream: Readable;
}

type Ctx = { db: Database; clock: Clock };

async function validateFilter(db: Database, workspaceId: number, f: ContactExportFilter): Promise<void> {
  if (f.status !== undefined && !isContactStatus(f.status)) throw new AppError('bad_request', 'status must be one of active, unsubscribed, bounced, complained, blocked');
  if (f.membershipStatus !== undefined) {
    if (f.listId === undefined) throw new AppError('bad_request', 'membership_status needs list_id');
    if (!(MEMBERSHIP_STATUSES as readonly string[]).includes(f.membershipStatus)) throw new AppError('bad_request', 'membership_status must be unconfirmed, confirmed or unsubscribed');
  }
  if (f.listId !== undefined) {
    const list = await db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('id', '=', f.listId).executeTakeFirst();
    if (!list) throw notFound('list');
  }
}

interface Batch {
  rows: ContactRow[];
  /** Keyset position after this batch; null when the walk is finished. */
  next: number | null;
}

/**
 * One keyset batch in id order. Without a list: the (workspace_id, id) index. With a list: first
 * the next `size` member ids from list_memberships' primary key (list_id, contact_id) — a plain
 * ordered index range — then those contacts by primary key. A single join ordered by id let
 * PostgreSQL (with stale statistics after a bulk import) sort every remaining member per batch.
 */
async function readBatch(db: Database, workspaceId: number, f: ContactExportFilter, after: number, size: number): Promise<Batch> {
  if (f.listId === undefined) {
    let q = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '>', after);
    if (f.status !== undefined) q = q.where(statusIs('status', f.status as ContactStatus));
    const rows = await q.orderBy('id').limit(size).execute();
    return { rows, next: rows.length < size ? null : Number(rows[rows.length - 1]!.id) };
  }
  let m = db.selectFrom('list_memberships').select('contact_id').where('list_id', '=', f.listId).where('workspace_id', '=', workspaceId).where('contact_id', '>', after);
  if (f.membershipStatus !== undefined) m = m.where('status', '=', f.membershipStatus);
  const ids = (await m.orderBy('contact_id').limit(size).execute()).map((r) => Number(r.contact_id));
  if (ids.length === 0) return { rows: [], next: null };
  let q = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids);
  if (f.status !== undefined) q = q.where(statusIs('status', f.status as ContactStatus));
  const rows = await q.orderBy('id').execute();
  return { rows, next: ids.length < size ? null : ids[ids.length - 1]! };
}

function renderRow(format: ExportFormat, r: ContactRow, attrNames: string[]): string {
  const attrs = fromJson<Attributes>(r.attributes, {});
  const created = new Date(Number(r.created_at)).toISOString();
  if (format === 'csv') return csvRow([r.email, r.first_name, r.last_name, r.status, r.timezone, created, ...attrNames.map((n) => attrs[n] ?? null)]);
  return `${JSON.stringify({ email: r.email, first_name: r.first_name, last_name: r.last_name, status: r.status, timezone: r.timezone, created_at: created, attributes: attrs })}\n`;
}

/**
 * Starts an export: validates the filter (a list of another workspace is a 404 before any byte is
 * sent), then returns the stream. The audit entry (contacts.export, with the row count and
 * whether the stream completed) is written when the stream ends or is abandoned.
 */
export async function exportContacts(ctx: Ctx, workspaceId: number, opts: ContactExportOptions): Promise<ContactExport> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new AppError('bad_request', 'format must be csv or json');
  await validateFilter(ctx.db, workspaceId, opts);
  const attrNames = [...(await loadAttributeDefinitions(ctx.db, workspaceId)).keys()];
  const columns = [...BUILTIN_COLUMNS, ...attrNames];
  const batchSize = opts.batchSize ?? 1000;
  const filter: ContactExportFilter = { listId: opts.listId, membershipStatus: opts.membershipStatus, status: opts.status };

  async function* generate(): AsyncGenerator<string> {
    let rows = 0;
    let completed = false;
    try {
      if (opts.format === 'csv') yield csvRow(columns);
      let after: number | null = 0;
      while (after !== null) {
        const batch: Batch = await readBatch(ctx.db, workspaceId, filter, after, batchSize);
        opts.onBatch?.(batch.rows.length);
        let chunk = '';
        for (const r of batch.rows) chunk += renderRow(opts.format, r, attrNames);
        rows += batch.rows.length;
        after = batch.next;
        if (chunk) yield chunk;
      }
      completed = true;
    } finally {
      await recordAudit(ctx.db, ctx.clock, {
        workspaceId, actor: opts.actor, action: 'contacts.export', targetType: opts.listId !== undefined ? 'list' : 'workspace',
        targetId: opts.listId ?? workspaceId, ip: opts.ip ?? null,
        details: { rows, format: opts.format, completed, list_id: opts.listId ?? null, status: opts.status ?? null, membership_status: opts.membershipStatus ?? null },
      });
    }
  }

  return {
    columns,
    contentType: opts.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    extension: opts.format === 'csv' ? 'csv' : 'ndjson',
    stream: Readable.from(generate(), { objectMode: false, highWaterMark: 64 * 1024 }),
  };
}
