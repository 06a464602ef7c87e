// Effects of classified feedback on both databases: ledger, contact, suppression list, events,
// dedupe of repeated notifications, soft-bounce counting and the reputation circuit breaker.
import { beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { toJson } from '../../src/db/dialect.js';
import { ingestRawMessage, verpTokenOf } from '../../src/feedback/intake.js';
import { describeEachDb, useTestEnv, type TestContext } from '../helpers/context.js';
import { arfMessage, dsnMessage, seedCampaign } from './seed.js';

const BOUNCE_DOMAIN = 'bounces.example.com';
const ingest = (ctx: TestContext, raw: string, envelopeTo: string[] = []) =>
  ingestRawMessage(ctx, { raw: Buffer.from(raw), source: 'smtp', envelopeTo, bounceDomain: BOUNCE_DOMAIN });

describeEachDb('feedback effects', (dialect) => {
  const clock = new ManualClock();
  beforeEach(() => clock.set(Date.UTC(2026, 4, 14)));
  const env = useTestEnv(dialect, { each: true, clock, config: { bounceDomain: BOUNCE_DOMAIN }, app: false });

  const state = async (deliveryId: number, contactId: number, workspaceId: number, email: string) => ({
    delivery: (await env.ctx.db.selectFrom('deliveries').select(['status', 'smtp_code']).where('id', '=', deliveryId).executeTakeFirstOrThrow()),
    contact: (await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', contactId).executeTakeFirstOrThrow()).status,
    suppression: (await env.ctx.db.selectFrom('suppressions').select(['reason', 'source']).where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst()) ?? null,
    events: (await env.ctx.db.selectFrom('events').select(['name', 'source']).where('contact_id', '=', contactId).execute()),
  });

  it('a hard bounce found by VERP token fails the ledger row, bounces the contact and suppresses workspace-wide', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[1]!;
    const raw = dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 User unknown' });
    const { outcome } = await ingest(env.ctx, raw, [`bounce+${d.token}@${BOUNCE_DOMAIN}`]);
    expect(outcome).toMatchObject({ recorded: 1, duplicates: 0, unmatched: 0, suppressed: [d.email] });
    const st = await state(d.id, d.contactId, s.tenant.workspace.id, d.email);
    expect(st.delivery).toEqual({ status: 'failed', smtp_code: 550 });
    expect(st.contact).toBe('bounced');
    expect(st.suppression).toEqual({ reason: 'hard_bounce', source: 'feedback' });
    expect(st.events).toEqual([{ name: 'bounced', source: 'feedback' }]);
    // Other recipients untouched.
    expect((await state(s.deliveries[0]!.id, s.deliveries[0]!.contactId, s.tenant.workspace.id, s.deliveries[0]!.email)).suppression).toBeNull();
  });

  it('a VERP token with a forged HMAC names no row, even with a real row id in it (prevents forged bounces now that rows are found by id)', async () => {
    const s = await seedCampaign(env.ctx, { recipients: 2 });
    const d = s.deliveries[0]!;
    const [id, mac] = d.token.split('-') as [string, string];
    const forged = `${id}-${mac.slice(0, 9)}${mac[9] === '0' ? '1' : '0'}`;
    const raw = dsnMessage({ to: `bounce+${forged}@${BOUNCE_DOMAIN}`, rcpt: 'someone-else@example.org', status: '5.1.1', diag: '550 5.1.1 User unknown' });
    const { outcome } = await ingest(env.ctx, raw, [`bounce+${forged}@${BOUNCE_DOMAIN}`]);
    expect(outcome).toMatchObject({ recorded: 0, unmatched: 1, suppressed: [] });
    expect((await state(d.id, d.contactId, s.tenant.workspace.id, d.email)).delivery).toEqual({ status: 'sent', smtp_code: 250 });
  });

  it('the same notification delivered twice changes state once', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[0]!;
    const raw = dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 User unknown' });
    await ingest(env.ctx, raw);
    const second = await ingest(env.ctx, raw);
    expect(second.outcome).toMatchObject({ recorded: 0, duplicates: 1 });
    expect((await state(d.id, d.contactId, s.tenant.workspace.id, d.email)).events).toHaveLength(1);
  });

  it('a delay arriving after the failure (out of order) does not undo it, and a delay is never hard', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[0]!;
    await ingest(env.ctx, dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 User unknown' }));
    await ingest(env.ctx, dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '4.4.1', diag: 'connect: Connection timed out', action: 'delayed' }));
    const st = await state(d.id, d.contactId, s.tenant.workspace.id, d.email);
    expect([st.delivery.status, st.contact, st.suppression?.reason]).toEqual(['failed', 'bounced', 'hard_bounce']);
    const other = s.deliveries[1]!;
    await ingest(env.ctx, dsnMessage({ to: `bounce+${other.token}@${BOUNCE_DOMAIN}`, rcpt: other.email, status: '4.1.1', diag: '450 4.1.1 User unknown (try later)', action: 'delayed' }));
    const st2 = await state(other.id, other.contactId, s.tenant.workspace.id, other.email);
    expect([st2.delivery.status, st2.contact, st2.suppression]).toEqual(['sent', 'active', null]);
  });

  it('falls back to the original Message-ID when the VERP token is missing', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[2]!;
    const raw = dsnMessage({ to: 'someone@elsewhere.example', rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 No such user', messageId: d.messageId });
    expect((await ingest(env.ctx, raw)).outcome).toMatchObject({ recorded: 1, suppressed: [d.email] });
  });

  it('ignores a VERP token on a foreign domain (no cross-domain token trust)', () => {
    expect(verpTokenOf('bounce+abc@evil.example', BOUNCE_DOMAIN)).toBeNull();
    expect(verpTokenOf('<bounce+abc@bounces.example.com>', BOUNCE_DOMAIN)).toBe('abc');
  });

  it('a reputation block is never suppressed, whatever the count', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[0]!;
    for (let i = 0; i < 5; i++) {
      clock.advance(3600_000);
      await ingest(env.ctx, dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '5.7.1', diag: `554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org #${i}` }));
    }
    const st = await state(d.id, d.contactId, s.tenant.workspace.id, d.email);
    expect([st.contact, st.suppression]).toEqual(['active', null]);
  });

  it('soft bounces suppress after N within the window (configurable)', async () => {
    const s = await seedCampaign(env.ctx);
    await env.ctx.db.updateTable('workspaces').set({ settings: toJson({ feedback: { softBounceLimit: 2, softBounceWindowMs: 7 * 86400_000 } }) }).where('id', '=', s.tenant.workspace.id).execute();
    const d = s.deliveries[0]!;
    const full = (n: number) => dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '5.2.2', diag: `552 5.2.2 Mailbox full (${n})` });
    await ingest(env.ctx, full(1));
    expect((await state(d.id, d.contactId, s.tenant.workspace.id, d.email)).suppression).toBeNull();
    clock.advance(8 * 86400_000); // outside the window: the first one no longer counts
    await ingest(env.ctx, full(2));
    expect((await state(d.id, d.contactId, s.tenant.workspace.id, d.email)).suppression).toBeNull();
    clock.advance(86400_000);
    await ingest(env.ctx, full(3));
    expect((await state(d.id, d.contactId, s.tenant.workspace.id, d.email)).suppression).toEqual({ reason: 'soft_bounce_limit', source: 'feedback' });
  });

  it('a complaint suppresses and marks the contact complained; not-spam reports change nothing', async () => {
    const s = await seedCampaign(env.ctx);
    const [a, b] = s.deliveries;
    await ingest(env.ctx, arfMessage({ rcpt: a!.email, messageId: a!.messageId }));
    const st = await state(a!.id, a!.contactId, s.tenant.workspace.id, a!.email);
    expect([st.contact, st.suppression, st.events.map((e) => e.name)]).toEqual(['complained', { reason: 'complaint', source: 'feedback' }, ['complained']]);
    await ingest(env.ctx, arfMessage({ rcpt: b!.email, messageId: b!.messageId, feedbackType: 'not-spam' }));
    const st2 = await state(b!.id, b!.contactId, s.tenant.workspace.id, b!.email);
    expect([st2.contact, st2.suppression]).toEqual(['active', null]);
  });

  it('an auto-reply is recorded but never counted as a bounce', async () => {
    const s = await seedCampaign(env.ctx);
    const d = s.deliveries[0]!;
    const raw = `From: ${d.email}\r\nTo: bounce+${d.token}@${BOUNCE_DOMAIN}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n`;
    const { result } = await ingest(env.ctx, raw, [`bounce+${d.token}@${BOUNCE_DOMAIN}`]);
    expect(result.kind).toBe('auto_reply');
    const st = await state(d.id, d.contactId, s.tenant.workspace.id, d.email);
    expect([st.delivery.status, st.contact, st.suppression, st.events]).toEqual(['sent', 'active', null, []]);
  });

  it('the circuit breaker pauses a campaign whose hard-bounce rate crosses the pause threshold, with the reason', async () => {
    const s = await seedCampaign(env.ctx, { recipients: 10 });
    await env.ctx.db.updateTable('workspaces').set({ settings: toJson({ feedback: { minSample: 10 } }) }).where('id', '=', s.tenant.workspace.id).execute();
    const d = s.deliveries[0]!;
    const { outcome } = await ingest(env.ctx, dsnMessage({ to: `bounce+${d.token}@${BOUNCE_DOMAIN}`, rcpt: d.email, status: '5.1.1', diag: '550 5.1.1 User unknown' }));
    expect(outcome.paused).toEqual([s.campaignId]);
    const c = await env.ctx.db.selectFrom('campaigns').select(['status', 'paused_reason']).where('id', '=', s.campaignId).executeTakeFirstOrThrow();
    expect(c.status).toBe('paused');
    expect(c.paused_reason).toMatch(/hard-bounce rate 10\.00 %/);
  });

  it('the circuit breaker pauses every campaign of a sending domain on its complaint rate, and only warns below the pause line', async () => {
    const s = await seedCampaign(env.ctx, { recipients: 4 });
    const other = await seedCampaign(env.ctx, { recipients: 1, tenant: s.tenant });
    const elsewhere = await seedCampaign(env.ctx, { recipients: 1, tenant: s.tenant, fromEmail: 'news@other.example.org' });
    await env.ctx.db.updateTable('workspaces').set({ settings: toJson({ feedback: { minSample: 5, complaintWarnRate: 0.1, complaintPauseRate: 0.3 } }) }).where('id', '=', s.tenant.workspace.id).execute();
    const [a, b] = s.deliveries;
    await ingest(env.ctx, arfMessage({ rcpt: a!.email, messageId: a!.messageId }));
    expect((await env.ctx.db.selectFrom('campaigns').select('status').where('id', '=', s.campaignId).executeTakeFirstOrThrow()).status).toBe('sending');
    const warned = await env.ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'feedback.breaker.warn').execute();
    expect(warned.length).toBeGreaterThan(0);
    const { outcome } = await ingest(env.ctx, arfMessage({ rcpt: b!.email, messageId: b!.messageId }));
    expect(outcome.paused.sort()).toEqual([s.campaignId, other.campaignId].sort());
    const statuses = await env.ctx.db.selectFrom('campaigns').select(['id', 'status']).where('workspace_id', '=', s.tenant.workspace.id).orderBy('id').execute();
    expect(statuses.map((r) => r.status)).toEqual(['paused', 'paused', 'sending']);
    expect(Number(statuses[2]!.id)).toBe(elsewhere.campaignId);
  });
});
