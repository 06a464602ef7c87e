// The reason taxonomy decision for one recipient: enhanced status code first (RFC 3463), refined
// by diagnostic text, then the hard/soft rule. Pure; callers supply the fields they parsed.
import { isTrustedStatus, normaliseStatus, reasonForStatus, replyCodeFromText, statusFromText } from './status-codes.js';
import { reasonFromText } from './text-patterns.js';
import type { Reason, RecipientResult } from './types.js';

export interface RecipientFields {
  address: string;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  replyCode?: number | null;
}

const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);
const HARD_REASONS = new Set<Reason>(['user_unknown', 'host_unknown', 'has_moved']);
/** Reasons that say nothing more than "it did not work yet": a timed-out retry is reported as expired. */
const VAGUE_REASONS = new Set<Reason | null>([null, 'undefined', 'network_error', 'system_error', 'expired']);

/**
 * The only dead-mailbox verdicts: user_unknown, host_unknown and has_moved unless the remote said
 * the failure is temporary, and not_accept only with an explicit 5xx. Delays are never hard, and a
 * reputation, policy, content or rate block never is (those reasons are simply not in the set).
 */
export function isHardBounce(reason: Reason, action: string | null, status: string | null, replyCode: number | null): boolean {
  if (action === 'delayed' || (action !== null && SUCCESS_ACTIONS.has(action))) return false;
  const temporary = status?.startsWith('4') || (replyCode !== null && replyCode >= 400 && replyCode < 500);
  const permanent = status?.startsWith('5') || (replyCode !== null && replyCode >= 500 && replyCode < 600);
  if (HARD_REASONS.has(reason)) return !temporary;
  if (reason === 'not_accept') return Boolean(permanent) && !temporary;
  return false;
}

export function decideReason(status: string | null, diagnostic: string | null, action: string | null): Reason {
  if (action !== null && SUCCESS_ACTIONS.has(action)) return 'delivered';
  if (status?.startsWith('2')) return 'delivered';
  const fromCode = reasonForStatus(status);
  const fromText = reasonFromText(diagnostic);
  // An ESP's own suppression is reported with the code of the original bounce (SES uses 5.1.1):
  // the text is what says the address was never tried.
  const trusted = isTrustedStatus(status) && fromText !== 'suppressed';
  let reason: Reason = trusted ? (fromCode ?? fromText ?? 'undefined') : (fromText ?? fromCode ?? 'undefined');
  // A failure with a temporary code is a retry that ran out of time (Postfix, Exchange after days),
  // and a delay DSN is the same story still in progress: both are "expired" unless the text is specific.
  const timedOut = (action === 'failed' && status?.startsWith('4')) || action === 'delayed';
  if (timedOut && VAGUE_REASONS.has(fromText) && !trusted) reason = 'expired';
  return reason;
}

/** Builds the classified recipient entry from parsed fields, filling status/reply code from the text. */
export function classifyRecipient(fields: RecipientFields): RecipientResult {
  const diagnostic = fields.diagnostic ? collapse(fields.diagnostic) : null;
  let status = normaliseStatus(fields.status);
  // X.0.0 says nothing: a code quoted in the diagnostic (e.g. "550 5.1.1 …") is more precise.
  if (diagnostic && (!status || status.endsWith('.0.0'))) {
    const quoted = normaliseStatus(statusFromText(diagnostic));
    if (quoted && (!status || quoted[0] === status[0] || status[0] === '5')) status = quoted;
  }
  const replyCode = fields.replyCode ?? (diagnostic ? replyCodeFromText(diagnostic) : null);
  const action = fields.action ? fields.action.toLowerCase() : null;
  const reason = decideReason(status, diagnostic, action);
  return {
    address: fields.address,
    action,
    status,
    reply_code: replyCode,
    diagnostic,
    reason,
    hard: isHardBounce(reason, action, status, replyCode),
  };
}

/** One line, single spaces, bounded: diagnostics end up in JSON and in the database. */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000);
}
