// SendGrid signed Event Webhook: ECDSA P-256/SHA-256 over timestamp + raw body with the
// account's verification key; stale timestamps are refused (replay). Maps bounce, blocked,
// dropped, deferred and spamreport events.
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { asObject, complaintResult, espRecipient, bounceResult, str, WebhookRejected, type WebhookNotification } from './common.js';

export const SENDGRID_MAX_SKEW_MS = 10 * 60_000;

export function sendgridKey(publicKey: string): KeyObject {
  const der = publicKey.includes('BEGIN') ? publicKey : `-----BEGIN PUBLIC KEY-----\n${publicKey}\n-----END PUBLIC KEY-----`;
  return createPublicKey(der);
}

export function verifySendgrid(key: KeyObject, rawBody: string, signature: string | undefined, timestamp: string | undefined, now: number): void {
  if (!signature || !timestamp) throw new WebhookRejected('missing SendGrid signature headers');
  const ts = Number(timestamp) * 1000;
  if (!Number.isFinite(ts) || Math.abs(now - ts) > SENDGRID_MAX_SKEW_MS) throw new WebhookRejected('SendGrid timestamp outside the allowed window');
  const ok = createVerify('sha256').update(timestamp + rawBody).verify(key, signature, 'base64');
  if (!ok) throw new WebhookRejected('SendGrid signature does not verify');
}

export function parseSendgrid(body: unknown): WebhookNotification[] {
  if (!Array.isArray(body)) throw new WebhookRejected('SendGrid events must be a JSON array', 400);
  const out: WebhookNotification[] = [];
  for (const item of body.slice(0, 1000)) {
    const e = asObject(item);
    const email = str(e.email);
    const id = str(e.sg_event_id);
    if (!email || !id) continue;
    const messageId = str(e['smtp-id']);
    const base = { notificationId: `sendgrid:${id}`, verpToken: str(e.verp_token), messageId, occurredAt: typeof e.timestamp === 'number' ? e.timestamp * 1000 : null };
    const event = str(e.event);
    if (event === 'spamreport') out.push({ ...base, result: complaintResult([email], 'abuse') });
    else if (event === 'bounce') {
      out.push({ ...base, result: bounceResult([espRecipient(email, { action: 'failed', status: str(e.status), diagnostic: str(e.reason), permanent: e.type !== 'blocked' })]) });
    } else if (event === 'deferred') {
      out.push({ ...base, result: bounceResult([espRecipient(email, { action: 'delayed', diagnostic: str(e.response) ?? str(e.reason), permanent: false })]) });
    } else if (event === 'dropped') {
      // SendGrid's own suppression ("Bounced Address", "Unsubscribed Address", "Spam Reporting Address").
      out.push({ ...base, result: bounceResult([espRecipient(email, { action: 'failed', diagnostic: str(e.reason), forceReason: 'suppressed' })]) });
    }
  }
  return out;
}
