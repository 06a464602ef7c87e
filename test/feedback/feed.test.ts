import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { createTenant, describeEachDb, keyWithRole, openTestContext, testApp, type TestContext, type Tenant } from '../helpers/context.js';

describeEachDb('GET /feedback/events', (dialect) => {
  let ctx: TestContext;
  let app: App;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    ctx = await openTestContext(dialect);
    app = await testApp(ctx);
    a = await createTenant(ctx, { name: 'Alpha' });
    b = await createTenant(ctx, { name: 'Beta' });
    const row = (ws: number, i: number, kind: string) => ({
      workspace_id: ws, dedupe_key: `k-${ws}-${i}`, source: 'dsn', kind, email: `u${i}@example.com`, reason: kind === 'bounce' ? 'mailbox_unknown' : 'abuse',
      hard: kind === 'bounce' ? 1 : 0, action: null, status: '5.1.1', reply_code: 550, diagnostic: 'User unknown', feedback_type: null,
      delivery_id: null, campaign_id: null, contact_id: null, occurred_at: 1_700_000_000_000 + i, created_at: 1_700_000_000_000 + i,
    });
    for (let i = 0; i < 5; i++) await ctx.db.insertInto('feedback_events').values(row(a.workspace.id, i, i % 2 ? 'complaint' : 'bounce')).execute();
    await ctx.db.insertInto('feedback_events').values(row(b.workspace.id, 99, 'bounce')).execute();
  });
  afterAll(async () => { await app.close(); await ctx.destroy(); });

  it('pages newest first with a cursor and filters by kind', async () => {
    const first = (await app.inject({ url: '/api/v1/feedback/events?limit=3', headers: a.auth })).json();
    expect(first.data.map((e: { email: string }) => e.email)).toEqual(['u4@example.com', 'u3@example.com', 'u2@example.com']);
    expect(first.data[0]).toMatchObject({ kind: 'bounce', hard: true, reply_code: 550, status: '5.1.1' });
    const second = (await app.inject({ url: `/api/v1/feedback/events?limit=3&cursor=${first.next_cursor}`, headers: a.auth })).json();
    expect(second.data.map((e: { email: string }) => e.email)).toEqual(['u1@example.com', 'u0@example.com']);
    expect(second.next_cursor).toBeNull();
    const complaints = (await app.inject({ url: '/api/v1/feedback/events?kind=complaint', headers: a.auth })).json();
    expect(complaints.data).toHaveLength(2);
  });

  it('prevents reading another workspace feed', async () => {
    const other = (await app.inject({ url: '/api/v1/feedback/events', headers: b.auth })).json();
    expect(other.data.map((e: { email: string }) => e.email)).toEqual(['u99@example.com']);
  });

  it('prevents roles without feedback:read from listing, and rejects forged cursors', async () => {
    const viewer = await keyWithRole(ctx, a.workspace.id, 'viewer');
    expect((await app.inject({ url: '/api/v1/feedback/events', headers: viewer })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/feedback/events?cursor=zzz', headers: a.auth })).statusCode).toBe(400);
  });
});
