// What every ESP webhook adapter produces: verified, normalised notifications that effects.ts
// records once each. Adapters stop at verification and mapping; they never touch the database.
import { timingSafeEqual } from 'node:crypto';
import { classifyRecipient } from '../reasons.js';
import type { FeedbackResult, Reason, RecipientResult } from '../types.js';

export interface WebhookNotification {
  /** Provider-scoped identity of the event (dedupe). */
  notificationId: string;
  result: FeedbackResult;
  verpToken: string | null;
  messageId: string | null;
  occurredAt: number | null;
}

export class WebhookRejected extends Error {
  constructor(message: string, readonly status: 400 | 401 | 403 = 401) {
    super(message);
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bounceResult(recipients: RecipientResult[], kind: FeedbackResult['kind'] = 'bounce', feedbackType: string | null = null): FeedbackResult {
  return { kind, recipients, feedback_type: feedbackType, source: 'webhook', original_message_id: null, notification_to: null };
}

/** Classifies an ESP-reported recipient from its status/diagnostic, with the provider's own verdict as a floor. */
export function espRecipient(address: string, o: { action: string; status?: string | null; diagnostic?: string | null; forceReason?: Reason | null; permanent?: boolean }): RecipientResult {
  const r = classifyRecipient({ address, action: o.action, status: o.status ?? null, diagnostic: o.diagnostic ?? null });
  if (o.forceReason) return { ...r, reason: o.forceReason, hard: false };
  // The provider says temporary: never hard, whatever the text.
  if (o.permanent === false) return { ...r, hard: false };
  return r;
}

export function complaintResult(addresses: string[], feedbackType: string | null): FeedbackResult {
  return bounceResult(addresses.map((address) => ({ address, action: null, status: null, reply_code: null, diagnostic: null, reason: 'feedback', hard: false })), 'complaint', feedbackType ?? 'abuse');
}

export function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
}
