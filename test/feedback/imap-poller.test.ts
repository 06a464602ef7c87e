// The IMAP poller's logic against an in-memory mailbox (the same interface imapflow exposes): unseen
// messages are ingested and flagged, failures stay unseen, a re-poll after a crash changes nothing.
import { afterEach, expect, it } from 'vitest';
import { pollMailboxOnce, startImapPoller } from '../../src/feedback/imap-poller.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './dovecot.js';
import { FakeMailbox } from './fake-mailbox.js';
import { dsnMessage, seedCampaign } from './seed.js';

const DOMAIN = 'bounces.example.com';

describeEachDb('IMAP feedback poller', (dialect) => {
  const env = useTestEnv(dialect, { each: true, config: { bounceDomain: DOMAIN }, app: false });

  it('ingests unseen bounces (VERP from the To header), flags them seen, and a crash before flagging changes state once', async () => {
    const s = await seedCampaign(env.ctx);
    const [a, b] = s.deliveries;
    const box = new FakeMailbox();
    box.messages.set(1, { source: Buffer.from(dsnMessage({ to: `bounce+${a!.token}@${DOMAIN}`, rcpt: a!.email, status: '5.1.1', diag: '550 5.1.1 User unknown' })), seen: false });
    box.messages.set(2, { source: Buffer.from('Subject: hi\r\n\r\nnot feedback\r\n'), seen: false });
    box.messages.set(3, { source: Buffer.from(dsnMessage({ to: `bounce+${b!.token}@${DOMAIN}`, rcpt: b!.email, status: '5.1.1', diag: '550 5.1.1 User unknown' })), seen: true });
    box.failFlagging = true; // the connection drops after ingesting, before \Seen is stored
    expect(await pollMailboxOnce(env.ctx, box, { mailbox: 'INBOX', bounceDomain: DOMAIN })).toEqual({ processed: 0, failed: 2 });
    box.failFlagging = false;
    expect(await pollMailboxOnce(env.ctx, box, { mailbox: 'INBOX', bounceDomain: DOMAIN })).toEqual({ processed: 2, failed: 0 });
    expect(box.locks).toBe(0);
    const events = await env.ctx.db.selectFrom('feedback_events').select(['email', 'source']).execute();
    expect(events).toEqual([{ email: a!.email, source: 'imap' }]);
    const sup = await env.ctx.db.selectFrom('suppressions').select('email').execute();
    expect(sup.map((r) => r.email)).toEqual([a!.email]); // the already-seen message 3 was not touched
    expect(await pollMailboxOnce(env.ctx, box, { mailbox: 'INBOX', bounceDomain: DOMAIN })).toEqual({ processed: 0, failed: 0 });
  });

  it('runs one poll at a time: pollNow() during the background poll waits for it (no two sessions on the same unseen mail)', async () => {
    const box = new FakeMailbox();
    let open = 0;
    let most = 0;
    const client = Object.assign(Object.create(box) as FakeMailbox, {
      connect: async () => { most = Math.max(most, ++open); await new Promise((r) => setTimeout(r, 20)); },
      logout: async () => { open--; },
    });
    const poller = startImapPoller(env.ctx, { url: 'imap://u:p@127.0.0.1:1', mailbox: 'INBOX', bounceDomain: DOMAIN, intervalMs: 60_000, clientFactory: () => client });
    await new Promise((r) => setTimeout(r, 5)); // the background poll has started
    await Promise.all([poller.pollNow(), poller.pollNow()]);
    await poller.stop();
    expect(most).toBe(1);
  });

  it('runs as a stoppable background service', async () => {
    const box = new FakeMailbox();
    const poller = startImapPoller(env.ctx, { url: 'imap://u:p@127.0.0.1:1', mailbox: 'INBOX', bounceDomain: DOMAIN, intervalMs: 60_000, clientFactory: () => box });
    expect(await poller.pollNow()).toEqual({ processed: 0, failed: 0 });
    await poller.stop();
  });
});

describeEachDb('IMAP feedback poller against Dovecot', (dialect) => {
  const env = useTestEnv(dialect, { each: true, config: { bounceDomain: DOMAIN }, app: false });
  let dovecot: Dovecot | null = null;
  afterEach(() => {
    dovecot?.stop();
    dovecot = null;
  });

  it.skipIf(!dovecotAvailable)('polls a real IMAP mailbox: the bounce updates ledger, contact and suppression list once', async () => {
    dovecot = await startDovecot();
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[0]!;
    dovecot.deliver('bounce', dsnMessage({ to: `bounce+${d.token}@${DOMAIN}`, rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 User unknown' }));
    dovecot.deliver('other', 'From: x@example.org\r\nSubject: hello\r\n\r\nnot feedback\r\n');
    // No background poll in this test: its first one at start raced pollNow() for the two messages.
    const poller = startImapPoller(env.ctx, { url: dovecot.url, mailbox: 'INBOX', bounceDomain: DOMAIN, intervalMs: 3_600_000, firstPollMs: 3_600_000 });
    try {
      expect(await poller.pollNow()).toEqual({ processed: 2, failed: 0 });
      expect(await poller.pollNow()).toEqual({ processed: 0, failed: 0 }); // flagged \Seen on the server
    } finally {
      await poller.stop();
    }
    const delivery = await env.ctx.db.selectFrom('deliveries').select('status').where('id', '=', d.id).executeTakeFirstOrThrow();
    const contact = await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', d.contactId).executeTakeFirstOrThrow();
    const sup = await env.ctx.db.selectFrom('suppressions').select(['email', 'reason']).execute();
    expect([delivery.status, contact.status, sup]).toEqual(['failed', 'bounced', [{ email: d.email, reason: 'hard_bounce' }]]);
  }, 30_000);
});
