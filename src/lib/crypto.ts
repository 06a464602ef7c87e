// Keyed primitives derived from the instance secret: HMAC-signed opaque tokens and
// AES-256-GCM encryption at rest. One secret, separate derived keys per purpose.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual, type Cipher } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256.js';

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

// HKDF per call cost ~100 µs on the send path (one per token per message): derived keys are
// memoised per (secret, purpose, length). A process holds one or two secrets, so the map stays
// tiny; it is bounded anyway so a caller passing ever-new secrets cannot grow it without limit.
const derivedKeys = new Map<string, Buffer>();
const DERIVED_KEYS_MAX = 256;

export function deriveKey(secret: string, purpose: string, length = 32): Buffer {
  const id = `${length}\u0000${purpose}\u0000${secret}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'postlane', purpose, length));
    if (derivedKeys.size >= DERIVED_KEYS_MAX) derivedKeys.clear();
    derivedKeys.set(id, key);
  }
  // A copy: callers own their buffer, so nobody can corrupt the cached key in place.
  return Buffer.from(key);
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Seals a short payload into an opaque, URL-safe, authenticated token (a synthetic-IV
 * construction): tag = HMAC-SHA256(macKey, payload)[0..16], ciphertext = AES-256-CTR(encKey,
 * iv = tag, payload), token = base64url(tag || ciphertext). Nobody without the secret can read
 * the ids inside or forge one; the purpose is bound into both keys, so a click token can never be
 * replayed as an unsubscribe token. Deterministic: the same payload gives the same token.
 */
export class TokenSigner {
  /** HMAC-SHA256 under the purpose's MAC key (its pad states computed once: hmac-sha256.ts). */
  private readonly mac: HmacSha256;
  private readonly encKey: Buffer;
  /**
   * AES-256 in ECB mode without padding, kept for the signer's life: it is the raw block cipher,
   * from which sign() builds the CTR keystream itself. Creating a CTR cipher per token (one
   * createCipheriv each) was a third of a token's cost, and the send path signs three per message.
   */
  private readonly block: Cipher;
  constructor(secret: string, readonly purpose: string) {
    const macKey = deriveKey(secret, `token:${purpose}`);
    this.mac = new HmacSha256(macKey);
    macKey.fill(0);
    this.encKey = deriveKey(secret, `token-enc:${purpose}`);
    this.block = createCipheriv('aes-256-ecb', this.encKey, null).setAutoPadding(false);
  }

  sign(payload: ReadonlyArray<string | number>): string {
    const plain = Buffer.from(JSON.stringify(payload));
    const tag = this.mac.digest(plain).subarray(0, 16);
    // AES-256-CTR with iv = tag, byte for byte: keystream block i = AES(encKey, tag + i), the
    // counter being the whole 16-byte block read as a big-endian integer (as OpenSSL's CTR does).
    const blocks = Math.ceil(plain.length / 16);
    const counters = Buffer.allocUnsafe(blocks * 16);
    for (let i = 0; i < blocks; i++) {
      tag.copy(counters, i * 16);
      for (let j = i * 16 + 15, carry = i; carry !== 0 && j >= i * 16; j--) {
        const v = (counters[j] as number) + (carry & 0xff);
        counters[j] = v & 0xff;
        carry = Math.floor(carry / 256) + (v >> 8);
      }
    }
    const stream = this.block.update(counters);
    const out = Buffer.allocUnsafe(16 + plain.length);
    tag.copy(out, 0);
    for (let i = 0; i < plain.length; i++) out[16 + i] = (plain[i] as number) ^ (stream[i] as number);
    return out.toString('base64url');
  }

  /** Returns the payload, or null for anything malformed or tampered. Never throws. */
  verify(token: unknown): Array<string | number> | null {
    if (typeof token !== 'string' || token.length < 23 || token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 17) return null;
    const tag = raw.subarray(0, 16);
    const decipher = createDecipheriv('aes-256-ctr', this.encKey, tag);
    const plain = Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]);
    const expected = this.mac.digest(plain).subarray(0, 16);
    if (!timingSafeEqual(tag, expected)) return null;
    try {
      const parsed: unknown = JSON.parse(plain.toString('utf8'));
      return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string' || typeof x === 'number') ? parsed : null;
    } catch {
      return null;
    }
  }
}

/** AES-256-GCM with a key derived from the instance secret; output: v1.iv.tag.ciphertext (base64url). */
export class SecretBox {
  private readonly key: Buffer;
  constructor(secret: string, purpose = 'at-rest') {
    this.key = deriveKey(secret, `box:${purpose}`);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  decrypt(box: string): string {
    const [v, iv, tag, ct] = box.split('.');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a SecretBox value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
