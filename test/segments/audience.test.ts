import { beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ingestEvents } from '../../src/events/index.js';
import { segmentContactIds, validateDefinition } from '../../src/segments/index.js';
import { createTenant, describeEachDb, useTestEnv } from '../helpers/context.js';

describeEachDb('segment audiences', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 10));
  const env = useTestEnv(dialect, { clock, app: false, tenants: { a: {} } });
  beforeAll(async () => {
    const r = await ingestEvents(env.ctx, env.a.workspace.id, [
      { type: 'track', email: 'recent@example.com', event: 'purchase', timestamp: '2026-01-09T00:00:00Z' },
      { type: 'track', email: 'old@example.com', event: 'purchase', timestamp: '2025-11-01T00:00:00Z' },
    ]);
    expect(r.rejected).toEqual([]);
  });
  const buyers = validateDefinition({ version: 1, root: { event: 'purchase', within_days: 30 } });
  const emails = async (ids: number[]) => (await env.ctx.db.selectFrom('contacts').select('email').where('id', 'in', ids.length ? ids : [0]).orderBy('email').execute()).map((r) => r.email);

  it('takes "now" from ctx.clock for time-relative conditions', async () => {
    const ids = (await segmentContactIds(env.ctx, env.a.workspace.id, buyers).execute()).map((r) => r.id);
    expect(await emails(ids)).toEqual(['recent@example.com']);
    clock.advance(60 * 86_400_000);
    expect(await segmentContactIds(env.ctx, env.a.workspace.id, buyers).execute()).toEqual([]);
    clock.set(Date.UTC(2026, 0, 10));
  });

  it('returns a query a campaign audience can union with list members and page by id', async () => {
    const list = await env.ctx.db.insertInto('lists').values({ workspace_id: env.a.workspace.id, name: 'L', description: null, opt_in: 'single', created_at: 0, updated_at: 0 }).returning('id').executeTakeFirstOrThrow();
    const old = await env.ctx.db.selectFrom('contacts').select('id').where('email_lower', '=', 'old@example.com').executeTakeFirstOrThrow();
    await env.ctx.db.insertInto('list_memberships').values({ workspace_id: env.a.workspace.id, list_id: list.id, contact_id: old.id, status: 'confirmed', created_at: 0, confirmed_at: 0, unsubscribed_at: null, updated_at: 0 }).execute();
    const members = env.ctx.db.selectFrom('list_memberships').select('contact_id as id').where('list_id', '=', list.id).where('status', '=', 'confirmed');
    const audience = await env.ctx.db.selectFrom(segmentContactIds(env.ctx, env.a.workspace.id, buyers).union(members).as('a')).select('a.id').orderBy('a.id').execute();
    expect(await emails(audience.map((r) => r.id))).toEqual(['old@example.com', 'recent@example.com']);
  });

  it('never selects another workspace’s contacts', async () => {
    const b = await createTenant(env.ctx);
    await ingestEvents(env.ctx, b.workspace.id, [{ type: 'track', email: 'recent@example.com', event: 'purchase', timestamp: '2026-01-09T00:00:00Z' }]);
    const all = validateDefinition({ version: 1, root: { all: [] } });
    const ids = (await segmentContactIds(env.ctx, b.workspace.id, all).execute()).map((r) => r.id);
    const owners = await env.ctx.db.selectFrom('contacts').select('workspace_id').where('id', 'in', ids).execute();
    expect(owners.map((o) => o.workspace_id)).toEqual([b.workspace.id]);
  });
});
