// Contact export as a stream: keyset batches over contacts.id (optionally joined to one list's
// memberships), rendered to CSV or NDJSON. Memory holds one batch: the next batch is only read
// when the consumer has drained the stream (Readable.from pulls the generator on demand).
import { Readable } from 'node:stream';
import { sql, type SqlBool } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { fromJson } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import { isContactStatus, type ContactRow } from '../contacts/model.js';
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

/** One keyset batch: ids above `after`, in id order, on the (workspace, …, id) indexes. */
async function readBatch(db: Database, workspaceId: number, f: ContactExportFilter, after: number, size: number): Promise<ContactRow[]> {
  let q = db.selectFrom('contacts').selectAll('contacts').where('contacts.workspace_id', '=', workspaceId).where('contacts.id', '>', after);
  if (f.status !== undefined) q = q.where('contacts.status', '=', f.status);
  if (f.listId !== undefined) {
    const listId = f.listId;
    q = q.innerJoin('list_memberships as lm', (j) => j.onRef('lm.contact_id', '=', 'contacts.id').on('lm.list_id', '=', listId).on('lm.workspace_id', '=', workspaceId));
    if (f.membershipStatus !== undefined) {
      const ms = f.membershipStatus;
      q = q.where(() => sql<SqlBool>`lm.status = ${ms}`);
    }
  }
  return q.orderBy('contacts.id').limit(size).execute();
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
      let after = 0;
      for (;;) {
        const batch = await readBatch(ctx.db, workspaceId, filter, after, batchSize);
        opts.onBatch?.(batch.length);
        if (batch.length === 0) break;
        let chunk = '';
        for (const r of batch) chunk += renderRow(opts.format, r, attrNames);
        rows += batch.length;
        after = Number(batch[batch.length - 1]!.id);
        yield chunk;
        if (batch.length < batchSize) break;
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
