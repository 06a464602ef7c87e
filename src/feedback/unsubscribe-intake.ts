// Unsubscribe requests arriving with the feedback mail (inbound SMTP, IMAP): tells them apart from
// bounces and complaints, applies them through compliance's unsubscribe action and records each in
// feedback_events (kind `unsubscribe`), so retries are recognised and rejected tokens are counted.
import { isUnsubscribeAddress, mailUnsubscribeToken, unsubscribeByMail, type MailUnsubscribeStatus } from '../compliance/index.js';
import { sha256, type FeedbackCtx } from './effects.js';
import { cleanAddress, type ParsedMessage } from './mime.js';
import type { FeedbackResult } from './types.js';

export interface UnsubscribeIntake {
  status: MailUnsubscribeStatus;
  /** False when the same message was already recorded (an SMTP retry, an IMAP re-poll). */
  recorded: boolean;
}

/**
 * Whether a mail is an unsubscribe request rather than feedback:
 * - addressed to unsubscribe@… (the SMTP envelope when there is one, else To / Delivered-To /
 *   X-Original-To as IMAP has no envelope): always, whatever its body looks like — we never send
 *   from that address, so no bounce or complaint is meant for it;
 * - otherwise only when the subject carries an unsubscribe token AND the classifier found no
 *   bounce, complaint, auto-reply or report: a bounce titled with the original subject stays a bounce.
 */
export function isUnsubscribeRequest(msg: ParsedMessage | null, result: FeedbackResult, envelopeTo: readonly string[]): boolean {
  if (!msg) return false;
  const recipients = envelopeTo.length > 0 ? envelopeTo : [msg.to, cleanAddress(msg.headers.get('delivered-to')), cleanAddress(msg.headers.get('x-original-to'))];
  if (recipients.some((a) => isUnsubscribeAddress(a))) return true;
  return result.kind === 'not_feedback' && mailUnsubscribeToken(msg.subject) !== null;
}

export async function applyUnsubscribeMail(ctx: FeedbackCtx, msg: ParsedMessage, input: { raw: Buffer; source: string }): Promise<UnsubscribeIntake> {
  // The action first: it is idempotent, so a failure after it is safely retried by the sender.
  const r = await unsubscribeByMail(ctx, msg.subject);
  const sender = cleanAddress(msg.from)?.toLowerCase().slice(0, 320) ?? null;
  const now = ctx.clock.now();
  const inserted = await ctx.db.insertInto('feedback_events').values({
    workspace_id: r.claim?.workspaceId ?? null, dedupe_key: sha256(`raw:${sha256(input.raw)}\nunsubscribe`), source: input.source, kind: 'unsubscribe',
    email: sender, reason: r.status, hard: 0, action: null, status: null, reply_code: null, diagnostic: null, feedback_type: null, delivery_id: null,
    campaign_id: r.claim?.campaignId || null, contact_id: r.outcome?.contactFound ? r.claim!.contactId : null, occurred_at: now, created_at: now,
  }).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  const recorded = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  const fields = { component: 'unsubscribe-mail', source: input.source, status: r.status, workspaceId: r.claim?.workspaceId, contactId: r.claim?.contactId, campaignId: r.claim?.campaignId, skippedDeliveries: r.outcome?.skippedDeliveries, duplicate: !recorded };
  if (r.status === 'unsubscribed' || r.status === 'already_unsubscribed') ctx.log.info(fields, 'unsubscribe request by mail applied');
  // Never the subject or the token in logs: only why the request changed nothing.
  else ctx.log.warn(fields, 'unsubscribe request by mail rejected; nothing changed');
  return { status: r.status, recorded };
}
