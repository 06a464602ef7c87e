// Amazon SES notifications over SNS: the SNS message signature is verified (SignatureVersion 1
// SHA1 / 2 SHA256, certificate only from https://sns.<region>.amazonaws.com, fetched through an
// injectable getter), the topic must be on the allow-list, then bounce/complaint JSON is mapped.
import { createVerify, X509Certificate } from 'node:crypto';
import { verpTokenOf } from '../intake.js';
import { asObject, complaintResult, espRecipient, bounceResult, str, WebhookRejected, type WebhookNotification } from './common.js';

export interface SesOptions {
  topicArns: string[];
  bounceDomain: string | null;
  httpGet: (url: string) => Promise<string>;
  /** Certificate cache: one fetch per signing certificate. */
  certCache?: Map<string, string>;
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

function trustedSnsUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string') return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && SNS_HOST.test(u.hostname) ? u : null;
  } catch {
    return null;
  }
}

export function snsStringToSign(m: Record<string, unknown>): string {
  const keys = m.Type === 'Notification'
    ? ['Message', 'MessageId', ...(m.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.map((k) => `${k}\n${String(m[k] ?? '')}\n`).join('');
}

export async function verifySns(m: Record<string, unknown>, opts: SesOptions): Promise<void> {
  const certUrl = trustedSnsUrl(m.SigningCertURL);
  if (!certUrl) throw new WebhookRejected('SigningCertURL is not an https://sns.*.amazonaws.com URL');
  const algorithm = m.SignatureVersion === '2' ? 'RSA-SHA256' : m.SignatureVersion === '1' ? 'RSA-SHA1' : null;
  if (!algorithm || typeof m.Signature !== 'string') throw new WebhookRejected('unsupported SNS signature version');
  let pem = opts.certCache?.get(certUrl.href);
  if (!pem) {
    pem = await opts.httpGet(certUrl.href);
    new X509Certificate(pem); // throws on anything that is not a certificate
    opts.certCache?.set(certUrl.href, pem);
  }
  const ok = createVerify(algorithm).update(snsStringToSign(m)).verify(pem, m.Signature, 'base64');
  if (!ok) throw new WebhookRejected('SNS signature does not verify');
}

/** Returns the notifications in an SNS POST body; confirms subscriptions to allowed topics. */
export async function parseSes(body: unknown, opts: SesOptions): Promise<WebhookNotification[]> {
  const m = asObject(body);
  if (opts.topicArns.length === 0) throw new WebhookRejected('SES webhook is not configured (POSTLANE_SES_TOPIC_ARNS)', 403);
  await verifySns(m, opts);
  // Any AWS account can sign for its own topic: only the topics we subscribed are trusted.
  if (!opts.topicArns.includes(String(m.TopicArn))) throw new WebhookRejected('topic not allowed', 403);
  if (m.Type === 'SubscriptionConfirmation') {
    const url = trustedSnsUrl(m.SubscribeURL);
    if (!url) throw new WebhookRejected('SubscribeURL is not an SNS URL', 400);
    await opts.httpGet(url.href);
    return [];
  }
  if (m.Type !== 'Notification') return [];
  let event: Record<string, unknown>;
  try {
    event = asObject(JSON.parse(String(m.Message)));
  } catch {
    throw new WebhookRejected('SNS Message is not JSON', 400);
  }
  return sesEvent(event, String(m.MessageId), opts.bounceDomain);
}

function sesEvent(e: Record<string, unknown>, snsId: string, bounceDomain: string | null): WebhookNotification[] {
  const type = str(e.notificationType) ?? str(e.eventType);
  const mail = asObject(e.mail);
  const headers = asObject(mail.commonHeaders);
  const messageId = str(headers.messageId) ?? (Array.isArray(mail.headers) ? str(asObject((mail.headers as unknown[]).find((h) => /^message-id$/i.test(String(asObject(h).name)))).value) : null);
  const base = { verpToken: verpTokenOf(str(mail.source), bounceDomain), messageId, occurredAt: Date.parse(String(mail.timestamp ?? '')) || null };
  if (type === 'Bounce') {
    const b = asObject(e.bounce);
    const permanent = b.bounceType === 'Permanent';
    const suppressed = /Suppressed|OnAccountSuppressionList/.test(String(b.bounceSubType));
    const recipients = (Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients : []).map(asObject).filter((r) => str(r.emailAddress)).map((r) => espRecipient(String(r.emailAddress), {
      action: str(r.action) ?? 'failed', status: str(r.status), diagnostic: str(r.diagnosticCode) ?? String(b.bounceSubType ?? ''),
      forceReason: suppressed ? 'suppressed' : null, permanent,
    }));
    return [{ ...base, notificationId: `ses:${str(b.feedbackId) ?? snsId}`, result: bounceResult(recipients) }];
  }
  if (type === 'Complaint') {
    const c = asObject(e.complaint);
    const addresses = (Array.isArray(c.complainedRecipients) ? c.complainedRecipients : []).map((r) => str(asObject(r).emailAddress)).filter((a): a is string => !!a);
    return [{ ...base, notificationId: `ses:${str(c.feedbackId) ?? snsId}`, result: complaintResult(addresses, str(c.complaintFeedbackType)) }];
  }
  return [];
}
