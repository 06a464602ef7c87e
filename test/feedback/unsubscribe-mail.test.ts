// Unsubscribe by mail (RFC 2369 mailto): a mail to unsubscribe@<bounce domain> with "unsubscribe
// TOKEN" in the subject, sent over a real SMTP connection to the inbound listener (and read from
// an IMAP mailbox), unsubscribes exactly like the one-click POST; bad tokens change nothing and are
// counted; unsubscribe mail and bounces/complaints are never taken for one another.
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { UNSUBSCRIBE_TOKEN_MAX_AGE_MS, unsubscribeLinks } from '../../src/compliance/index.js';
import { pollMailboxOnce, startImapPoller } from '../../src/feedback/imap-poller.js';
import { startInboundSmtp, type InboundSmtp } from '../../src/feedback/smtp-listener.js';
import { verpToken } from '../../src/delivery/verp.js';
import { addCampaign, addContact, addDelivery, addList } from '../compliance/fixtures.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { dovecotAvailable, startDovecot } from './dovecot.js';
import { FakeMailbox } from './fake-mailbox.js';
import { arfMessage, dsnMessage } from './seed.js';

const DOMAIN = 'bounces.example.com';

describeEachDb('unsubscribe by mail', (dialect) => {
  let smtp: InboundSmtp;
  const clock = new ManualClock();
  const env = useTestEnv(dialect, { each: true, clock, config: { bounceDomain: DOMAIN, publicUrl: 'https://mail.example.com' }, app: false, tenants: { t: {} } });
  beforeEach(async () => {
    smtp = await startInboundSmtp(env.ctx, { port: 0, host: '127.0.0.1', bounceDomain: DOMAIN });
  });
  afterEach(async () => {
    await smtp.stop();
  });

  /** A contact on two lists, a campaign sent to one of them, a pending delivery, and the mailto it carried. */
  async function scenario(mailtoDomain = DOMAIN) {
    const ws = env.t.workspace.id;
    const contact = await addContact(env.ctx, ws, `reader${Math.random().toString(36).slice(2, 8)}@example.net`);
    const news = await addList(env.ctx, ws, `News ${contact}`, [contact]);
    const offers = await addList(env.ctx, ws, `Offers ${contact}`, [contact]);
    const campaign = await addCampaign(env.ctx, ws, [news]);
    const pending = await addDelivery(env.ctx, ws, campaign, contact, 'queued');
    const { mailto } = unsubscribeLinks(env.ctx, { workspaceId: ws, contactId: contact, campaignId: campaign, mailtoDomain });
    const u = new URL(mailto!);
    return { ws, contact, news, offers, campaign, pending, to: u.pathname, subject: u.searchParams.get('subject') ?? '' };
  }

  /** What a mail client sends for the mailto: the person's address, the prefilled subject, maybe a body. */
  const requestMail = (o: { from: string; to: string; subject: string; body?: string }) =>
    `From: <${o.from}>\r\nTo: <${o.to}>\r\nSubject: ${o.subject}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@mua.example.net>\r\n`
    + `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${o.body ?? ''}\r\n`;

  async function send(raw: string, to: string, from = 'someone@example.net'): Promise<string> {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    try {
      const info = await transport.sendMail({ envelope: { from, to: [to] }, raw });
      return info.response;
    } finally {
      transport.close();
    }
  }

  const state = async (s: { contact: number; news: number; offers: number; pending: number }) => ({
    contact: (await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', s.contact).executeTakeFirstOrThrow()).status,
    news: (await env.ctx.db.selectFrom('list_memberships').select('status').where('contact_id', '=', s.contact).where('list_id', '=', s.news).executeTakeFirstOrThrow()).status,
    offers: (await env.ctx.db.selectFrom('list_memberships').select('status').where('contact_id', '=', s.contact).where('list_id', '=', s.offers).executeTakeFirstOrThrow()).status,
    delivery: (await env.ctx.db.selectFrom('deliveries').select('status').where('id', '=', s.pending).executeTakeFirstOrThrow()).status,
    consent: (await env.ctx.db.selectFrom('consent_ledger').select(['action', 'source_id']).where('contact_id', '=', s.contact).execute()),
    events: (await env.ctx.db.selectFrom('events').select('name').where('contact_id', '=', s.contact).execute()).map((e) => e.name),
    suppressed: (await env.ctx.db.selectFrom('suppressions').select('email').execute()).length,
  });
  const unsubscribeRows = async () => (await env.ctx.db.selectFrom('feedback_events').select(['kind', 'reason', 'source', 'workspace_id', 'contact_id']).where('kind', '=', 'unsubscribe').orderBy('id').execute())
    .map((r) => ({ ...r, workspace_id: r.workspace_id === null ? null : Number(r.workspace_id), contact_id: r.contact_id === null ? null : Number(r.contact_id) }));

  it('a mail to the mailto over SMTP unsubscribes like the one-click POST: list left, pending mail skipped, consent and event recorded once', async () => {
    const s = await scenario();
    expect(s.to).toBe(`unsubscribe@${DOMAIN}`);
    const raw = requestMail({ from: 'reader@example.net', to: s.to, subject: s.subject });
    expect(await send(raw, s.to)).toMatch(/^250 /);
    const after = await state(s);
    expect(after).toMatchObject({ contact: 'active', news: 'unsubscribed', offers: 'confirmed', delivery: 'skipped', suppressed: 0 });
    expect(after.consent).toEqual([{ action: 'withdrawn', source_id: `unsubscribe:campaign:${s.campaign}` }]);
    expect(after.events).toEqual(['unsubscribed']);
    const event = await env.ctx.db.selectFrom('events').select('properties').where('contact_id', '=', s.contact).executeTakeFirstOrThrow();
    expect(JSON.parse(typeof event.properties === 'string' ? event.properties : JSON.stringify(event.properties))).toMatchObject({ method: 'mail', scope: 'lists', list_ids: [s.news], skipped_deliveries: 1 });
    // The same bytes again (a sender retrying after a lost reply): recognised, nothing recorded twice.
    expect(await send(raw, s.to)).toMatch(/^250 /);
    expect((await state(s)).consent).toHaveLength(1);
    expect(await unsubscribeRows()).toEqual([{ kind: 'unsubscribe', reason: 'unsubscribed', source: 'smtp', workspace_id: s.ws, contact_id: s.contact }]);
    // Nothing about it looks like feedback to the reputation breaker.
    expect(await env.ctx.db.selectFrom('feedback_events').select('kind').where('kind', '!=', 'unsubscribe').execute()).toEqual([]);
  });

  it('tampered, expired and missing tokens change nothing, are counted and still get 250 (prevents unsubscribing by forged mail)', async () => {
    const s = await scenario();
    const before = await state(s);
    const token = s.subject.split(' ')[1]!;
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await send(requestMail({ from: 'attacker@example.org', to: s.to, subject: `unsubscribe ${tampered}` }), s.to)).toMatch(/^250 /);
    expect(await send(requestMail({ from: 'attacker@example.org', to: s.to, subject: 'please remove me' }), s.to)).toMatch(/^250 /);
    expect(await send(requestMail({ from: 'x@example.org', to: s.to, subject: `unsubscribe ${'A'.repeat(5000)}`, body: 'x'.repeat(70_000) }), s.to)).toMatch(/^250 /);
    clock.advance(UNSUBSCRIBE_TOKEN_MAX_AGE_MS + 86_400_000);
    expect(await send(requestMail({ from: 'reader@example.net', to: s.to, subject: s.subject }), s.to)).toMatch(/^250 /);
    clock.set(Date.UTC(2026, 0, 1));
    expect(await state(s)).toEqual(before);
    expect((await unsubscribeRows()).map((r) => [r.reason, r.workspace_id])).toEqual([['invalid_token', null], ['no_token', null], ['invalid_token', null], ['invalid_token', null]]);
  });

  it('an unsubscribe mail that reads like a bounce is not taken for a bounce (prevents suppressing a person who asked to leave a list)', async () => {
    const s = await scenario();
    // A person's client quoting an old delivery failure notice in the body of the request.
    const raw = `From: Mail Delivery System <MAILER-DAEMON@example.net>\r\nTo: <${s.to}>\r\nSubject: ${s.subject}\r\nAuto-Submitted: auto-replied\r\n\r\n`
      + 'This is the mail system. Your message could not be delivered to one or more recipients.\r\n550 5.1.1 User unknown\r\n';
    expect(await send(raw, s.to, '')).toMatch(/^250 /);
    expect(await state(s)).toMatchObject({ contact: 'active', news: 'unsubscribed', delivery: 'skipped', suppressed: 0, events: ['unsubscribed'] });
    expect(await env.ctx.db.selectFrom('feedback_events').select('kind').execute()).toEqual([{ kind: 'unsubscribe' }]);
  });

  it('a bounce or a complaint whose subject carries a valid token stays feedback (prevents a bounce from passing as an unsubscribe)', async () => {
    const s = await scenario();
    const delivery = await env.ctx.db.selectFrom('deliveries').select('id').where('id', '=', s.pending).executeTakeFirstOrThrow();
    await env.ctx.db.updateTable('deliveries').set({ status: 'sent', email: 'reader@example.net', message_id: '<m1@example.com>' }).where('id', '=', delivery.id).execute();
    const vt = verpToken(env.ctx.secret, Number(delivery.id));
    const bounce = dsnMessage({ to: `bounce+${vt}@${DOMAIN}`, rcpt: 'reader@example.net', status: '5.1.1', diag: '550 5.1.1 User unknown' })
      .replace('Subject: Undelivered Mail Returned to Sender', `Subject: Undelivered Mail Returned to Sender: ${s.subject}`);
    expect(await send(bounce, `bounce+${vt}@${DOMAIN}`, '')).toMatch(/^250 /);
    const complaint = arfMessage({ rcpt: 'reader@example.net', messageId: 'm1@example.com' }).replace('Subject: Abuse report', `Subject: Abuse report: ${s.subject}`);
    expect(await send(complaint, `fbl@${DOMAIN}`, '')).toMatch(/^250 /);
    const kinds = (await env.ctx.db.selectFrom('feedback_events').select('kind').orderBy('id').execute()).map((r) => r.kind);
    expect(kinds).toEqual(['bounce', 'complaint']);
    // The bounce and the complaint acted (list memberships untouched, no unsubscribe event).
    expect(await state(s)).toMatchObject({ news: 'confirmed', consent: [], contact: 'complained' });
  });

  it('reads unsubscribe mail from the IMAP mailbox too, by the To header or, when forwarded elsewhere, by the subject alone', async () => {
    const a = await scenario();
    const b = await scenario('news.example.com'); // mail sent before a bounce domain was set named the From domain
    const box = new FakeMailbox();
    box.add(requestMail({ from: 'a@example.net', to: a.to, subject: `Re: ${a.subject}` }));
    box.add(`Delivered-To: postlane-feedback@example.org\r\n${requestMail({ from: 'b@example.net', to: 'list-owner@example.org', subject: b.subject })}`);
    expect(await pollMailboxOnce(env.ctx, box, { mailbox: 'INBOX', bounceDomain: DOMAIN })).toEqual({ processed: 2, failed: 0 });
    expect((await state(a)).news).toBe('unsubscribed');
    expect((await state(b)).news).toBe('unsubscribed');
    expect((await unsubscribeRows()).map((r) => [r.reason, r.source])).toEqual([['unsubscribed', 'imap'], ['unsubscribed', 'imap']]);
  });

  it.skipIf(!dovecotAvailable)('polls a real Dovecot mailbox: the unsubscribe mail acts once', async () => {
    const dovecot = await startDovecot();
    try {
      const s = await scenario();
      dovecot.deliver('unsub', requestMail({ from: 'reader@example.net', to: s.to, subject: s.subject }));
      const poller = startImapPoller(env.ctx, { url: dovecot.url, mailbox: 'INBOX', bounceDomain: DOMAIN, intervalMs: 3_600_000, firstPollMs: 3_600_000 });
      try {
        expect(await poller.pollNow()).toEqual({ processed: 1, failed: 0 });
        expect(await poller.pollNow()).toEqual({ processed: 0, failed: 0 });
      } finally {
        await poller.stop();
      }
      expect(await state(s)).toMatchObject({ news: 'unsubscribed', delivery: 'skipped', events: ['unsubscribed'] });
    } finally {
      dovecot.stop();
    }
  }, 30_000);
});
