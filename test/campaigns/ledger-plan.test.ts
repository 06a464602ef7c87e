// The campaign report's ledger pages (GET /campaigns/:id/deliveries) on SQLite: regression test for
// a page of 50 that walked every delivery of the workspace and sorted the campaign's rows (503 ms
// at 500,000 rows in bench/ui.ts), fixed by deliveries_campaign_id_idx (migration 0720).
import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerPageQuery } from '../../src/campaigns/stats.js';
import { addCampaign, addContact, addDelivery } from '../compliance/fixtures.js';
import { useTestEnv } from '../helpers/context.js';

describe('campaign ledger pages on SQLite', () => {
  let campaigns: number[];
  const env = useTestEnv('sqlite', { app: false, tenants: { t: {} } });
  beforeAll(async () => {
    campaigns = [await addCampaign(env.ctx, env.t.workspace.id), await addCampaign(env.ctx, env.t.workspace.id)];
    for (let i = 0; i < 6; i++) {
      const contact = await addContact(env.ctx, env.t.workspace.id, `r${i}@example.com`);
      for (const c of campaigns) await addDelivery(env.ctx, env.t.workspace.id, c, contact, i % 3 ? 'sent' : 'failed');
    }
  });

  it('prevents sorting the whole ledger for a page: the (campaign_id, id) index gives the order', async () => {
    const q = ledgerPageQuery(env.ctx, env.t.workspace.id, campaigns[0] as number, { limit: 50 }).compile();
    const plan = (env.ctx.dbHandle.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/deliveries_campaign_id_idx/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('pages one campaign in id order, with and without a status filter', async () => {
    const page = async (q: { status?: string; after_id?: number; limit?: number }) => (await ledgerPageQuery(env.ctx, env.t.workspace.id, campaigns[1] as number, q).execute()).map((r) => Number(r.id));
    const all = await page({ limit: 100 });
    expect(all).toHaveLength(6);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    expect([...await page({ limit: 4 }), ...await page({ limit: 4, after_id: all[3] })]).toEqual(all);
    expect(await page({ status: 'failed', limit: 100 })).toHaveLength(2);
  });
});
