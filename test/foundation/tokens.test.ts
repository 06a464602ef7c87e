import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, TokenSigner } from '../../src/lib/crypto.js';

const SECRET = 'a-test-secret-that-is-long-enough-000';

describe('TokenSigner', () => {
  it('round-trips a payload', () => {
    const s = new TokenSigner(SECRET, 'click');
    expect(s.verify(s.sign([12, 345, 'x']))).toEqual([12, 345, 'x']);
  });

  it('prevents reading the ids inside a token (opaque: no JSON or id visible after base64 decoding)', () => {
    const token = new TokenSigner(SECRET, 'unsubscribe').sign([7, 424242, 99]);
    const decoded = Buffer.from(token, 'base64url').toString('latin1');
    expect(decoded).not.toContain('424242');
    expect(decoded).not.toContain('[');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('keeps issued tokens valid: sign() is byte for byte the AES-256-CTR construction (counter carries included)', () => {
    const s = new TokenSigner(SECRET, 'unsubscribe');
    const mac = deriveKey(SECRET, 'token:unsubscribe');
    const enc = deriveKey(SECRET, 'token-enc:unsubscribe');
    let carries = 0;
    for (let n = 0; n < 600; n++) {
      // Payloads of 1 to 30 blocks, so the 128-bit counter often carries out of its last byte.
      const payload = [n, 'x'.repeat(n % 480), n * 7919];
      const plain = Buffer.from(JSON.stringify(payload));
      const tag = createHmac('sha256', mac).update(plain).digest().subarray(0, 16);
      if ((tag[15] as number) + Math.ceil(plain.length / 16) > 256) carries++;
      const ctr = createCipheriv('aes-256-ctr', enc, tag);
      const reference = Buffer.concat([tag, ctr.update(plain), ctr.final()]).toString('base64url');
      expect(s.sign(payload)).toBe(reference);
      expect(s.verify(reference)).toEqual(payload);
    }
    expect(carries).toBeGreaterThan(10);
  });

  it('prevents tampering: every flipped bit is rejected', () => {
    const s = new TokenSigner(SECRET, 'open');
    const raw = Buffer.from(s.sign([1, 2]), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const b = Buffer.from(raw);
      b[i] = (b[i] as number) ^ 0x10;
      expect(s.verify(b.toString('base64url'))).toBeNull();
    }
  });

  it('prevents replay across purposes and secrets', () => {
    const token = new TokenSigner(SECRET, 'click').sign([1, 2]);
    expect(new TokenSigner(SECRET, 'unsubscribe').verify(token)).toBeNull();
    expect(new TokenSigner(`${SECRET}x`, 'click').verify(token)).toBeNull();
  });

  it('never throws on junk', () => {
    const s = new TokenSigner(SECRET, 'click');
    for (const junk of [null, 42, '', '.', 'a.b', '\u0000'.repeat(30), 'ä'.repeat(40), 'A'.repeat(5000), 'A'.repeat(40)]) expect(s.verify(junk)).toBeNull();
  });
});
