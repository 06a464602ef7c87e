import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../src/lib/hmac-sha256.js';
import { verpToken, deliveryIdFromVerp } from '../../src/delivery/verp.js';
import { deriveKey } from '../../src/lib/crypto.js';

describe('HmacSha256', () => {
  it('is byte for byte createHmac over random keys (0-200 bytes) and messages (0-300 bytes, every padding boundary)', () => {
    for (let len = 0; len <= 300; len++) {
      const key = randomBytes((len * 37) % 201);
      const msg = randomBytes(len);
      const h = new HmacSha256(key);
      expect(h.digest(msg).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
      // The object keeps no state between messages.
      expect(h.digest(msg).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
    }
  });

  it('matches the RFC 4231 test case 2 vector', () => {
    const h = new HmacSha256(Buffer.from('Jefe'));
    expect(h.digest(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('keeps issued VERP tokens valid: the MAC is the createHmac one', () => {
    const secret = 'a-test-secret-that-is-long-enough-000';
    for (const id of [1, 35, 36, 123456789, Number.MAX_SAFE_INTEGER]) {
      const b36 = id.toString(36);
      const reference = `${b36}-${createHmac('sha256', deriveKey(secret, 'verp')).update(b36).digest('hex').slice(0, 10)}`;
      expect(verpToken(secret, id)).toBe(reference);
      expect(deliveryIdFromVerp(secret, reference)).toBe(id);
    }
  });
});
