// Unit tests of the classifier: RFC 3464 recipient order, line endings, the hard/soft rule, ARF,
// auto-replies, and that no input (random bytes, mutated real messages) can make it throw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFeedback, isHardBounce } from '../../src/feedback/index.js';
import { decideReason } from '../../src/feedback/reasons.js';
import { statusFromText } from '../../src/feedback/status-codes.js';

const fixtures = join(import.meta.dirname, '../fixtures/feedback');
const read = (f: string) => readFileSync(join(fixtures, f));

describe('classifyFeedback', () => {
  it('returns one result per DSN recipient, in report order', async () => {
    const r = await classifyFeedback(read('postfix-multi-recipient.eml'));
    expect(r.recipients.map((x) => [x.address, x.status, x.reason, x.hard])).toEqual([
      ['first@example.net', '5.1.1', 'user_unknown', true],
      ['second@example.net', '5.2.2', 'mailbox_full', false],
    ]);
  });

  it('parses LF, CRLF and CR-only line endings to the same result', async () => {
    const lf = read('postfix-local-user-unknown.eml').toString('latin1').replace(/\r\n?/g, '\n');
    const results = await Promise.all([lf, lf.replace(/\n/g, '\r\n'), lf.replace(/\n/g, '\r')].map((t) => classifyFeedback(Buffer.from(t, 'latin1'))));
    for (const r of results) {
      expect(r.kind).toBe('bounce');
      expect(r.recipients.map((x) => [x.address, x.status, x.reason, x.hard])).toEqual([['no.such.user@example.net', '5.1.1', 'user_unknown', true]]);
    }
  });

  it('finds the original Message-ID and the VERP address the notification was sent to', async () => {
    const r = await classifyFeedback(read('postfix-local-user-unknown.eml'));
    expect(r.original_message_id).toBe('20240514091200.pl.1842@news.postlane.test');
    expect(r.notification_to).toBe('bounce+q7f3k2@bounce.postlane.test');
  });

  it('reads ARF complainants from Original-Rcpt-To and never returns a redacted address', async () => {
    const arf = await classifyFeedback(read('arf-yahoo-cfl.eml'));
    expect([arf.kind, arf.feedback_type, arf.recipients.map((x) => x.address)]).toEqual(['complaint', 'abuse', ['reader@yahoo.com']]);
    const redacted = await classifyFeedback(read('arf-redacted-original-to.eml'));
    expect(redacted.recipients.map((x) => x.address)).toEqual(['complainer@isp.example']);
  });

  it('never counts an auto-reply as a bounce, even one that carries bounce-like words', async () => {
    const msg = 'From: a@example.org\r\nTo: b@example.net\r\nSubject: Out of Office: user unknown\r\nAuto-Submitted: auto-replied\r\n\r\nI am away. Mailbox full of work.\r\n';
    const r = await classifyFeedback(msg);
    expect(r.kind).toBe('auto_reply');
    expect(r.recipients.every((x) => x.reason === 'vacation' && !x.hard)).toBe(true);
  });

  it('treats a message without feedback as not_feedback', async () => {
    expect((await classifyFeedback('Subject: hello\r\n\r\nhi\r\n')).kind).toBe('not_feedback');
    expect((await classifyFeedback('')).kind).toBe('not_feedback');
  });
});

describe('hard/soft rule', () => {
  it('is hard only for user_unknown, host_unknown, has_moved and 5xx not_accept', () => {
    expect(isHardBounce('user_unknown', 'failed', '5.1.1', 550)).toBe(true);
    expect(isHardBounce('host_unknown', 'failed', '5.1.2', null)).toBe(true);
    expect(isHardBounce('has_moved', 'failed', '5.1.6', 551)).toBe(true);
    expect(isHardBounce('not_accept', 'failed', '5.1.10', 556)).toBe(true);
    expect(isHardBounce('not_accept', 'failed', null, null)).toBe(false);
    expect(isHardBounce('not_accept', 'failed', '4.3.2', 421)).toBe(false);
    for (const reason of ['blocked', 'bad_reputation', 'spam_detected', 'policy_violation', 'content_error', 'speeding', 'mailbox_full', 'suspend'] as const) {
      expect(isHardBounce(reason, 'failed', '5.7.1', 550)).toBe(false);
    }
  });

  it('never makes a delay hard, even for a user-unknown text', () => {
    expect(isHardBounce('user_unknown', 'delayed', '4.1.1', 450)).toBe(false);
    expect(isHardBounce('user_unknown', 'failed', '4.1.1', 450)).toBe(false);
  });

  it('does not take a reputation block quoted with 5.7.1 for a dead mailbox', () => {
    const reason = decideReason('5.7.1', '550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', 'failed');
    expect(reason).toBe('blocked');
  });

  it('does not read an IP address or Yahoo internal code as an enhanced status', () => {
    expect(statusFromText('421 4.7.0 [TSS04] deferred - 4.16.55.1; see')).toBe('4.7.0');
    expect(statusFromText('deferred - 4.16.55.1; see')).toBe(null);
  });
});

describe('never throws', () => {
  it('on random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), async (bytes) => {
      const r = await classifyFeedback(Buffer.from(bytes));
      expect(['bounce', 'complaint', 'auto_reply', 'delivery_report', 'not_feedback']).toContain(r.kind);
    }), { numRuns: 300 });
  });

  it('on mutated real messages (cut, spliced, byte-flipped)', async () => {
    const seeds = ['postfix-multi-recipient.eml', 'arf-rfc5965-example.eml', 'exim-remote-user-unknown.eml', 'o365-recipient-not-found.eml', 'qmail-no-mailbox.eml'].map(read);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'dup', 'crlf')), { maxLength: 12 }),
      async (i, edits) => {
        let buf = Buffer.from(seeds[i]!);
        for (const [pos, byte, op] of edits) {
          const at = buf.length ? pos % buf.length : 0;
          if (op === 'flip' && buf.length) buf[at] = byte;
          else if (op === 'cut') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + byte))]);
          else if (op === 'dup') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at, at + byte), buf.subarray(at)]);
          else buf = Buffer.concat([buf.subarray(0, at), Buffer.from(byte % 2 ? '\r' : '\n--\r\n\r\n'), buf.subarray(at)]);
        }
        const r = await classifyFeedback(buf);
        for (const rcpt of r.recipients) expect(typeof rcpt.address).toBe('string');
      },
    ), { numRuns: 300 });
  });

  it('on pathological structure (deep nesting, huge headers)', async () => {
    let nested = 'Content-Type: text/plain\r\n\r\nx';
    for (let i = 0; i < 200; i++) nested = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${nested}\r\n--b${i}--\r\n`;
    expect((await classifyFeedback(nested)).kind).toBe('not_feedback');
    const huge = `Subject: ${'a'.repeat(3_000_000)}\r\n\r\nbody`;
    expect((await classifyFeedback(huge)).kind).toBe('not_feedback');
  });
});
