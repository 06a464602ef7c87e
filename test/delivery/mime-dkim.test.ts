import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { dkimSign, canonicalBodyRelaxed, type DkimKey } from '../../src/delivery/dkim.js';
import { assertAddress, assertHeaderSafe, buildMessage, newMessageId, toRaw, type MessageInput } from '../../src/delivery/mime.js';

const require = createRequire(import.meta.url);
 
const { dkimVerify } = require('mailauth/lib/dkim/verify') as { dkimVerify: (input: Buffer, opts: unknown) => Promise<{ results: Array<{ status: { result: string; comment?: string }; signingHeaders?: { keys: string } }> }> };

function dnsFor(records: Record<string, string>) {
  return async (name: string, type: string) => {
    const r = records[name];
    if (type !== 'TXT' || !r) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return [[r]];
  };
}

export function testKeys(): { rsa: DkimKey; ed: DkimKey; dns: Record<string, string> } {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const pub = (k: KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('base64');
  // Ed25519 DKIM records carry the raw 32-byte key (RFC 8463), the tail of the SPKI DER.
  const edRaw = (k: KeyObject) => k.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
  return {
    rsa: { domain: 'example.com', selector: 'pl1', algorithm: 'rsa', privateKey: rsa.privateKey },
    ed: { domain: 'example.com', selector: 'pl2', algorithm: 'ed25519', privateKey: ed.privateKey },
    dns: {
      'pl1._domainkey.example.com': `v=DKIM1; k=rsa; p=${pub(rsa.publicKey)}`,
      'pl2._domainkey.example.com': `v=DKIM1; k=ed25519; p=${edRaw(ed.publicKey)}`,
    },
  };
}

const base = (over: Partial<MessageInput> = {}): MessageInput => ({
  from: { address: 'news@example.com', name: 'Zoë’s Café "News"' },
  to: { address: 'ann@example.org', name: null },
  subject: 'Grüße aus Köln — ☕ a long subject line that has to be split into several encoded words for sure',
  text: 'Hello Ann\nUnsubscribe: https://x.test/u/1\n1 Test Street',
  html: '<p>Hello <b>Ann</b></p>',
  messageId: newMessageId('example.com'),
  date: Date.UTC(2026, 0, 1),
  headers: [['List-Unsubscribe', '<https://x.test/u/abc>, <mailto:unsub@example.com?subject=abc>'], ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click']],
  ...over,
});

describe('MIME builder', () => {
  it('builds a multipart/alternative message that parses back to the same subject, names and parts', async () => {
    const raw = toRaw(buildMessage(base()));
    expect(raw).not.toMatch(/[^\r]\n/); // CRLF only
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(base().subject);
    expect(parsed.from?.name).toBe('Zoë’s Café "News"');
    expect(parsed.from?.address).toBe('news@example.com');
    expect(parsed.to?.map((t) => t.address)).toEqual(['ann@example.org']);
    expect(parsed.text?.trim()).toBe(base().text);
    expect(parsed.html).toBe(base().html);
    expect(parsed.messageId).toMatch(/^<.+@example\.com>$/);
    expect(raw).toContain('Date: Thu, 01 Jan 2026 00:00:00 +0000');
  });

  it('gives every message a unique Message-ID', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId('example.com')));
    expect(ids.size).toBe(1000);
  });

  it('prevents subject header injection: a rendered subject with CRLF cannot add a Bcc header', async () => {
    const raw = toRaw(buildMessage(base({ subject: 'Hi\r\nBcc: victim@evil.test\r\n\r\nbody' })));
    const parsed = await PostalMime.parse(raw);
    expect(parsed.bcc ?? []).toEqual([]);
    expect(raw).not.toMatch(/^Bcc:/im);
  });

  it('prevents from-name injection: a display name with CRLF is encoded, not a new header', async () => {
    const raw = toRaw(buildMessage(base({ from: { address: 'news@example.com', name: 'Eve\r\nBcc: x@evil.test' } })));
    expect(raw).not.toMatch(/^Bcc:/im);
  });

  it('prevents recipient injection: assigned addresses with CRLF, commas or brackets are refused', () => {
    expect(() => assertAddress('to', 'a@b.com\r\nRCPT TO:<x@evil.test>')).toThrow(/line breaks/);
    expect(() => assertAddress('to', 'a@b.com, x@evil.test')).toThrow(/valid email/);
    expect(() => assertAddress('to', 'a@b.com>x@evil.test')).toThrow(/valid email/);
    expect(() => assertHeaderSafe('subject', 'x\ny')).toThrow(/line breaks/);
    expect(() => buildMessage(base({ to: { address: 'a@b.com\r\nBcc: x@evil.test' } }))).toThrow(/line breaks/);
    expect(() => buildMessage(base({ headers: [['X-Test', 'a\r\nBcc: x@e.test']] }))).toThrow(/line breaks/);
    expect(assertAddress('to', 'ann@BÜCHER.example')).toBe('ann@xn--bcher-kva.example');
  });
});

describe('DKIM signing', () => {
  const keys = testKeys();
  const resolver = dnsFor(keys.dns);

  it('signs with RSA-2048 and Ed25519 and both verify with mailauth (independent verifier)', async () => {
    const m = buildMessage(base());
    const sig = await dkimSign(m, [keys.rsa, keys.ed], Date.UTC(2026, 0, 1));
    const res = await dkimVerify(Buffer.from(toRaw(m, sig)), { resolver, curTime: new Date(Date.UTC(2026, 0, 1)) });
    expect(res.results.map((r) => r.status.result)).toEqual(['pass', 'pass']);
    for (const h of ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'List-Unsubscribe', 'List-Unsubscribe-Post']) {
      expect(sig.toLowerCase()).toContain(h.toLowerCase());
    }
  });

  it('detects tampering: a changed List-Unsubscribe header fails verification', async () => {
    const m = buildMessage(base());
    const sig = await dkimSign(m, [keys.rsa], Date.UTC(2026, 0, 1));
    const raw = toRaw(m, sig).replace('https://x.test/u/abc', 'https://evil.test/u/abc');
    const res = await dkimVerify(Buffer.from(raw), { resolver, curTime: new Date(Date.UTC(2026, 0, 1)) });
    expect(res.results[0]?.status.result).toBe('fail');
  });

  it('canonicalises bodies the relaxed way', () => {
    expect(canonicalBodyRelaxed('a  b \t\r\nc\r\n\r\n\r\n')).toBe('a b\r\nc\r\n');
    expect(canonicalBodyRelaxed('\r\n\r\n')).toBe('');
    expect(canonicalBodyRelaxed('no line end')).toBe('no line end\r\n');
    expect(canonicalBodyRelaxed('one\r\n')).toBe('one\r\n');
  });

  it('prevents a wrong body hash on the fast path: built bodies really are in relaxed form', () => {
    for (const html of [null, '<p>Grüße  \t aus Köln</p>\r\n\r\n', '<p>x</p>']) {
      const m = buildMessage(base({ text: 'Tabs\there,  two spaces, trailing   \r\n\r\n', html }));
      expect(m.bodyRelaxed).toBe(true);
      expect(canonicalBodyRelaxed(m.body, true)).toBe(canonicalBodyRelaxed(m.body, false));
    }
  });
});
