// Unsubscribe links (RFC 2369 List-Unsubscribe + RFC 8058 one-click): an opaque HMAC token bound
// to workspace, contact, campaign and list, with its issue time. Stops at the link: the action
// taken when the link is used is in unsubscribe-action.ts.
import type { AppContext } from '../context.js';
import { TokenSigner } from '../lib/crypto.js';

/** Local part of the RFC 2369 mailto address; inbound mail to it is an unsubscribe request. */
export const UNSUBSCRIBE_LOCAL_PART = 'unsubscribe';

/** Tokens stay valid for 5 years: laws ask for ≥ 30 days; old mail should still let people leave. */
export const UNSUBSCRIBE_TOKEN_MAX_AGE_MS = 5 * 365 * 24 * 3600 * 1000;

export interface UnsubscribeClaim {
  workspaceId: number;
  contactId: number;
  campaignId: number;
  /** 0 when the message was not sent because of one list. */
  listId: number;
  issuedAt: number;
}

// One signer per secret: the send path signs a token per message, and a signer derives two keys
// and sets up a cipher when it is made. A process holds one or two secrets.
const signers = new Map<string, TokenSigner>();

export function unsubscribeSigner(secret: string): TokenSigner {
  let s = signers.get(secret);
  if (!s) {
    if (signers.size >= 16) signers.clear();
    s = new TokenSigner(secret, 'unsubscribe');
    signers.set(secret, s);
  }
  return s;
}

export function signUnsubscribeToken(ctx: Pick<AppContext, 'secret' | 'clock'>, r: { workspaceId: number; contactId: number; campaignId: number; listId?: number | null }): string {
  // Issue time in seconds keeps the token short; the age check needs no finer grain.
  return unsubscribeSigner(ctx.secret).sign([r.workspaceId, r.contactId, r.campaignId, r.listId ?? 0, Math.floor(ctx.clock.now() / 1000)]);
}

/** The claim of a valid, unexpired token, or null (tampered, foreign purpose, malformed, too old). */
export function verifyUnsubscribeToken(ctx: Pick<AppContext, 'secret' | 'clock'>, token: string): UnsubscribeClaim | null {
  const p = unsubscribeSigner(ctx.secret).verify(token);
  if (!p || p.length !== 5 || !p.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) return null;
  const [workspaceId, contactId, campaignId, listId, issuedSec] = p as number[];
  const issuedAt = (issuedSec as number) * 1000;
  const age = ctx.clock.now() - issuedAt;
  if (age > UNSUBSCRIBE_TOKEN_MAX_AGE_MS || age < -24 * 3600 * 1000) return null;
  if (!workspaceId || !contactId) return null;
  return { workspaceId, contactId, campaignId: campaignId as number, listId: listId as number, issuedAt };
}

/**
 * The per-recipient unsubscribe URL, mailto and the two headers every marketing message carries.
 * The mailto puts the token in the subject: local parts are limited to 64 characters. A null
 * `mailtoDomain` (no domain whose mail reaches Postlane) leaves the mailto out: the https URL with
 * List-Unsubscribe-Post is the RFC 8058 one-click, and a mailto nobody receives loses requests.
 */
export function unsubscribeLinks(
  ctx: AppContext,
  r: { workspaceId: number; contactId: number; campaignId: number; listId?: number | null; mailtoDomain: string | null },
): { url: string; mailto: string | null; headers: { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } {
  const token = signUnsubscribeToken(ctx, r);
  const url = `${ctx.config.publicUrl.replace(/\/+$/, '')}/u/${token}`;
  const mailto = r.mailtoDomain ? `mailto:${UNSUBSCRIBE_LOCAL_PART}@${r.mailtoDomain}?subject=unsubscribe%20${token}` : null;
  const header = mailto ? `<${url}>, <${mailto}>` : `<${url}>`;
  return { url, mailto, headers: { 'List-Unsubscribe': header, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}

/** Extracts the token from the subject of a mail sent to the mailto address (for inbound handling). */
export function unsubscribeTokenFromSubject(subject: string): string | null {
  return /\bunsubscribe\s+([A-Za-z0-9_-]{23,})/i.exec(subject)?.[1] ?? null;
}
