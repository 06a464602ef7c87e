import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/contacts/email.js';

describe('normalizeEmail', () => {
  it('trims, lower-cases the domain and keys on the lower-cased address', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toEqual({ email: 'Jane.Doe@example.com', key: 'jane.doe@example.com' });
  });
  it('converts IDN domains to punycode', () => {
    expect(normalizeEmail('anna@bücher.de')?.email).toBe('anna@xn--bcher-kva.de');
  });
  it.each(['', 'plain', '@x.de', 'a@', 'a b@x.de', 'a@x', 'a..b@x.de', '.a@x.de', 'a@-x.de', 'a\r\nBcc: v@x.de@y.de', 'x'.repeat(65) + '@x.de'])(
    'rejects %j', (v) => {
      expect(normalizeEmail(v)).toBeNull();
    });
  it('keeps surrounding whitespace out (a trailing newline from a file is trimmed)', () => {
    expect(normalizeEmail('a@x.de\n')?.email).toBe('a@x.de');
  });
  it('never throws on non-strings and lone surrogates', () => {
    expect(normalizeEmail(42)).toBeNull();
    expect(normalizeEmail('a\ud800@x.de')).toBeNull();
  });
});
