// Postmark bounce and spam-complaint webhooks, authenticated with HTTP Basic credentials set on
// the webhook URL (Postmark's documented way). When Postmark includes the raw bounce (Content),
// it is classified like any bounce; otherwise its bounce Type is mapped.
import { classifyFeedback } from '../classify.js';
import type { Reason } from '../types.js';
import { asObject, complaintResult, espRecipient, bounceResult, safeEqual, str, WebhookRejected, type WebhookNotification } from './common.js';

export function verifyPostmark(expected: string, authorization: string | undefined): void {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
  if (!m || !safeEqual(Buffer.from(m[1]!, 'base64').toString('utf8'), expected)) throw new WebhookRejected('Postmark credentials do not match');
}

// Postmark bounce types (postmarkapp.com/developer/api/bounce-api#bounce-types) → reason, hard.
const TYPES: Record<string, { reason: Reason; hard: boolean; action: string }> = {
  HardBounce: { reason: 'user_unknown', hard: true, action: 'failed' },
  BadEmailAddress: { reason: 'user_unknown', hard: true, action: 'failed' },
  SoftBounce: { reason: 'undefined', hard: false, action: 'failed' },
  Transient: { reason: 'expired', hard: false, action: 'delayed' },
  DnsError: { reason: 'network_error', hard: false, action: 'delayed' },
  SpamNotification: { reason: 'spam_detected', hard: false, action: 'failed' },
  Blocked: { reason: 'blocked', hard: false, action: 'failed' },
  ContentRelated: { reason: 'content_error', hard: false, action: 'failed' },
  ManuallyDeactivated: { reason: 'suppressed', hard: false, action: 'failed' },
  InboundError: { reason: 'system_error', hard: false, action: 'failed' },
  SMTPApiError: { reason: 'system_error', hard: false, action: 'failed' },
  VirusNotification: { reason: 'virus_detected', hard: false, action: 'failed' },
  ChallengeVerification: { reason: 'vacation', hard: false, action: 'failed' },
};

export async function parsePostmark(body: unknown): Promise<WebhookNotification[]> {
  const e = asObject(body);
  const email = str(e.Email);
  const id = str(e.ID);
  if (!email || !id) return [];
  const meta = asObject(e.Metadata);
  const base = { notificationId: `postmark:${str(e.RecordType)}:${id}`, verpToken: str(meta.verp_token), messageId: str(meta.message_id), occurredAt: Date.parse(String(e.BouncedAt ?? '')) || null };
  const type = str(e.Type) ?? '';
  if (e.RecordType === 'SpamComplaint' || type === 'SpamComplaint') return [{ ...base, result: complaintResult([email], 'abuse') }];
  if (type === 'AutoResponder') return [];
  const content = str(e.Content);
  if (content) {
    const parsed = await classifyFeedback(content);
    const mine = parsed.recipients.find((r) => r.address.toLowerCase() === email.toLowerCase());
    if (parsed.kind === 'bounce' && mine) return [{ ...base, messageId: base.messageId ?? parsed.original_message_id, result: bounceResult([mine]) }];
  }
  const mapped = TYPES[type] ?? { reason: 'undefined' as Reason, hard: false, action: 'failed' };
  const r = espRecipient(email, { action: mapped.action, diagnostic: str(e.Details) ?? str(e.Description), permanent: mapped.hard });
  // The text may refine the type (a HardBounce that says "blocked" is a block); the type is the fallback.
  const reason = r.reason === 'undefined' ? mapped.reason : r.reason;
  return [{ ...base, result: bounceResult([{ ...r, reason, hard: mapped.hard && ['user_unknown', 'host_unknown', 'has_moved'].includes(reason) }]) }];
}
