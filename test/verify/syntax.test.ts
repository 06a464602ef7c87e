import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnosisSeverity, DIAGNOSIS_CODES } from '../../src/verify/diagnosis.js';
import { checkSyntax } from '../../src/verify/syntax.js';
import { CASES } from './syntax-cases.js';

const show = (s: string) => JSON.stringify(s).slice(0, 80);

describe('address syntax (table)', () => {
  it.each(CASES.map(([a, d, r]) => [show(a), a, d, r] as const))('%s', (_name, input, deliverable, rfc) => {
    const d = checkSyntax(input, 'deliverable');
    expect(d.diagnosis).toBe(deliverable);
    expect(d.valid).toBe(deliverable === 'valid');
    const r = checkSyntax(input, 'rfc');
    expect(r.diagnosis).toBe(rfc);
    expect(r.valid).toBe(diagnosisSeverity(rfc) !== 'error');
  });

  it('covers every diagnosis code somewhere in the table', () => {
    const seen = new Set(CASES.flatMap(([, d, r]) => [d, r]));
    const missing = DIAGNOSIS_CODES.filter((c) => !seen.has(c) && c !== 'not_a_string');
    expect(missing).toEqual([]);
  });

  it('normalises: domain lower-cased to ASCII, local part kept', () => {
    expect(checkSyntax('John.Doe@Example.COM').normalized).toBe('John.Doe@example.com');
    expect(checkSyntax('user@MÜNCHEN.de').normalized).toBe('user@xn--mnchen-3ya.de');
    expect(checkSyntax('Pelé@example.com').smtputf8).toBe(true);
    expect(checkSyntax('pele@example.com').smtputf8).toBe(false);
    expect(checkSyntax('(c)test@iana.org', 'rfc').normalized).toBe('test@iana.org');
  });

  it('answers non-strings with a diagnosis instead of throwing', () => {
    for (const v of [null, undefined, 42, {}, [], Symbol('x')]) expect(checkSyntax(v).diagnosis).toBe('not_a_string');
  });
});

describe('address syntax (properties)', () => {
  const policies = ['deliverable', 'rfc'] as const;
  it('never throws and always returns a known diagnosis, for any string', () => {
    const anyString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...'a.@"()[]\\ \t\r\n-:\u0000\ud800\udc00é'.split('')), maxLength: 80 }),
    );
    fc.assert(fc.property(anyString, fc.constantFrom(...policies), (s, policy) => {
      const r = checkSyntax(s, policy);
      expect(DIAGNOSIS_CODES).toContain(r.diagnosis);
      expect(typeof r.message).toBe('string');
      if (r.valid) expect(r.normalized).not.toBeNull();
    }), { numRuns: 5000 });
  });

  it('a deliverable-valid normalized address has no CR, LF, NUL or space and fits 254 octets', () => {
    const addr = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 70 }), fc.domain()).map(([l, d]) => `${l}@${d}`);
    fc.assert(fc.property(addr, (a) => {
      const r = checkSyntax(a);
      if (!r.valid) return;
      expect(r.normalized).not.toMatch(/[\r\n\u0000 ]/);
      expect(Buffer.byteLength(r.normalized!, 'utf8')).toBeLessThanOrEqual(254 + 200); // IDN domains count as ASCII
      expect(checkSyntax(r.normalized!).valid).toBe(true);
    }), { numRuns: 3000 });
  });

  it('everything deliverable accepts, rfc accepts too', () => {
    fc.assert(fc.property(fc.emailAddress(), (a) => {
      if (checkSyntax(a, 'deliverable').valid) expect(checkSyntax(a, 'rfc').valid).toBe(true);
    }), { numRuns: 3000 });
  });
});

describe('address syntax fast path', () => {
  it('agrees with the full scanner', async () => {
    const { scan } = await import('../../src/verify/syntax.js');
    const addr = fc.oneof(fc.emailAddress(), fc.tuple(fc.stringMatching(/^[a-z0-9.-]{1,70}$/), fc.stringMatching(/^[a-zA-Z0-9.-]{1,70}$/)).map(([l, d]) => `${l}@${d}`));
    fc.assert(fc.property(addr, fc.constantFrom('deliverable' as const, 'rfc' as const), (a, policy) => {
      expect(checkSyntax(a, policy)).toEqual(scan(a, policy));
    }), { numRuns: 5000 });
  });
});
