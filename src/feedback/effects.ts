// Applies a classified notification: links each recipient to its ledger row (VERP token first,
// then the original Message-ID), records it once (dedupe key), and for hard bounces, repeated
// soft bounces and complaints suppresses the address, updates the contact and the ledger.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { toJson } from '../db/dialect.js';
import { deliveryIdFromVerp } from '../delivery/verp.js';
import type { Logger } from '../log.js';
import { suppressAddress } from '../suppressions/index.js';
import { checkBreakers } from './breaker.js';
import { loadPolicy, type FeedbackPolicy } from './policy.js';
import { isSenderSideBlock } from './text-patterns.js';
import type { FeedbackResult, RecipientResult } from './types.js';

export interface FeedbackCtx {
  db: Database;
  clock: Clock;
  log: Logger;
  /** Instance secret: a VERP token names its ledger row by id under an HMAC of this secret. */
  secret: string;
}

export interface FeedbackInput {
  result: FeedbackResult;
  /** smtp|imap|ses|sendgrid|mailgun|postmark|api */
  source: string;
  /** Identity of the notification: sha256 of the raw message, or the provider's event id. */
  notificationId: string;
  verpToken?: string | null;
  /** Message-ID of the original when the caller knows it (webhooks); else result.original_message_id. */
  messageId?: string | null;
  occurredAt?: number;
}

export interface FeedbackOutcome {
  recorded: number;
  duplicates: number;
  unmatched: number;
  suppressed: string[];
  paused: number[];
}

interface DeliveryRow {
  id: number;
  workspace_id: number;
  campaign_id: number;
  contact_id: number;
  email: string;
  status: string;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function recordFeedback(ctx: FeedbackCtx, input: FeedbackInput): Promise<FeedbackOutcome> {
  const out: FeedbackOutcome = { recorded: 0, duplicates: 0, unmatched: 0, suppressed: [], paused: [] };
  const { result } = input;
  if (result.kind === 'not_feedback') return out;
  const candidates = await findDeliveries(ctx, input.verpToken ?? null, input.messageId ?? result.original_message_id);
  const campaigns = new Set<number>();
  for (const rcpt of result.recipients) {
    // A VERP token names exactly one ledger row; with a forwarded address the DSN recipient may differ.
    const delivery = candidates.find((d) => d.email.toLowerCase() === rcpt.address.toLowerCase())
      ?? (candidates.length === 1 && result.recipients.length === 1 ? candidates[0]! : null);
    const occurredAt = input.occurredAt ?? ctx.clock.now();
    const dedupeKey = sha256(`${input.notificationId}\n${rcpt.address.toLowerCase()}\n${result.kind}`);
    const applied = await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('feedback_events').values({
        workspace_id: delivery?.workspace_id ?? null, dedupe_key: dedupeKey, source: input.source, kind: result.kind,
        email: rcpt.address.toLowerCase().slice(0, 320), reason: rcpt.reason, hard: rcpt.hard ? 1 : 0, action: rcpt.action,
        status: rcpt.status, reply_code: rcpt.reply_code, diagnostic: rcpt.diagnostic, feedback_type: result.feedback_type,
        delivery_id: delivery?.id ?? null, campaign_id: delivery?.campaign_id ?? null, contact_id: delivery?.contact_id ?? null,
        occurred_at: occurredAt, created_at: ctx.clock.now(),
      }).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 'duplicate' as const;
      if (!delivery) return 'unmatched' as const;
      const policy = await loadPolicy(trx, delivery.workspace_id);
      const suppressed = await applyEffects({ db: trx, clock: ctx.clock }, delivery, rcpt, result, occurredAt, policy);
      if (suppressed) out.suppressed.push(rcpt.address.toLowerCase());
      return 'recorded' as const;
    });
    if (applied === 'duplicate') out.duplicates++;
    else if (applied === 'unmatched') out.unmatched++;
    else {
      out.recorded++;
      if (delivery && (rcpt.hard || result.kind === 'complaint')) campaigns.add(delivery.campaign_id);
    }
  }
  for (const campaignId of campaigns) out.paused.push(...(await checkBreakers(ctx, campaignId)));
  if (out.unmatched) ctx.log.info({ source: input.source, kind: result.kind, unmatched: out.unmatched }, 'feedback without a matching ledger row');
  return out;
}

