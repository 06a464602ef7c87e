// Token signers for tracking: each purpose has its own derived key, so an open token can
// never be used as a click token (nor either as an unsubscribe token).
import { TokenSigner } from '../lib/crypto.js';

export function clickSigner(secret: string): TokenSigner {
  return new TokenSigner(secret, 'click');
}
export function openSigner(secret: string): TokenSigner {
  return new TokenSigner(secret, 'open');
}
