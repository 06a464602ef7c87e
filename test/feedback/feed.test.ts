import { beforeAll, expect, it } from 'vitest';
import { describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('GET /feedback/events', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' }, b: { name: 'Beta' } } });
  beforeAll(async () => {
    const row = (ws: number, i: number, kind: string) => ({
      workspace_id: ws, dedupe_key: `k-${ws}-${i}`, source: 'dsn', kind, email: `u${i}@example.com`, reason: kind === 'bounce' ? 'mailbox_unknown' : 'abuse',
      hard: kind === 'bounce' ? 1 : 0, action: null, status: '5.1.1', reply_code: 550, diagnostic: 'User unknown', feedback_type: null,
      delivery_id: null, campaign_id: null, contact_id: null, occurred_at: 1_700_000_000_000 + i, created_at: 1_700_000_000_000 + i,
    });
    for (let i = 0; i < 5; i++) await env.ctx.db.insertInto('feedback_events').values(row(env.a.workspace.id, i, i % 2 ? 'complaint' : 'bounce')).execute();
    await env.ctx.db.insertInto('feedback_events').values(row(env.b.workspace.id, 99, 'bounce')).execute();
  });

  it('pages newest first with a cursor and filters by kind', async () => {
    const first = (await env.app.inject({ url: '/api/v1/feedback/events?limit=3', headers: env.a.auth })).json();
    expect(first.data.map((e: { email: string }) => e.email)).toEqual(['u4@example.com', 'u3@example.com', 'u2@example.com']);
    expect(first.data[0]).toMatchObject({ kind: 'bounce', hard: true, reply_code: 550, status: '5.1.1' });
    const second = (await env.app.inject({ url: `/api/v1/feedback/events?limit=3&cursor=${first.next_cursor}`, headers: env.a.auth })).json();
    expect(second.data.map((e: { email: string }) => e.email)).toEqual(['u1@example.com', 'u0@example.com']);
    expect(second.next_cursor).toBeNull();
    const complaints = (await env.app.inject({ url: '/api/v1/feedback/events?kind=complaint', headers: env.a.auth })).json();
    expect(complaints.data).toHaveLength(2);
  });

  it('prevents reading another workspace feed', async () => {
    const other = (await env.app.inject({ url: '/api/v1/feedback/events', headers: env.b.auth })).json();
    expect(other.data.map((e: { email: string }) => e.email)).toEqual(['u99@example.com']);
  });

  it('prevents roles without feedback:read from listing, and rejects forged cursors', async () => {
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    expect((await env.app.inject({ url: '/api/v1/feedback/events', headers: viewer })).statusCode).toBe(403);
    expect((await env.app.inject({ url: '/api/v1/feedback/events?cursor=zzz', headers: env.a.auth })).statusCode).toBe(400);
  });
});
