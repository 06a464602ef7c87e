// VERP return paths: bounce+TOKEN@bounce-domain, where TOKEN names the ledger row. The token is
// lower-case (some MTAs fold local-part case) and HMAC-checked so forged bounces map to nothing.
import { deriveKey, safeEqual } from '../lib/crypto.js';
import { HmacSha256 } from '../lib/hmac-sha256.js';

/** One HMAC per secret (a process holds one or two), its key's pad states computed once. */
const macs = new Map<string, HmacSha256>();
function macFor(secret: string): HmacSha256 {
  let m = macs.get(secret);
  if (!m) {
    m = new HmacSha256(deriveKey(secret, 'verp'));
    macs.set(secret, m);
  }
  return m;
}

function mac(secret: string, id: string): string {
  return macFor(secret).digest(Buffer.from(id, 'latin1')).toString('hex', 0, 5);
}

/** The token for a delivery row id: `<base36 id>-<10 hex of HMAC>`. */
export function verpToken(secret: string, deliveryId: number): string {
  const id = deliveryId.toString(36);
  return `${id}-${mac(secret, id)}`;
}

/** The delivery id named by a token, or null when malformed or forged. */
export function deliveryIdFromVerp(secret: string, token: string): number | null {
  const m = /^([0-9a-z]{1,12})-([0-9a-f]{10})$/.exec(token.toLowerCase());
  // Compared in constant time: a bounce sender must not learn the MAC a byte at a time.
  if (!m || !safeEqual(mac(secret, m[1] as string), m[2] as string)) return null;
  const n = parseInt(m[1] as string, 36);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses `bounce+TOKEN@domain` (any case) into the delivery id, or null. */
export function deliveryIdFromReturnPath(secret: string, address: string): number | null {
  const m = /^bounce\+([^@]+)@/i.exec(address.trim());
  return m ? deliveryIdFromVerp(secret, m[1] as string) : null;
}

export function verpAddress(token: string, domain: string): string {
  return `bounce+${token}@${domain}`;
}
