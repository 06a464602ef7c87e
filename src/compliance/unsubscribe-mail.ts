// Unsubscribe by mail (the RFC 2369 mailto in List-Unsubscribe): a mail to unsubscribe@<domain>
// whose subject carries "unsubscribe TOKEN" does exactly what the one-click POST does. Stops at
// the token and the action: the inbound transports (feedback/unsubscribe-intake.ts) hand mail over.
import type { AppContext } from '../context.js';
import { unsubscribeContact, type UnsubscribeOutcome } from './unsubscribe-action.js';
import { UNSUBSCRIBE_LOCAL_PART, unsubscribeTokenFromSubject, verifyUnsubscribeToken, type UnsubscribeClaim } from './unsubscribe.js';

/** unsubscribed / already_unsubscribed act on a valid token; the others changed nothing. */
export type MailUnsubscribeStatus = 'unsubscribed' | 'already_unsubscribed' | 'invalid_token' | 'no_token' | 'unknown_contact';

export interface MailUnsubscribeResult {
  status: MailUnsubscribeStatus;
  claim: UnsubscribeClaim | null;
  outcome: UnsubscribeOutcome | null;
}

/** True for unsubscribe@<any domain> (the local part we advertise), with or without angle brackets. */
export function isUnsubscribeAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const a = address.trim().replace(/^<|>$/g, '');
  const at = a.lastIndexOf('@');
  return at > 0 && a.slice(0, at).toLowerCase() === UNSUBSCRIBE_LOCAL_PART;
}

/** The token in a subject ("unsubscribe TOKEN", also after "Re:" and the like), or null. */
export function mailUnsubscribeToken(subject: string): string | null {
  // A subject is short in practice; the cap keeps a hostile 1 MB header cheap to scan.
  return unsubscribeTokenFromSubject(subject.slice(0, 4096));
}

/**
 * Applies an unsubscribe request by mail. Only the signed token decides who leaves: the From
 * address is trivially forged, so a mail without a valid token changes nothing.
 */
export async function unsubscribeByMail(ctx: Pick<AppContext, 'db' | 'clock' | 'secret'>, subject: string): Promise<MailUnsubscribeResult> {
  const token = mailUnsubscribeToken(subject);
  if (!token) return { status: 'no_token', claim: null, outcome: null };
  const claim = verifyUnsubscribeToken(ctx, token);
  if (!claim) return { status: 'invalid_token', claim: null, outcome: null };
  const outcome = await unsubscribeContact(ctx, claim, { scope: 'lists', method: 'mail' });
  if (!outcome.contactFound) return { status: 'unknown_contact', claim, outcome };
  return { status: outcome.changed ? 'unsubscribed' : 'already_unsubscribed', claim, outcome };
}
