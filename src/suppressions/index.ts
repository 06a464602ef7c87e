// The workspace suppression list: addresses that must never be mailed again, whatever an import,
// upsert or API call says. Only an explicit, audited removal takes an address off it.
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { AppError } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import { emailKey } from '../contacts/email.js';

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
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function isSuppressed(db: Database, workspaceId: number, email: string): Promise<boolean> {
  const key = emailKey(email) ?? email.trim().toLowerCase();
  const row = await db.selectFrom('suppressions').select('id').where('workspace_id', '=', workspaceId).where('email', '=', key).executeTakeFirst();
  return !!row;
}

export async function getSuppression(db: Database, workspaceId: number, email: string): Promise<Suppression | null> {
  const key = emailKey(email) ?? email.trim().toLowerCase();
  const r = await db.selectFrom('suppressions').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', key).executeTakeFirst();
  return r ? { id: Number(r.id), email: r.email, reason: r.reason, source: r.source, details: r.details, createdAt: Number(r.created_at) } : null;
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
