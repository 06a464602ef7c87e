// The campaign report's ledger pages (GET /campaigns/:id/deliveries) on SQLite: regression test for
// a page of 50 that walked every delivery of the workspace and sorted the campaign's rows (503 ms
// at 500,000 rows in bench/ui.ts), fixed by deliveries_campaign_id_idx (migration 0720).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerPageQuery } from '../../src/campaigns/stats.js';
import { addCampaign, addContact, addDelivery } from '../compliance/fixtures.js';
import { createTenant, openTestContext, type TestContext, type Tenant } from '../helpers/context.js';

describe('campaign ledger pages on SQLite', () => {
  let ctx: TestContext;
  let t: Tenant;
  let campaigns: number[];
  beforeAll(async () => {
    ctx = await openTestContext('sqlite');
    t = await createTenant(ctx);
    campaigns = [await addCampaign(ctx, t.workspace.id), await addCampaign(ctx, t.workspace.id)];
    for (let i = 0; i < 6; i++) {
      const contact = await addContact(ctx, t.workspace.id, `r${i}@example.com`);
      for (const c of campaigns) await addDelivery(ctx, t.workspace.id, c, contact, i % 3 ? 'sent' : 'failed');
    }
  });
  afterAll(async () => { await ctx.destroy(); });

  it('prevents sorting the whole ledger for a page: the (campaign_id, id) index gives the order', async () => {
    const q = ledgerPageQuery(ctx, t.workspace.id, campaigns[0] as number, { limit: 50 }).compile();
    const plan = (ctx.dbHandle.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/deliveries_campaign_id_idx/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('pages one campaign in id order, with and without a status filter', async () => {
    const page = async (q: { status?: string; after_id?: number; limit?: number }) => (await ledgerPageQuery(ctx, t.workspace.id, campaigns[1] as number, q).execute()).map((r) => Number(r.id));
    const all = await page({ limit: 100 });
    expect(all).toHaveLength(6);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    expect([...await page({ limit: 4 }), ...await page({ limit: 4, after_id: all[3] })]).toEqual(all);
    expect(await page({ status: 'failed', limit: 100 })).toHaveLength(2);
  });
});
