// Two delivery workers (each with its own Redis limiter and route, as two processes would have)
// sharing one campaign through leases: the campaign's rate_limit and the route's rate hold for
// both together, not per worker. Needs REDIS_URL; runs on SQLite and, with DATABASE_URL, PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { campaignCounts, createCampaign, startCampaignSend } from '../../src/campaigns/index.js';
import { blockSize, RedisRateLimits } from '../../src/delivery/rate-limit.js';
import { singleRoute, type Transport } from '../../src/delivery/transports/index.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { silentLogger } from '../../src/log.js';
import { createTenant, describeEachDb, openTestContext, type TestContext, type Tenant } from '../helpers/context.js';
import { seedAudience } from './helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? null;

/** A transport that records when each message reached "the wire". */
function recordingTransport(sentAt: number[]): Transport {
  return {
    name: 'recording',
    send: async () => { sentAt.push(performance.now()); return { outcome: 'sent', code: 250, enhanced: null, response: '250 ok' }; },
    close: async () => {},
  };
}

/** The most messages seen in any one-second window. */
function maxPerSecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe.skipIf(!REDIS_URL)('shared rate limits across two workers (REDIS_URL)', () => {
  describeEachDb('two workers on one campaign', (dialect) => {
    let ctx: TestContext;
    let t: Tenant;
    const limits: RedisRateLimits[] = [];

    beforeAll(async () => {
      ctx = await openTestContext(dialect, { clock: new ManualClock(Date.UTC(2026, 0, 5, 9)) });
      t = await createTenant(ctx);
    });
    afterAll(async () => {
      for (const l of limits) await l.close();
      await ctx.destroy();
    });

    /** Runs two workers at once on one campaign; returns the send times. */
    async function sendWithTwoWorkers(n: number, rates: { campaign: number | null; route: number | null }): Promise<number[]> {
      const prefix = `postlane:test:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
      const sentAt: number[] = [];
      const { listId } = await seedAudience(ctx, t.workspace.id, n);
      const c = await createCampaign(ctx, t.workspace.id, {
        name: 'Paced', subject: 'Hi', from_email: 'news@example.com', html: '<p>Hi</p>', text: 'Hi', list_ids: [listId], rate_limit: rates.campaign,
      });
      await startCampaignSend(ctx, t.workspace.id, c.id);
      const workers = ['w1', 'w2'].map((owner) => {
        const rl = new RedisRateLimits({ url: REDIS_URL as string, log: silentLogger(), prefix });
        limits.push(rl);
        const routes = singleRoute(recordingTransport(sentAt), { concurrency: 8, rateLimit: rates.route });
        return new DeliveryWorker({ ...ctx, rateLimits: rl }, { routes, owner, batchSize: 10, leaseMs: 60_000, statusCheckMs: 0 });
      });
      await Promise.all(workers.map((w) => w.tick()));
      expect(await campaignCounts(ctx, t.workspace.id, c.id)).toMatchObject({ eligible: n, sent: n });
      return sentAt;
    }

    it('holds a campaign rate_limit of 40/s for both workers together', async () => {
      const rate = 40;
      const sentAt = await sendWithTwoWorkers(100, { campaign: rate, route: null });
      expect(sentAt).toHaveLength(100);
      // Per worker this would be 40/s each (~80/s together); shared it stays near 40/s:
      // one block per worker of burst (blockSize(40) = 4) plus slack for timers.
      expect(maxPerSecond(sentAt)).toBeLessThanOrEqual(rate + 2 * blockSize(rate) + 4);
      const span = (Math.max(...sentAt) - Math.min(...sentAt)) / 1000;
      expect(span).toBeGreaterThan((100 - 2 * blockSize(rate)) / rate * 0.9);
    }, 20_000);

    it('holds a route rate across both workers', async () => {
      const rate = 50;
      const sentAt = await sendWithTwoWorkers(100, { campaign: null, route: rate });
      expect(maxPerSecond(sentAt)).toBeLessThanOrEqual(rate + 2 * blockSize(rate) + 4);
    }, 20_000);
  });
});
