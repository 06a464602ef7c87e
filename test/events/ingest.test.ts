import { expect, it } from 'vitest';
import { describeEachDb, keyWithRole, useTestEnv, type Tenant } from '../helpers/context.js';

describeEachDb('event ingestion', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: {}, b: {} } });
  const post = (t: Tenant, batch: unknown[]) => env.app.inject({ method: 'POST', url: '/api/v1/events', headers: t.auth, payload: { batch } });
  const eventsOf = (ws: number) => env.ctx.db.selectFrom('events').selectAll().where('workspace_id', '=', ws).orderBy('id').execute();

  it('stores valid items and rejects invalid ones by index', async () => {
    const res = await post(env.a, [
      { type: 'track', email: 'Ann@Example.COM', event: 'purchase', properties: { amount: 10 }, timestamp: '2025-12-31T10:00:00Z' },
      { type: 'track', event: 'purchase' },
      { type: 'bogus' },
      { type: 'track', email: 'not-an-email', event: 'x' },
      { type: 'track', email: 'ann@example.com', event: 'opened' },
      { type: 'track', contact_id: 999999, event: 'x' },
      { type: 'track', email: 'ann@example.com', event: 'view', timestamp: 'yesterday' },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'invalid'], [2, 'invalid'], [3, 'invalid'], [4, 'reserved_event'], [5, 'unknown_contact'], [6, 'invalid'],
    ]);
    const rows = await eventsOf(env.a.workspace.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.occurred_at).toBe(Date.parse('2025-12-31T10:00:00Z'));
    const contact = await env.ctx.db.selectFrom('contacts').selectAll().where('id', '=', rows[0]!.contact_id!).executeTakeFirstOrThrow();
    expect(contact.email).toBe('Ann@example.com');
    expect(contact.workspace_id).toBe(env.a.workspace.id);
  });

  it('stores an item sent twice with the same idempotency key once (across and within batches)', async () => {
    const item = { type: 'track', email: 'idem@example.com', event: 'signup', idempotency_key: 'k-1' };
    const first = (await post(env.a, [item, item])).json();
    const second = (await post(env.a, [item])).json();
    expect(first).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(second).toMatchObject({ accepted: 1, duplicates: 1 });
    const rows = (await eventsOf(env.a.workspace.id)).filter((r) => r.idempotency_key === 'k-1');
    expect(rows).toHaveLength(1);
    // The same key in another workspace is a different event.
    expect((await post(env.b, [item])).json()).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('identify upserts the contact, merges attributes and attributes anonymous history', async () => {
    await post(env.a, [
      { type: 'track', anonymous_id: 'dev-1', event: 'page_view' },
      { type: 'track', anonymous_id: 'dev-1', event: 'page_view' },
    ]);
    const res = await post(env.a, [
      { type: 'identify', email: 'bob@example.com', external_id: 'u-7', anonymous_id: 'dev-1', attributes: { country: 'DE', age: 31, first_name: 'Bob' } },
      { type: 'track', anonymous_id: 'dev-1', event: 'after_identify' },
      { type: 'identify', external_id: 'u-7', attributes: { country: 'FR', age: null } },
    ]);
    expect(res.json()).toMatchObject({ accepted: 3, rejected: [] });
    const bob = await env.ctx.db.selectFrom('contacts').selectAll().where('workspace_id', '=', env.a.workspace.id).where('email_lower', '=', 'bob@example.com').executeTakeFirstOrThrow();
    expect(bob.first_name).toBe('Bob');
    expect(bob.external_id).toBe('u-7');
    const attrs = typeof bob.attributes === 'string' ? JSON.parse(bob.attributes) : bob.attributes;
    expect(attrs).toEqual({ country: 'FR' });
    const anon = (await eventsOf(env.a.workspace.id)).filter((e) => e.anonymous_id === 'dev-1');
    expect(anon).toHaveLength(3);
    expect(anon.every((e) => e.contact_id === bob.id)).toBe(true);
  });

  it('never re-activates a suppressed address through identify', async () => {
    await env.ctx.db.insertInto('suppressions').values({ workspace_id: env.a.workspace.id, email: 'gone@example.com', reason: 'complaint', source: 'feedback', details: null, created_at: 0 }).execute();
    await post(env.a, [{ type: 'identify', email: 'GONE@example.com', attributes: { plan: 'pro' } }]);
    const c = await env.ctx.db.selectFrom('contacts').selectAll().where('workspace_id', '=', env.a.workspace.id).where('email_lower', '=', 'gone@example.com').executeTakeFirstOrThrow();
    expect(c.status).toBe('complained');
    await env.ctx.db.updateTable('contacts').set({ status: 'unsubscribed' }).where('id', '=', c.id).execute();
    await post(env.a, [{ type: 'identify', email: 'gone@example.com', attributes: { plan: 'free' } }]);
    const after = await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('unsubscribed');
  });

  it('prevents addressing another workspace’s contact by contact_id', async () => {
    const other = await env.ctx.db.selectFrom('contacts').select('id').where('workspace_id', '=', env.a.workspace.id).executeTakeFirstOrThrow();
    const res = (await post(env.b, [{ type: 'track', contact_id: other.id, event: 'x' }, { type: 'identify', contact_id: other.id, attributes: { hacked: true } }])).json();
    expect(res.rejected.map((r: { code: string }) => r.code)).toEqual(['unknown_contact', 'unknown_contact']);
    expect((await eventsOf(env.a.workspace.id)).some((e) => e.name === 'x')).toBe(false);
  });

  it('limits batches and requires events:write', async () => {
    expect((await post(env.a, [])).statusCode).toBe(400);
    const big = Array.from({ length: 1001 }, () => ({ type: 'track', anonymous_id: 'z', event: 'e' }));
    expect((await post(env.a, big)).statusCode).toBe(400);
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    const denied = await env.app.inject({ method: 'POST', url: '/api/v1/events', headers: viewer, payload: { batch: [{ type: 'track', anonymous_id: 'z', event: 'e' }] } });
    expect(denied.statusCode).toBe(403);
  });

  it('serves a contact timeline newest first with a cursor, scoped to the workspace', async () => {
    await post(env.a, [1, 2, 3, 4, 5].map((i) => ({ type: 'track', email: 'tl@example.com', event: `e${i}`, timestamp: `2025-12-0${i}T00:00:00Z` })));
    const c = await env.ctx.db.selectFrom('contacts').select('id').where('workspace_id', '=', env.a.workspace.id).where('email_lower', '=', 'tl@example.com').executeTakeFirstOrThrow();
    const p1 = (await env.app.inject({ url: `/api/v1/contacts/${c.id}/events?limit=3`, headers: env.a.auth })).json();
    expect(p1.events.map((e: { name: string }) => e.name)).toEqual(['e5', 'e4', 'e3']);
    const p2 = (await env.app.inject({ url: `/api/v1/contacts/${c.id}/events?limit=3&cursor=${p1.next_cursor}`, headers: env.a.auth })).json();
    expect(p2.events.map((e: { name: string }) => e.name)).toEqual(['e2', 'e1']);
    expect(p2.next_cursor).toBeNull();
    expect((await env.app.inject({ url: `/api/v1/contacts/${c.id}/events`, headers: env.b.auth })).statusCode).toBe(404);
  });
});
