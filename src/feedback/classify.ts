// Entry point: classifyFeedback(raw) decides what a feedback message is (complaint, bounce, delay,
// auto-reply, success report or none) and classifies each recipient. Never throws on any input.
import { autoReplyAddress, isAutoReply } from './auto-reply.js';
import { parseArf } from './arf.js';
import { isDelayNotice, looksLikeBounce } from './bounce-signature.js';
import { dsnRecipients } from './dsn.js';
import { cleanAddress, headerValue, parseFields, parseMessage, type ParsedMessage } from './mime.js';
import { extractTextRecipients, firstSmtpReply, notificationPart } from './mta-text.js';
import { classifyRecipient } from './reasons.js';
import { reasonFromText } from './text-patterns.js';
import type { FeedbackResult, RecipientResult } from './types.js';

const EMPTY: Omit<FeedbackResult, 'kind' | 'source'> = { recipients: [], feedback_type: null, original_message_id: null, notification_to: null };

export async function classifyFeedback(raw: Buffer | string): Promise<FeedbackResult> {
  return (await classifyFeedbackMessage(raw)).result;
}

/** classifyFeedback plus the parsed message (null when unparseable), for intake's other checks. */
export async function classifyFeedbackMessage(raw: Buffer | string): Promise<{ result: FeedbackResult; msg: ParsedMessage | null }> {
  let msg: ParsedMessage;
  try {
    msg = await parseMessage(raw);
  } catch {
    return { result: { ...EMPTY, kind: 'not_feedback', source: 'unparseable' }, msg: null };
  }
  try {
    return { result: classifyParsed(msg), msg };
  } catch {
    // A classifier bug must not take the intake down: the message is kept as unclassified.
    return { result: { ...EMPTY, kind: 'not_feedback', source: 'error' }, msg };
  }
}

export function classifyParsed(msg: ParsedMessage): FeedbackResult {
  const base = {
    ...EMPTY,
    original_message_id: originalMessageId(msg),
    notification_to: msg.to ?? cleanAddress(msg.headers.get('delivered-to')),
  };
  const complaint = parseArf(msg);
  if (complaint) return { ...base, kind: 'complaint', recipients: complaint.recipients, feedback_type: complaint.feedbackType, source: complaint.source };

  if (msg.deliveryStatus.length > 0) {
    const recipients = dsnRecipients(msg.deliveryStatus, notificationPart(msg.text));
    if (recipients.length > 0) {
      const allDelivered = recipients.every((r) => r.reason === 'delivered');
      return { ...base, kind: allDelivered ? 'delivery_report' : 'bounce', recipients, source: 'dsn' };
    }
  }
  if (msg.dispositionNotification.length > 0) return readReceipt(msg, base);

  if (looksLikeBounce(msg)) return textBounce(msg, base);

  if (isAutoReply(msg)) {
    const address = autoReplyAddress(msg);
    const recipients: RecipientResult[] = address
      ? [{ address, action: null, status: null, reply_code: null, diagnostic: null, reason: 'vacation', hard: false }]
      : [];
    return { ...base, kind: 'auto_reply', recipients, source: 'rfc3834' };
  }
  return { ...base, kind: 'not_feedback', source: 'none' };
}

function textBounce(msg: ParsedMessage, base: typeof EMPTY): FeedbackResult {
  const action = isDelayNotice(msg) ? 'delayed' : 'failed';
  const extracted = extractTextRecipients(msg.text);
  const summary = notificationPart(msg.text).slice(0, 3000);
  let source = extracted?.source ?? 'text';
  let found = extracted?.recipients ?? [];
  if (found.length === 0) {
    // X-Failed-Recipients (Exim, Gmail, Google Groups) or, last, the original's To header.
    const failed = (msg.headers.get('x-failed-recipients') ?? '').split(',').map((a) => cleanAddress(a)).filter((a): a is string => !!a);
    const fallback = failed.length ? failed : [cleanAddress(headerValue(msg.originalHeaders, 'to'))].filter((a): a is string => !!a);
    source = failed.length ? 'x-failed-recipients' : 'original-to';
    found = fallback.map((address) => ({ address, diagnostic: firstSmtpReply(summary) }));
  }
  if (/Google Groups|group you tried to contact/i.test(summary)) source = 'google-groups';
  const recipients = found.map((r) => {
    // A diagnostic with no recognisable cause falls back to the whole notification text.
    const diagnostic = r.diagnostic && reasonFromText(r.diagnostic) ? r.diagnostic : (r.diagnostic ?? firstSmtpReply(summary));
    const classified = classifyRecipient({ address: r.address, action, status: null, diagnostic });
    if (classified.reason === 'undefined' || (classified.reason === 'expired' && action === 'delayed' && !reasonFromText(diagnostic))) {
      const fromSummary = reasonFromText(summary);
      if (fromSummary && classified.reason === 'undefined') return { ...classified, reason: fromSummary, hard: false };
    }
    return classified;
  });
  if (recipients.length === 0) return { ...base, kind: 'bounce', recipients: [], source };
  return { ...base, kind: 'bounce', recipients, source };
}

function readReceipt(msg: ParsedMessage, base: typeof EMPTY): FeedbackResult {
  const fields = parseFields(msg.dispositionNotification.join('\n').replace(/\r\n?/g, '\n'));
  const address = cleanAddress(fields.find(([k]) => k === 'final-recipient')?.[1]) ?? cleanAddress(msg.from);
  const disposition = fields.find(([k]) => k === 'disposition')?.[1] ?? null;
  const recipients: RecipientResult[] = address
    ? [{ address, action: disposition ? disposition.split(/[;/]/).pop()!.trim().toLowerCase() : null, status: null, reply_code: null, diagnostic: disposition, reason: 'delivered', hard: false }]
    : [];
  return { ...base, kind: 'delivery_report', recipients, source: 'mdn' };
}

function originalMessageId(msg: ParsedMessage): string | null {
  const fromPart = headerValue(msg.originalHeaders, 'message-id');
  const value = fromPart ?? /^Message-I[Dd]:\s*(<[^>\s]+>)/m.exec(msg.text.slice(0, 200_000))?.[1] ?? null;
  const m = value ? /<([^<>\s]+)>/.exec(value) : null;
  return m ? m[1]!.slice(0, 500) : value ? value.trim().slice(0, 500) || null : null;
}