async function findDeliveries(ctx: FeedbackCtx, verpToken: string | null, messageId: string | null): Promise<DeliveryRow[]> {
  const { db } = ctx;
  const cols = ['id', 'workspace_id', 'campaign_id', 'contact_id', 'email', 'status'] as const;
  // The token carries the row id under an HMAC (verp.ts): a forged or foreign one names nothing.
  // The ledger no longer stores tokens (its random-keyed index cost every send an index write).
  const id = verpToken ? deliveryIdFromVerp(ctx.secret, verpToken) : null;
  if (id !== null) {
    const rows = await db.selectFrom('deliveries').select(cols).where('id', '=', id).execute();
    if (rows.length) return rows.map(normalise);
  }
  if (messageId) {
    const bare = messageId.replace(/^<|>$/g, '');
    const rows = await db.selectFrom('deliveries').select(cols).where('message_id', 'in', [bare, `<${bare}>`]).execute();
    return rows.map(normalise);
  }
  return [];
}

function normalise(r: { id: unknown; workspace_id: unknown; campaign_id: unknown; contact_id: unknown; email: string; status: string }): DeliveryRow {
  return { id: Number(r.id), workspace_id: Number(r.workspace_id), campaign_id: Number(r.campaign_id), contact_id: Number(r.contact_id), email: r.email, status: r.status };
}

// Reasons that say something about the mailbox (full, disabled, timing out). Sender-side blocks
// (reputation, policy, content, rate) never count towards suppressing the recipient.
function countsAsSoftBounce(rcpt: RecipientResult): boolean {
  return !rcpt.hard && rcpt.action !== 'delayed' && !isSenderSideBlock(rcpt.reason) && !['vacation', 'delivered', 'feedback'].includes(rcpt.reason);
}

/** Returns true when the address was put on the suppression list by this notification. */
async function applyEffects(ctx: { db: Database; clock: Clock }, d: DeliveryRow, rcpt: RecipientResult, result: FeedbackResult, at: number, policy: FeedbackPolicy): Promise<boolean> {
  const db = ctx.db;
  const props = { reason: rcpt.reason, hard: rcpt.hard, status: rcpt.status, reply_code: rcpt.reply_code, delivery_id: d.id, feedback_type: result.feedback_type };
  if (result.kind === 'complaint') {
    if (result.feedback_type === 'not-spam') return false;
    await addEvent(db, d, 'complained', props, at, ctx.clock.now());
    await setContactStatus(db, d, 'complained', ['active', 'bounced', 'unsubscribed']);
    return suppressAddress(ctx, { workspaceId: d.workspace_id, email: rcpt.address, reason: 'complaint', source: 'feedback', details: result.feedback_type });
  }
  if (result.kind !== 'bounce' || rcpt.action === 'delayed') return false;
  // Ledger: a failure reported after "sent" turns the row failed; never rewrites a row that is already final otherwise.
  await db.updateTable('deliveries')
    .set({ status: 'failed', smtp_code: rcpt.reply_code, smtp_response: rcpt.diagnostic?.slice(0, 1000) ?? null, updated_at: ctx.clock.now() })
    .where('id', '=', d.id).where('status', 'in', ['sent', 'deferred', 'queued']).execute();
  await addEvent(db, d, 'bounced', props, at, ctx.clock.now());
  if (rcpt.hard) {
    await setContactStatus(db, d, 'bounced', ['active']);
    return suppressAddress(ctx, { workspaceId: d.workspace_id, email: rcpt.address, reason: 'hard_bounce', source: 'feedback', details: `${rcpt.reason} ${rcpt.status ?? ''}`.trim() });
  }
  if (!countsAsSoftBounce(rcpt)) return false;
  const since = at - policy.softBounceWindowMs;
  const rows = await db.selectFrom('feedback_events').select(['reason', 'hard', 'action']).where('workspace_id', '=', d.workspace_id)
    .where('email', '=', rcpt.address.toLowerCase()).where('kind', '=', 'bounce').where('occurred_at', '>=', since).execute();
  const soft = rows.filter((r) => countsAsSoftBounce({ ...rcpt, reason: r.reason as RecipientResult['reason'], hard: Number(r.hard) === 1, action: r.action })).length;
  if (soft < policy.softBounceLimit) return false;
  await setContactStatus(db, d, 'bounced', ['active']);
  return suppressAddress(ctx, { workspaceId: d.workspace_id, email: rcpt.address, reason: 'soft_bounce_limit', source: 'feedback', details: `${soft} soft bounces, last ${rcpt.reason}` });
}

async function addEvent(db: Database, d: DeliveryRow, name: string, props: Record<string, unknown>, at: number, now: number): Promise<void> {
  await db.insertInto('events').values({
    workspace_id: d.workspace_id, contact_id: d.contact_id, anonymous_id: null, name, properties: toJson(props),
    occurred_at: at, received_at: now, idempotency_key: null, source: 'feedback', campaign_id: d.campaign_id,
  }).execute();
}

async function setContactStatus(db: Database, d: DeliveryRow, status: string, from: string[]): Promise<void> {
  await db.updateTable('contacts').set({ status }).where('workspace_id', '=', d.workspace_id).where('id', '=', d.contact_id).where('status', 'in', from).execute();
}
