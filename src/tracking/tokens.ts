// Token signers for tracking: each purpose has its own derived key, so an open token can
// never be used as a click token (nor either as an unsubscribe token).
import { TokenSigner } from '../lib/crypto.js';

export function clickSigner(secret: string): TokenSigner {
  return new TokenSigner(secret, 'click');
}
/**
 * Click URLs of the current form, `/t/c/<token>/<link id, base36>`: ONE token per recipient,
 * payload [campaign id, delivery id or 0], its own key so it is never mistaken for an old per-link
 * click token. The link id travels in clear: changing it can only name another stored link of the
 * same campaign (the token's), which that recipient could click anyway.
 */
export function recipientClickSigner(secret: string): TokenSigner {
  return new TokenSigner(secret, 'click-recipient');
}
export function openSigner(secret: string): TokenSigner {
  return new TokenSigner(secret, 'open');
}
