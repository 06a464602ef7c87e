// Mailgun webhooks: HMAC-SHA256(signing key, timestamp + token) must equal the signature, and the
// timestamp must be recent (replay). Maps "failed" (permanent/temporary) and "complained" events.
import { createHmac } from 'node:crypto';
import { asObject, complaintResult, espRecipient, bounceResult, safeEqual, str, WebhookRejected, type WebhookNotification } from './common.js';

export const MAILGUN_MAX_SKEW_MS = 10 * 60_000;

export function verifyMailgun(signingKey: string, body: unknown, now: number): void {
  const sig = asObject(asObject(body).signature);
  const timestamp = str(sig.timestamp);
  const token = str(sig.token);
  const signature = str(sig.signature);
  if (!timestamp || !token || !signature) throw new WebhookRejected('missing Mailgun signature');
  if (Math.abs(now - Number(timestamp) * 1000) > MAILGUN_MAX_SKEW_MS) throw new WebhookRejected('Mailgun timestamp outside the allowed window');
  const expected = createHmac('sha256', signingKey).update(timestamp + token).digest('hex');
  if (!safeEqual(expected, signature)) throw new WebhookRejected('Mailgun signature does not verify');
}

export function parseMailgun(body: unknown): WebhookNotification[] {
  const e = asObject(asObject(body)['event-data']);
  const id = str(e.id);
  const recipient = str(e.recipient);
  if (!id || !recipient) return [];
  const headers = asObject(asObject(e.message).headers);
  const vars = asObject(e['user-variables']);
  const base = { notificationId: `mailgun:${id}`, verpToken: str(vars.verp_token), messageId: str(headers['message-id']), occurredAt: typeof e.timestamp === 'number' ? Math.round(e.timestamp * 1000) : null };
  if (e.event === 'complained') return [{ ...base, result: complaintResult([recipient], 'abuse') }];
  if (e.event !== 'failed') return [];
  const ds = asObject(e['delivery-status']);
  const permanent = e.severity === 'permanent';
  const diagnostic = [str(ds.code), str(ds['enhanced-code']), str(ds.message), str(ds.description)].filter(Boolean).join(' ') || str(e.reason);
  const suppressed = /^suppress-/.test(String(e.reason ?? ''));
  return [{ ...base, result: bounceResult([espRecipient(recipient, { action: permanent ? 'failed' : 'delayed', status: str(ds['enhanced-code']), diagnostic, permanent, forceReason: suppressed ? 'suppressed' : null })]) }];
}
