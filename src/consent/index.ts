// The consent ledger: an append-only record of every grant and withdrawal, with its purpose,
// source, wording version, IP and user agent. There is deliberately no update or delete here;
// a database trigger (migration 0020) refuses UPDATEs as well.
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { AppError, notFound } from '../errors.js';
import { clampLimit, decodeCursor, toPage, type Page } from '../lib/cursor.js';

export const CONSENT_ACTIONS = ['granted', 'withdrawn'] as const;
export const CONSENT_SOURCES = ['form', 'api', 'import', 'admin'] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export interface ConsentEntry {
  id: number;
  contactId: number;
  purpose: string;
  action: ConsentAction;
  sourceType: ConsentSource;
  sourceId: string | null;
  wordingVersion: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: number;
}

export interface ConsentInput {
  purpose: string;
  action: ConsentAction;
  sourceType: ConsentSource;
  sourceId?: string | null;
  wordingVersion?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

function text(field: string, v: string | null | undefined, max: number): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (v.length > max || !v.isWellFormed() || /[\u0000-\u001f\u007f]/.test(v)) throw new AppError('bad_request', `${field} must be at most ${max} printable characters`, { field });
  return v;
}

export function validateConsent(input: ConsentInput): ConsentInput {
  if (!/^[a-z0-9_.:-]{1,100}$/i.test(input.purpose)) throw new AppError('bad_request', 'purpose must be 1-100 letters, digits, _ . : or -', { field: 'purpose' });
  if (!(CONSENT_ACTIONS as readonly string[]).includes(input.action)) throw new AppError('bad_request', 'action must be granted or withdrawn', { field: 'action' });
  if (!(CONSENT_SOURCES as readonly string[]).includes(input.sourceType)) throw new AppError('bad_request', 'source_type must be form, api, import or admin', { field: 'source_type' });
  return {
    purpose: input.purpose, action: input.action, sourceType: input.sourceType,
    sourceId: text('source_id', input.sourceId, 200), wordingVersion: text('wording_version', input.wordingVersion, 100),
    ip: text('ip', input.ip, 64), userAgent: text('user_agent', input.userAgent, 1000),
  };
}

function toEntry(r: { id: number; contact_id: number; purpose: string; action: string; source_type: string; source_id: string | null; wording_version: string | null; ip: string | null; user_agent: string | null; created_at: number }): ConsentEntry {
  return {
    id: Number(r.id), contactId: Number(r.contact_id), purpose: r.purpose, action: r.action as ConsentAction, sourceType: r.source_type as ConsentSource,
    sourceId: r.source_id, wordingVersion: r.wording_version, ip: r.ip, userAgent: r.user_agent, createdAt: Number(r.created_at),
  };
}

async function requireContact(db: Database, workspaceId: number, contactId: number): Promise<void> {
  const row = await db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!row) throw notFound('contact');
}

/** Appends one grant or withdrawal for a contact of the workspace. */
export async function recordConsent(ctx: { db: Database; clock: Clock }, workspaceId: number, contactId: number, input: ConsentInput): Promise<ConsentEntry> {
  const v = validateConsent(input);
  await requireContact(ctx.db, workspaceId, contactId);
  const row = await ctx.db.insertInto('consent_ledger').values({
    workspace_id: workspaceId, contact_id: contactId, purpose: v.purpose, action: v.action, source_type: v.sourceType,
    source_id: v.sourceId ?? null, wording_version: v.wordingVersion ?? null, ip: v.ip ?? null, user_agent: v.userAgent ?? null, created_at: ctx.clock.now(),
  }).returningAll().executeTakeFirstOrThrow();
  return toEntry(row);
}

/** The ledger of one contact, oldest first. */
export async function consentHistory(db: Database, workspaceId: number, contactId: number, f: { cursor?: string; limit?: number } = {}): Promise<Page<ConsentEntry>> {
  await requireContact(db, workspaceId, contactId);
  const limit = clampLimit(f.limit);
  const rows = await db.selectFrom('consent_ledger').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId)
    .where('id', '>', decodeCursor(f.cursor)).orderBy('id').limit(limit + 1).execute();
  const page = toPage(rows, limit, (r) => Number(r.id));
  return { data: page.data.map(toEntry), nextCursor: page.nextCursor };
}

/** The current state per purpose: the latest entry wins. */
export async function currentConsent(db: Database, workspaceId: number, contactId: number): Promise<Record<string, ConsentAction>> {
  const rows = await db.selectFrom('consent_ledger').select(['purpose', 'action']).where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId).orderBy('id').execute();
  const out: Record<string, ConsentAction> = {};
  for (const r of rows) out[r.purpose] = r.action as ConsentAction;
  return out;
}
