// The workspace suppression list: addresses that must never be mailed again, whatever an import,
// upsert or API call says. Only an explicit, audited removal takes an address off it.
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { AppError } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import { emailKey } from '../contacts/email.js';
import { SUPPRESSION_STATUS, statusForSuppression } from '../contacts/model.js';
import { startsWith } from '../lib/like.js';
import { clampLimit, decodeCursor, toPage, type Page } from '../lib/cursor.js';

export const SUPPRESSION_REASONS = ['hard_bounce', 'soft_bounce_limit', 'complaint', 'unsubscribe', 'manual', 'invalid', 'erasure', 'other'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface Suppression {
  id: number;
  email: string;
  reason: string;
  source: string;
  details: string | null;
  createdAt: number;
}

type Ctx = { db: Database; clock: Clock };

/** Adds an address; an existing entry is kept as it is (the first reason stands). Returns true when added. */
export async function suppressAddress(
  ctx: Ctx,
  input: { workspaceId: number; email: string; reason: SuppressionReason | string; source: string; details?: string | null },
): Promise<boolean> {
  const key = emailKey(input.email) ?? input.email.trim().toLowerCase();
  if (!key) throw new AppError('bad_request', 'an email address is required');
  const res = await ctx.db
    .insertInto('suppressions')
    .values({ workspace_id: input.workspaceId, email: key, reason: input.reason, source: input.source, details: input.details ?? null, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing())
    .executeTakeFirst();
  const added = Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  // The contact with this address stops being "active"; an existing opt-out status
  // (unsubscribed, bounced, complained) or "blocked" is more specific and stays.
  await ctx.db.updateTable('contacts').set({ status: statusForSuppression(String(input.reason)), updated_at: ctx.clock.now() })
    .where('workspace_id', '=', input.workspaceId).where('email_lower', '=', key).where('status', '=', 'active').execute();
  return added;
}

export async function isSuppressed(db: Database, workspaceId: number, email: string): Promise<boolean> {
  const key = emailKey(email) ?? email.trim().toLowerCase();
  const row = await db.selectFrom('suppressions').select('id').where('workspace_id', '=', workspaceId).where('email', '=', key).executeTakeFirst();
  return !!row;
}

export async function getSuppression(db: Database, workspaceId: number, email: string): Promise<Suppression | null> {
  const key = emailKey(email) ?? email.trim().toLowerCase();
  const r = await db.selectFrom('suppressions').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', key).executeTakeFirst();
  return r ? toSuppression(r) : null;
}

/** Removes an address from the list; always audited with the actor and the reason given. */
export async function removeSuppression(ctx: Ctx, input: { workspaceId: number; email: string; actor: string; reason?: string | null }): Promise<boolean> {
  const key = emailKey(input.email) ?? input.email.trim().toLowerCase();
  const existing = await getSuppression(ctx.db, input.workspaceId, key);
  if (!existing) return false;
  await ctx.db.deleteFrom('suppressions').where('workspace_id', '=', input.workspaceId).where('email', '=', key).execute();
  await recordAudit(ctx.db, ctx.clock, {
    workspaceId: input.workspaceId, actor: input.actor, action: 'suppressions.remove', targetType: 'suppression', targetId: key,
    details: { previous_reason: existing.reason, previous_source: existing.source, reason: input.reason ?? null },
  });
  return true;
}

export interface SuppressionSearch {
  /** Prefix of the address. */
  q?: string;
  reason?: string;
  cursor?: string;
  limit?: number;
}

function toSuppression(r: { id: number; email: string; reason: string; source: string; details: string | null; created_at: number }): Suppression {
  return { id: Number(r.id), email: r.email, reason: r.reason, source: r.source, details: r.details, createdAt: Number(r.created_at) };
}

/** Pages through the list in id order (keyset), optionally by address prefix and reason. */
export async function listSuppressions(db: Database, workspaceId: number, f: SuppressionSearch): Promise<Page<Suppression>> {
  const limit = clampLimit(f.limit);
  let q = db.selectFrom('suppressions').selectAll().where('workspace_id', '=', workspaceId).where('id', '>', decodeCursor(f.cursor));
  if (f.q) q = q.where(startsWith('email', f.q.trim().toLowerCase()));
  if (f.reason) q = q.where('reason', '=', f.reason);
  const rows = await q.orderBy('id').limit(limit + 1).execute();
  const page = toPage(rows, limit, (r) => Number(r.id));
  return { data: page.data.map(toSuppression), nextCursor: page.nextCursor };
}

/**
 * Bulk form of the rule "a suppressed address is never active": sets every active contact of the
 * workspace whose address is suppressed to the status its reason implies. For importers and other
 * bulk writers, to run after their inserts (one UPDATE over the suppression index, no per-row calls).
 * Returns the number of contacts changed.
 */
export async function enforceSuppressions(ctx: Ctx, workspaceId: number): Promise<number> {
  const reason = sql`(select s.reason from suppressions s where s.workspace_id = contacts.workspace_id and s.email = contacts.email_lower)`;
  const res = await ctx.db.updateTable('contacts')
    .set({
      status: sql<string>`case ${reason} ${sql.join(Object.entries(SUPPRESSION_STATUS).map(([r, st]) => sql`when ${r} then ${st}`), sql` `)} else 'blocked' end`,
      updated_at: ctx.clock.now(),
    })
    .where('workspace_id', '=', workspaceId).where('status', '=', 'active')
    .where(({ exists, selectFrom }) => exists(selectFrom('suppressions as s').select('s.id')
      .whereRef('s.workspace_id', '=', 'contacts.workspace_id').whereRef('s.email', '=', 'contacts.email_lower')))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
