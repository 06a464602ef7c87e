import { createRequire } from 'node:module';
import { sql } from 'kysely';
import PostalMime from 'postal-mime';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { cancelCampaign, campaignCounts, createCampaign, pauseCampaign, resumeCampaign, startCampaignSend } from '../../src/campaigns/index.js';
import { claimBatch, ledgerCounts } from '../../src/delivery/ledger.js';
import { createSmtpTransport } from '../../src/delivery/transports/smtp.js';
import { singleRoute } from '../../src/delivery/transports/index.js';
import { deliveryIdFromReturnPath } from '../../src/delivery/verp.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { createTenant, describeEachDb, openTestContext, type TestContext, type Tenant } from '../helpers/context.js';
import { dkimFixture, seedAudience, startSmtpServer } from './helpers.js';

const require = createRequire(import.meta.url);
const { dkimVerify } = require('mailauth/lib/dkim/verify') as { dkimVerify: (input: Buffer, opts: unknown) => Promise<{ results: Array<{ status: { result: string } }> }> };

describeEachDb('delivery engine over a real SMTP server', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
  const dkim = dkimFixture();
  let ctx: TestContext;
  let t: Tenant;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let worker: DeliveryWorker;
  let routes: ReturnType<typeof singleRoute>;
  let transport: ReturnType<typeof createSmtpTransport>;

  beforeAll(async () => {
    ctx = await openTestContext(dialect, { clock, config: { ...dkim.config, bounceDomain: 'bounces.example.com' } });
    t = await createTenant(ctx);
    smtp = await startSmtpServer();
    transport = createSmtpTransport({ url: smtp.url, maxConnections: 2 });
    routes = singleRoute(transport, { concurrency: 4 });
    worker = new DeliveryWorker(ctx, { routes, batchSize: 3, leaseMs: 60_000, statusCheckMs: 0 });
  });
  afterEach(() => {
    smtp.behaviour.rcpt = undefined;
    smtp.behaviour.data = undefined;
    smtp.received.length = 0;
  });
  afterAll(async () => {
    await worker.stop();
    await routes.close();
    await smtp.close();
    await ctx.destroy();
  });

  async function campaignFor(n: number, over: Record<string, unknown> = {}) {
    const { listId, contactIds } = await seedAudience(ctx, t.workspace.id, n);
    const c = await createCampaign(ctx, t.workspace.id, {
      name: 'Spring', subject: 'Hello {{ contact.first_name | default: "there" }}', from_email: 'news@example.com', from_name: 'News',
      html: '<p>Hi {{ contact.first_name }} from {{ contact.city }} <a href="https://shop.example.com/sale">Sale</a></p>',
      text: 'Hi {{ contact.first_name }}', list_ids: [listId], ...over,
    });
    return { campaign: c, listId, contactIds };
  }

  it('sends every recipient once, DKIM-signed, with VERP, List-Unsubscribe and personalisation; counts add up', async () => {
    const { campaign } = await campaignFor(7);
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    expect((await worker.tick())[campaign.id]).toBe('finished');
    expect(smtp.received).toHaveLength(7);
    expect(new Set(smtp.received.map((m) => m.to)).size).toBe(7);
    const m = smtp.received[0]!;
    const verify = await dkimVerify(Buffer.from(m.raw), { resolver: dkim.resolver, curTime: new Date(clock.now()) });
    expect(verify.results[0]?.status.result).toBe('pass');
    const parsed = await PostalMime.parse(m.raw);
    expect(parsed.subject).toMatch(/^Hello Name\d+$/);
    expect(parsed.html).toContain('Köln');
    expect(parsed.html).toContain('/t/c/');
    expect(parsed.headers.find((h) => h.key === 'list-unsubscribe')?.value).toMatch(/^<http.+>, <mailto:.+>$/);
    expect(parsed.headers.find((h) => h.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');
    expect(m.from).toMatch(/^bounce\+[0-9a-z]+-[0-9a-f]{10}@bounces\.example\.com$/);
    const deliveryId = deliveryIdFromReturnPath(ctx.secret, m.from)!;
    const row = await ctx.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
    expect(row.email).toBe(m.to);
    expect(row.message_id).toBe(parsed.messageId);
    const counts = await campaignCounts(ctx, t.workspace.id, campaign.id);
    expect(counts).toMatchObject({ eligible: 7, sent: 7, failed: 0, deferred: 0, skipped: 0 });
    const c = await ctx.db.selectFrom('campaigns').select(['status', 'finished_at']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(c.status).toBe('finished');
  });

  it('defers on 4xx and sends on retry after the back-off; a 5xx fails with its code and text kept', async () => {
    const { campaign } = await campaignFor(4);
    let tempFailures = 0;
    smtp.behaviour.rcpt = (to) => {
      if (to.endsWith('0@example.net') && tempFailures++ === 0) return { code: 451, message: '4.7.1 Try again later' };
      if (to.endsWith('1@example.net')) return { code: 550, message: '5.1.1 User unknown' };
    };
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    expect((await worker.tick())[campaign.id]).toBe('waiting');
    let counts = await campaignCounts(ctx, t.workspace.id, campaign.id);
    expect(counts).toMatchObject({ eligible: 4, sent: 2, deferred: 1, failed: 1 });
    const failed = await ctx.db.selectFrom('deliveries').selectAll().where('campaign_id', '=', campaign.id).where('status', '=', 'failed').executeTakeFirstOrThrow();
    expect(failed.smtp_code).toBe(550);
    expect(failed.smtp_response).toContain('5.1.1');
    // Not yet due: nothing happens.
    expect((await worker.tick())[campaign.id]).toBe('waiting');
    clock.advance(6 * 60_000);
    expect((await worker.tick())[campaign.id]).toBe('finished');
    counts = await campaignCounts(ctx, t.workspace.id, campaign.id);
    expect(counts).toMatchObject({ eligible: 4, sent: 3, deferred: 0, failed: 1 });
  });

  it('treats a dropped connection and a lost final reply as deferrals and retries them', async () => {
    const { campaign } = await campaignFor(2);
    let drops = 0;
    let losses = 0;
    smtp.behaviour.rcpt = (to) => (to.endsWith('0@example.net') && drops++ === 0 ? 'drop' : null);
    smtp.behaviour.data = (m) => (m.to.endsWith('1@example.net') && losses++ === 0 ? 'lost' : null);
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    await worker.tick();
    const rows = await ctx.db.selectFrom('deliveries').select(['status', 'smtp_code']).where('campaign_id', '=', campaign.id).execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['deferred', 'deferred']);
    for (let i = 0; i < 5 && (await worker.tick())[campaign.id] !== 'finished'; i++) clock.advance(30 * 60_000);
    expect((await campaignCounts(ctx, t.workspace.id, campaign.id)).sent).toBe(2);
    // The lost-reply message reached the server twice (at least once, twice only in that window).
    expect(smtp.received.filter((m) => m.to.endsWith('1@example.net'))).toHaveLength(2);
    expect(smtp.received.filter((m) => m.to.endsWith('0@example.net'))).toHaveLength(1);
  });

  it('gives up on a deferral after the maximum age (3 days) and marks it failed', async () => {
    const { campaign } = await campaignFor(1);
    smtp.behaviour.rcpt = () => ({ code: 452, message: '4.2.2 Mailbox full' });
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    await worker.tick();
    for (let i = 0; i < 40; i++) {
      clock.advance(4 * 3600_000);
      await worker.tick();
    }
    const row = await ctx.db.selectFrom('deliveries').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.smtp_response).toMatch(/^gave up after \d+ attempts: .*4\.2\.2/);
  });

  it('starts the next batch while the previous one is in flight (no idle gap at batch boundaries)', async () => {
    const { campaign } = await campaignFor(8);
    const wide = createSmtpTransport({ url: smtp.url, maxConnections: 4 });
    const pipelined = new DeliveryWorker(ctx, { routes: singleRoute(wide, { concurrency: 4 }), batchSize: 3, leaseMs: 60_000, statusCheckMs: 0 });
    // Hold every message at the server until 4 are held at once (only possible when the 4th,
    // from the second batch of 3, starts before the first batch finished), or 3 s pass.
    const held: Array<() => void> = [];
    let most = 0;
    let gaveUp = false;
    const releaseAll = () => { for (const r of held.splice(0)) r(); };
    const timer = setTimeout(() => { gaveUp = true; releaseAll(); }, 3000);
    smtp.behaviour.data = () => new Promise<void>((resolve) => {
      if (gaveUp) return resolve();
      held.push(resolve);
      most = Math.max(most, held.length);
      if (held.length >= 4) releaseAll();
    });
    try {
      await startCampaignSend(ctx, t.workspace.id, campaign.id);
      expect((await pipelined.tick())[campaign.id]).toBe('finished');
    } finally {
      clearTimeout(timer);
      await wide.close();
    }
    expect(most).toBe(4);
    expect(smtp.received).toHaveLength(8);
  });

  it('pauses the campaign with the error when outcomes cannot be written (never reports a send it could not record)', async () => {
    const { campaign } = await campaignFor(5);
    const trigger = sql.id(`fail_outcome_${campaign.id}`);
    if (ctx.dialect === 'sqlite') {
      await sql`CREATE TRIGGER ${trigger} BEFORE UPDATE ON deliveries WHEN NEW.status = 'sent' AND NEW.campaign_id = ${sql.lit(campaign.id)} BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END`.execute(ctx.db);
    } else {
      await sql`CREATE FUNCTION ${trigger}() RETURNS trigger AS $$ BEGIN IF NEW.status = 'sent' AND NEW.campaign_id = ${sql.lit(campaign.id)} THEN RAISE EXCEPTION 'simulated disk failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(ctx.db);
      await sql`CREATE TRIGGER ${trigger} BEFORE UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION ${trigger}()`.execute(ctx.db);
    }
    try {
      await startCampaignSend(ctx, t.workspace.id, campaign.id);
      await worker.tick();
    } finally {
      await sql`DROP TRIGGER ${trigger} ${sql.raw(ctx.dialect === 'postgres' ? 'ON deliveries' : '')}`.execute(ctx.db);
    }
    const c = await ctx.db.selectFrom('campaigns').select(['status', 'paused_reason']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(c.status).toBe('paused');
    expect(c.paused_reason).toMatch(/simulated disk failure/);
    // Nothing is recorded as sent: the rows stay due (their leases lapse), so a resume sends them again.
    const counts = await ledgerCounts(ctx, campaign.id);
    expect(counts.sent).toBe(0);
    expect(counts.queued).toBe(5);
  });

  it('stops mail to a contact who unsubscribes mid-campaign (re-checked per batch)', async () => {
    const { campaign, contactIds } = await campaignFor(6);
    const last = contactIds[5]!;
    let first = true;
    smtp.behaviour.data = async () => {
      if (first) {
        first = false;
        await ctx.db.updateTable('contacts').set({ status: 'unsubscribed' }).where('id', '=', last).execute();
      }
    };
    // One message in flight: the unsubscribe (during the first DATA) is committed before the batch
    // holding the last contact is claimed and re-checked. (With more in flight, the next batch is
    // claimed as soon as the previous one is dispatched, so its re-check would come first.)
    const serial = new DeliveryWorker(ctx, { routes: singleRoute(transport, { concurrency: 1 }), batchSize: 3, leaseMs: 60_000, statusCheckMs: 0 });
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    await serial.tick();
    expect(smtp.received.map((m) => m.to)).not.toContain(`u${(await ctx.db.selectFrom('contacts').select('email').where('id', '=', last).executeTakeFirstOrThrow()).email.slice(1)}`);
    const row = await ctx.db.selectFrom('deliveries').selectAll().where('contact_id', '=', last).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('skipped');
    expect(row.skip_reason).toBe('unsubscribed');
    expect(await campaignCounts(ctx, t.workspace.id, campaign.id)).toMatchObject({ eligible: 6, sent: 5, skipped: 1 });
  });

  it('re-checks every batch: a suppression, list unsubscribe, removed membership or bounce since the snapshot stops the mail', async () => {
    const { campaign, listId, contactIds } = await campaignFor(6);
    const other = await seedAudience(ctx, t.workspace.id, 0);
    await ctx.db.updateTable('campaigns').set({ list_ids: JSON.stringify([listId, other.listId]) }).where('id', '=', campaign.id).execute();
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    const [suppressed, listUnsub, removed, bounced, unsubHereConfirmedThere, untouched] = contactIds as [number, number, number, number, number, number];
    const emailOf = async (id: number) => (await ctx.db.selectFrom('contacts').select('email_lower').where('id', '=', id).executeTakeFirstOrThrow()).email_lower;
    const now = clock.now();
    await ctx.db.insertInto('suppressions').values({ workspace_id: t.workspace.id, email: await emailOf(suppressed), reason: 'manual', source: 'test', details: null, created_at: now }).execute();
    await ctx.db.updateTable('list_memberships').set({ status: 'unsubscribed' }).where('list_id', '=', listId).where('contact_id', 'in', [listUnsub, unsubHereConfirmedThere]).execute();
    await ctx.db.insertInto('list_memberships').values({ workspace_id: t.workspace.id, list_id: other.listId, contact_id: unsubHereConfirmedThere, status: 'confirmed', created_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now }).execute();
    await ctx.db.deleteFrom('list_memberships').where('list_id', '=', listId).where('contact_id', '=', removed).execute();
    await ctx.db.updateTable('contacts').set({ status: 'bounced' }).where('id', '=', bounced).execute();
    expect((await worker.tick())[campaign.id]).toBe('finished');
    const rows = await ctx.db.selectFrom('deliveries').select(['contact_id', 'status', 'skip_reason']).where('campaign_id', '=', campaign.id).execute();
    const byContact = new Map(rows.map((r) => [Number(r.contact_id), [r.status, r.skip_reason]]));
    expect(byContact.get(suppressed)).toEqual(['skipped', 'suppressed']);
    expect(byContact.get(listUnsub)).toEqual(['skipped', 'unsubscribed']);
    expect(byContact.get(removed)).toEqual(['skipped', 'not_subscribed']);
    expect(byContact.get(bounced)).toEqual(['skipped', 'bounced']);
    expect(byContact.get(unsubHereConfirmedThere)).toEqual(['sent', null]);
    expect(byContact.get(untouched)).toEqual(['sent', null]);
    expect(smtp.received.map((m) => m.to).sort()).toEqual([await emailOf(unsubHereConfirmedThere), await emailOf(untouched)].sort());
  });

  it('pauses mid-send without losing anyone, and resumes to finish exactly once per recipient', async () => {
    const { campaign } = await campaignFor(9);
    let paused = false;
    smtp.behaviour.data = async () => {
      if (!paused) {
        paused = true;
        await pauseCampaign(ctx, t.workspace.id, campaign.id);
      }
    };
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    await worker.tick();
    const mid = await campaignCounts(ctx, t.workspace.id, campaign.id);
    expect(mid.sent).toBeGreaterThan(0);
    expect(mid.sent).toBeLessThan(9);
    const leased = await ctx.db.selectFrom('deliveries').select('id').where('campaign_id', '=', campaign.id).where('lease_owner', 'is not', null).execute();
    expect(leased).toHaveLength(0);
    await resumeCampaign(ctx, t.workspace.id, campaign.id);
    expect((await worker.tick())[campaign.id]).toBe('finished');
    expect(smtp.received).toHaveLength(9);
    expect(new Set(smtp.received.map((m) => m.to)).size).toBe(9);
  });

  it('resumes after a crash: rows leased by a dead worker are sent once their lease expires', async () => {
    const { campaign } = await campaignFor(5);
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    const stolen = await claimBatch(ctx, campaign.id, 'dead-worker', 3, 30_000);
    expect(stolen).toHaveLength(3);
    expect((await worker.tick())[campaign.id]).toBe('waiting');
    expect(smtp.received).toHaveLength(2);
    clock.advance(31_000);
    expect((await worker.tick())[campaign.id]).toBe('finished');
    expect(smtp.received).toHaveLength(5);
    expect(new Set(smtp.received.map((m) => m.to)).size).toBe(5);
  });

  it('lets two workers share one campaign through leases without sending anyone twice', async () => {
    const { campaign } = await campaignFor(24);
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    const second = new DeliveryWorker(ctx, { routes, batchSize: 3, leaseMs: 60_000, statusCheckMs: 0, owner: 'second-worker' });
    await Promise.all([worker.tick(), second.tick()]);
    expect(smtp.received).toHaveLength(24);
    expect(new Set(smtp.received.map((m) => m.to)).size).toBe(24);
    expect(await campaignCounts(ctx, t.workspace.id, campaign.id)).toMatchObject({ eligible: 24, sent: 24 });
  });

  it('cancels: queued rows become cancelled and nothing more is sent', async () => {
    const { campaign } = await campaignFor(3);
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    await cancelCampaign(ctx, t.workspace.id, campaign.id);
    await worker.tick();
    expect(smtp.received).toHaveLength(0);
    expect(await campaignCounts(ctx, t.workspace.id, campaign.id)).toMatchObject({ eligible: 3, cancelled: 3, sent: 0 });
  });

  it('starts a scheduled campaign when due, and holds one missed by more than an hour for confirmation', async () => {
    const { campaign } = await campaignFor(2, { send_at: clock.now() + 3600_000 });
    expect((await startCampaignSend(ctx, t.workspace.id, campaign.id)).status).toBe('scheduled');
    await worker.tick();
    expect(smtp.received).toHaveLength(0);
    clock.advance(3600_000);
    await worker.tick();
    await worker.tick();
    expect(smtp.received).toHaveLength(2);

    const late = await campaignFor(2, { send_at: clock.now() + 60_000 });
    await startCampaignSend(ctx, t.workspace.id, late.campaign.id);
    clock.advance(3 * 3600_000);
    await worker.tick();
    const row = await ctx.db.selectFrom('campaigns').select(['status', 'paused_reason']).where('id', '=', late.campaign.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'scheduled', paused_reason: 'schedule_missed' });
    expect(smtp.received).toHaveLength(2);
    await startCampaignSend(ctx, t.workspace.id, late.campaign.id); // the confirmation
    await worker.tick();
    expect(smtp.received).toHaveLength(4);
  });

  it('excludes suppressed and non-active contacts and unconfirmed double-opt-in members from the audience', async () => {
    const { campaign, contactIds } = await campaignFor(4);
    const c0 = await ctx.db.selectFrom('contacts').select('email_lower').where('id', '=', contactIds[0]!).executeTakeFirstOrThrow();
    await ctx.db.insertInto('suppressions').values({ workspace_id: t.workspace.id, email: c0.email_lower, reason: 'manual', source: 'api', details: null, created_at: clock.now() }).execute();
    await ctx.db.updateTable('contacts').set({ status: 'bounced' }).where('id', '=', contactIds[1]!).execute();
    const dbl = await seedAudience(ctx, t.workspace.id, 2, { optIn: 'double', membership: 'unconfirmed', prefix: 'dbl' });
    await ctx.db.updateTable('campaigns').set({ list_ids: JSON.stringify([...campaign.list_ids, dbl.listId]) }).where('id', '=', campaign.id).execute();
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    expect((await campaignCounts(ctx, t.workspace.id, campaign.id)).eligible).toBe(2);
  });
});
