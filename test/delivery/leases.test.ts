// Leases while messages are slow: a row whose message is still on the wire is sent once, by one
// worker, however long the server takes (the worker keeps its leases alive and never re-sends
// what it is sending).
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCampaign, startCampaignSend } from '../../src/campaigns/index.js';
import { createSmtpTransport } from '../../src/delivery/transports/smtp.js';
import { singleRoute } from '../../src/delivery/transports/index.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { createTenant, describeEachDb, openTestContext, type TestContext, type Tenant } from '../helpers/context.js';
import { dkimFixture, seedAudience, startSmtpServer } from './helpers.js';

describeEachDb('delivery leases under a slow server', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
  let ctx: TestContext;
  let t: Tenant;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let transport: ReturnType<typeof createSmtpTransport>;

  beforeAll(async () => {
    ctx = await openTestContext(dialect, { clock, config: { ...dkimFixture().config, bounceDomain: 'bounces.example.com' } });
    t = await createTenant(ctx);
    smtp = await startSmtpServer();
    transport = createSmtpTransport({ url: smtp.url, maxConnections: 3 });
  });
  afterEach(() => {
    smtp.behaviour.data = undefined;
    smtp.received.length = 0;
  });
  afterAll(async () => {
    await transport.close();
    await smtp.close();
    await ctx.destroy();
  });

  async function campaignFor(n: number) {
    const { listId } = await seedAudience(ctx, t.workspace.id, n);
    return createCampaign(ctx, t.workspace.id, { name: 'Slow', subject: 'Hi', from_email: 'news@example.com', html: '<p>Hi</p>', text: 'Hi', list_ids: [listId] });
  }

  function expectEachOnce(n: number) {
    const to = smtp.received.map((m) => m.to);
    expect(to).toHaveLength(n);
    expect(new Set(to).size).toBe(n);
  }

  it('never sends a message twice when its lease runs out while it is still in flight (same worker)', async () => {
    const campaign = await campaignFor(4);
    let first = true;
    smtp.behaviour.data = async () => {
      if (!first) return;
      first = false;
      // The server sits on the first message past its lease; the worker keeps claiming meanwhile.
      clock.advance(120_000);
      await new Promise((r) => setTimeout(r, 300));
    };
    const w = new DeliveryWorker(ctx, { routes: singleRoute(transport, { concurrency: 2 }), batchSize: 1, leaseMs: 60_000, leaseRenewMs: 60_000, statusCheckMs: 0 });
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    expect((await w.tick())[campaign.id]).toBe('finished');
    expectEachOnce(4);
  });

  it('keeps its leases alive while the server is slow, so a second worker claims nothing it holds', async () => {
    const campaign = await campaignFor(3);
    const a = new DeliveryWorker(ctx, { owner: 'worker-a', routes: singleRoute(transport, { concurrency: 1 }), batchSize: 3, leaseMs: 60_000, leaseRenewMs: 40, statusCheckMs: 0 });
    const b = new DeliveryWorker(ctx, { owner: 'worker-b', routes: singleRoute(transport, { concurrency: 1 }), batchSize: 3, leaseMs: 60_000, statusCheckMs: 0 });
    let first = true;
    let second: Promise<unknown> = Promise.resolve();
    smtp.behaviour.data = async () => {
      if (!first) return;
      first = false;
      // A minute passes on the first message: the batch's original leases have run out by now.
      clock.advance(61_000);
      await new Promise((r) => setTimeout(r, 250)); // worker A's renewal timer runs meanwhile
      second = b.tick();
      await second;
    };
    await startCampaignSend(ctx, t.workspace.id, campaign.id);
    expect((await a.tick())[campaign.id]).toBe('finished');
    await second;
    expectEachOnce(3);
    const owners = await ctx.db.selectFrom('deliveries').select('lease_owner').where('campaign_id', '=', campaign.id).execute();
    expect(owners.every((r) => r.lease_owner === null)).toBe(true);
  });
});
