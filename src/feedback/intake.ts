// One entry for raw feedback messages from any transport (inbound SMTP, IMAP, CLI): classify,
// find the VERP token (envelope recipient first, then the notification's To) and record once.
// Mail to the List-Unsubscribe mailto is an unsubscribe request, never feedback (unsubscribe-intake.ts).
import { classifyFeedbackMessage } from './classify.js';
import { recordFeedback, sha256, type FeedbackCtx, type FeedbackOutcome } from './effects.js';
import type { FeedbackResult } from './types.js';
import { applyUnsubscribeMail, isUnsubscribeRequest, type UnsubscribeIntake } from './unsubscribe-intake.js';


// Return-Path format written by the delivery engine: bounce+TOKEN@bounce-domain.
const VERP = /^bounce\+([A-Za-z0-9_-]{1,100})@([^@\s>]+)$/i;

/** The VERP token of an address on our bounce domain, or null (other domains are never trusted). */
export function verpTokenOf(address: string | null | undefined, bounceDomain: string | null): string | null {
  if (!address) return null;
  const m = VERP.exec(address.trim().replace(/^<|>$/g, ''));
  if (!m) return null;
  if (bounceDomain && m[2]!.toLowerCase() !== bounceDomain.toLowerCase()) return null;
  return m[1]!;
}

export interface RawIntake {
  raw: Buffer;
  source: 'smtp' | 'imap' | 'api';
  /** SMTP RCPT TO addresses (authoritative for VERP); empty for IMAP. */
  envelopeTo?: string[];
  bounceDomain: string | null;
}

export async function ingestRawMessage(ctx: FeedbackCtx, input: RawIntake): Promise<{ result: FeedbackResult; outcome: FeedbackOutcome; unsubscribe: UnsubscribeIntake | null }> {
  const { result, msg } = await classifyFeedbackMessage(input.raw);
  if (msg && isUnsubscribeRequest(msg, result, input.envelopeTo ?? [])) {
    return { result, outcome: { recorded: 0, duplicates: 0, unmatched: 0, suppressed: [], paused: [] }, unsubscribe: await applyUnsubscribeMail(ctx, msg, input) };
  }
  const token = (input.envelopeTo ?? []).map((a) => verpTokenOf(a, input.bounceDomain)).find((t) => t) ?? verpTokenOf(result.notification_to, input.bounceDomain);
  // The same bytes delivered twice (SMTP retry after a lost reply, IMAP re-poll) have the same identity.
  const outcome = await recordFeedback(ctx, { result, source: input.source, notificationId: `raw:${sha256(input.raw)}`, verpToken: token });
  return { result, outcome, unsubscribe: null };
}
