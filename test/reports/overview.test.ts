import { beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { toJson } from '../../src/db/dialect.js';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';
import { seedCampaign, type Seeded } from '../feedback/seed.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 10, 12); // noon UTC on 10 January

describeEachDb('GET /reports/overview', (dialect) => {
  let seeded: Seeded;
  const env = useTestEnv(dialect, { clock: new ManualClock(NOW) });
  beforeAll(async () => {
    seeded = await seedCampaign(env.ctx, { recipients: 3 });
    const ws = seeded.tenant.workspace.id;
    const [a, b, c] = seeded.deliveries;
    // Tried yesterday, accepted today (a, b); tried and accepted today (c); one far outside the window.
    await env.ctx.db.updateTable('deliveries').set({ first_attempt_at: NOW - DAY }).where('id', 'in', [a!.id, b!.id]).execute();
    await env.ctx.db.updateTable('deliveries').set({ first_attempt_at: NOW, sent_at: NOW }).where('id', '=', c!.id).execute();
    const ev = (name: string, at: number, contactId: number) => ({
      workspace_id: ws, contact_id: contactId, anonymous_id: null, name, properties: toJson({}), occurred_at: at, received_at: at,
      idempotency_key: null, source: 'tracking', campaign_id: seeded.campaignId,
    });
    await env.ctx.db.insertInto('events').values([
      ev('opened', NOW, a!.contactId), ev('opened', NOW - DAY, b!.contactId), ev('clicked', NOW, a!.contactId),
      ev('bounced', NOW - 2 * DAY, c!.contactId), ev('complained', NOW, b!.contactId), ev('unsubscribed', NOW, b!.contactId),
      ev('opened', NOW - 40 * DAY, a!.contactId), ev('purchase', NOW, a!.contactId),
    ]).execute();
    // Another workspace's activity must not count.
    await seedCampaign(env.ctx, { recipients: 2 });
  });

  it('counts per day with GROUP BY over the window, zero-filling quiet days', async () => {
    const res = await env.app.inject({ url: '/api/v1/reports/overview?days=3', headers: seeded.tenant.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.series.map((d: { date: string }) => d.date)).toEqual(['2026-01-08', '2026-01-09', '2026-01-10']);
    expect(body.series[0]).toMatchObject({ sent: 0, delivered: 0, bounced: 1 });
    expect(body.series[1]).toMatchObject({ sent: 2, delivered: 0, opened: 1 });
    expect(body.series[2]).toMatchObject({ sent: 1, delivered: 3, opened: 1, clicked: 1, complained: 1, unsubscribed: 1 });
    expect(body.totals).toEqual({ sent: 3, delivered: 3, opened: 2, clicked: 1, bounced: 1, complained: 1, unsubscribed: 1 });
  });

  it('buckets days in the caller time zone', async () => {
    // UTC+14: local time is 11 January 02:00; yesterday's noon-UTC open is local 10 January.
    const body = (await env.app.inject({ url: '/api/v1/reports/overview?days=2&tz_offset=-840', headers: seeded.tenant.auth })).json();
    expect(body.series.map((d: { date: string }) => d.date)).toEqual(['2026-01-10', '2026-01-11']);
    expect(body.series.map((d: { opened: number; clicked: number }) => [d.opened, d.clicked])).toEqual([[1, 0], [1, 1]]);
  });

  it('prevents reading another workspace or without reports:read', async () => {
    const other = await createTenant(env.ctx);
    const body = (await env.app.inject({ url: '/api/v1/reports/overview?days=3', headers: other.auth })).json();
    expect(body.totals).toEqual({ sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0 });
    expect((await env.app.inject({ url: '/api/v1/reports/overview?days=1000', headers: seeded.tenant.auth })).statusCode).toBe(400);
    const viewer = await keyWithRole(env.ctx, seeded.tenant.workspace.id, 'viewer');
    expect((await env.app.inject({ url: '/api/v1/reports/overview', headers: viewer })).statusCode).toBe(200);
  });
});
