// The inbound SMTP listener over a real socket on 127.0.0.1:0: bounces update ledger, contact and
// suppression list; other domains are refused (no relaying); oversize mail is refused; and only
// <CRLF>.<CRLF> ends DATA, so "\n.\n" and "\r\n.\n" cannot smuggle a second message.
import net from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startInboundSmtp, type InboundSmtp } from '../../src/feedback/smtp-listener.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { dsnMessage, seedCampaign } from './seed.js';

const DOMAIN = 'bounces.example.com';

/** A minimal SMTP client: sends each step after the previous reply and collects every reply line. */
async function smtpSession(port: number, steps: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  let waiting: ((line: string) => void) | null = null;
  const pending: string[] = [];
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    let i;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (/^\d{3}-/.test(line)) continue; // multi-line reply: wait for the last line
      if (waiting) { const w = waiting; waiting = null; w(line); } else pending.push(line);
    }
  });
  const next = () => new Promise<string>((resolve, reject) => {
    if (pending.length) return resolve(pending.shift()!);
    waiting = resolve;
    socket.once('error', reject);
  });
  replies.push(await next()); // banner
  for (const step of steps) {
    socket.write(step);
    replies.push(await next());
  }
  socket.end();
  return replies;
}

describeEachDb('inbound SMTP listener', (dialect) => {
  let smtp: InboundSmtp;
  const env = useTestEnv(dialect, { each: true, config: { bounceDomain: DOMAIN }, app: false });
  beforeEach(async () => {
    smtp = await startInboundSmtp(env.ctx, { port: 0, host: '127.0.0.1', bounceDomain: DOMAIN, maxBytes: 64 * 1024 });
  });
  afterEach(async () => {
    await smtp.stop();
  });

  it('accepts a bounce for bounce+TOKEN@bounce-domain and applies it to ledger, contact and suppression list', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[0]!;
    const rcpt = `bounce+${d.token}@${DOMAIN}`;
    const msg = dsnMessage({ to: rcpt, rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 User unknown' });
    const replies = await smtpSession(smtp.port, ['EHLO mta.example.org\r\n', 'MAIL FROM:<>\r\n', `RCPT TO:<${rcpt}>\r\n`, 'DATA\r\n', `${msg}\r\n.\r\n`, 'QUIT\r\n']);
    expect(replies[5]).toMatch(/^250 /);
    const delivery = await env.ctx.db.selectFrom('deliveries').select('status').where('id', '=', d.id).executeTakeFirstOrThrow();
    const contact = await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', d.contactId).executeTakeFirstOrThrow();
    const sup = await env.ctx.db.selectFrom('suppressions').select('reason').where('email', '=', d.email).executeTakeFirst();
    expect([delivery.status, contact.status, sup?.reason]).toEqual(['failed', 'bounced', 'hard_bounce']);
  });

  it('refuses recipients outside the bounce domain (prevents open relaying)', async () => {
    const replies = await smtpSession(smtp.port, ['EHLO x\r\n', 'MAIL FROM:<a@b.example>\r\n', 'RCPT TO:<victim@gmail.com>\r\n', `RCPT TO:<postmaster@${DOMAIN}.evil.example>\r\n`, 'QUIT\r\n']);
    expect(replies[3]).toMatch(/^550 /);
    expect(replies[4]).toMatch(/^550 /);
  });

  it('refuses messages over the size limit (prevents memory exhaustion)', async () => {
    const big = `Subject: x\r\n\r\n${'a'.repeat(998)}\r\n`.repeat(80);
    const replies = await smtpSession(smtp.port, ['EHLO x\r\n', 'MAIL FROM:<>\r\n', `RCPT TO:<bounce+t@${DOMAIN}>\r\n`, 'DATA\r\n', `${big}.\r\n`, 'QUIT\r\n']);
    expect(replies[4]).toMatch(/^354 /);
    expect(replies[5]).toMatch(/^552 /);
  });

  it.each([['bare LF', '\n.\n'], ['CRLF then LF', '\r\n.\n']])('does not end DATA on %s (prevents SMTP smuggling)', async (_name, fake) => {
    const s = await seedCampaign(env.ctx);
    const [victim, smuggled] = s.deliveries;
    const rcpt = `bounce+${victim!.token}@${DOMAIN}`;
    const smuggledRcpt = `bounce+${smuggled!.token}@${DOMAIN}`;
    const inner = dsnMessage({ to: smuggledRcpt, rcpt: smuggled!.email, status: '5.1.1', diag: '550 5.1.1 User unknown' });
    // The attacker hides a complete second transaction after a fake terminator.
    const payload = `Subject: hello\r\n\r\nharmless text${fake}MAIL FROM:<>\r\nRCPT TO:<${smuggledRcpt}>\r\nDATA\r\n${inner}\r\n.\r\n`;
    const replies = await smtpSession(smtp.port, ['EHLO x\r\n', 'MAIL FROM:<>\r\n', `RCPT TO:<${rcpt}>\r\n`, 'DATA\r\n', payload, 'QUIT\r\n']);
    // Exactly one reply for the data: the whole payload, smuggled text included, was one message.
    expect(replies[5]).toMatch(/^250 /);
    expect(replies[6]).toMatch(/^221 /);
    const sup = await env.ctx.db.selectFrom('suppressions').select('email').execute();
    expect(sup.map((r) => r.email)).not.toContain(smuggled!.email);
    const events = await env.ctx.db.selectFrom('feedback_events').select(['kind', 'email']).execute();
    expect(events.filter((e) => e.email === smuggled!.email)).toEqual([]);
  });
});
