import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createTenant, describeEachDb, openTestContext, useTestEnv } from '../helpers/context.js';

describeEachDb('lists, memberships, tags and consent', (dialect) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const env = useTestEnv(dialect, { clock, tenants: { a: { name: 'Alpha' } } });
  const req = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) => env.app.inject({ method, url, headers: env.a.auth, ...(payload ? { payload } : {}) });

  it('creates, lists, renames and deletes lists (names unique per workspace)', async () => {
    const l = await req('POST', '/api/v1/lists', { name: 'Weekly', opt_in: 'single' });
    expect(l.statusCode).toBe(201);
    expect((await req('POST', '/api/v1/lists', { name: 'Weekly' })).statusCode).toBe(409);
    const renamed = await req('PATCH', `/api/v1/lists/${l.json().id}`, { name: 'Weekly news', description: 'd' });
    expect(renamed.json()).toMatchObject({ name: 'Weekly news', description: 'd', opt_in: 'single' });
    expect((await req('GET', '/api/v1/lists')).json().data.map((x: { name: string }) => x.name)).toContain('Weekly news');
    expect((await req('DELETE', `/api/v1/lists/${l.json().id}`)).statusCode).toBe(200);
    expect((await req('GET', `/api/v1/lists/${l.json().id}`)).statusCode).toBe(404);
    const audit = await env.ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'lists.delete').execute();
    expect(audit).toHaveLength(1);
  });

  it('runs the double opt-in flow: unconfirmed, confirmed with time, unsubscribed with time', async () => {
    const list = (await req('POST', '/api/v1/lists', { name: 'Double', opt_in: 'double' })).json();
    const sub = await req('POST', `/api/v1/lists/${list.id}/subscribe`, { email: 'new@doi.example' });
    expect(sub.statusCode).toBe(200);
    expect(sub.json()).toMatchObject({ status: 'unconfirmed', confirmed_at: null, unsubscribed_at: null });
    const contactId = sub.json().contact_id;
    clock.advance(60_000);
    const conf = await req('POST', `/api/v1/lists/${list.id}/confirm`, { contact_id: contactId });
    expect(conf.json()).toMatchObject({ status: 'confirmed', confirmed_at: new Date(clock.now()).toISOString() });
    // Subscribing again keeps the confirmation.
    expect((await req('POST', `/api/v1/lists/${list.id}/subscribe`, { contact_id: contactId })).json().status).toBe('confirmed');
    clock.advance(60_000);
    const unsub = await req('POST', `/api/v1/lists/${list.id}/unsubscribe`, { email: 'NEW@doi.example' });
    expect(unsub.json()).toMatchObject({ status: 'unsubscribed', unsubscribed_at: new Date(clock.now()).toISOString() });
    expect((await req('POST', `/api/v1/lists/${list.id}/confirm`, { contact_id: contactId })).statusCode).toBe(409);
    // Re-subscribing to a double opt-in list asks for confirmation again.
    expect((await req('POST', `/api/v1/lists/${list.id}/subscribe`, { contact_id: contactId })).json().status).toBe('unconfirmed');
    const members = await req('GET', `/api/v1/lists/${list.id}/contacts?status=unconfirmed`);
    expect(members.json().data).toHaveLength(1);
    expect(members.json().data[0]).toMatchObject({ email: 'new@doi.example', membership: { status: 'unconfirmed' } });
    expect((await req('GET', `/api/v1/lists/${list.id}`)).json().counts).toEqual({ unconfirmed: 1, confirmed: 0, unsubscribed: 0 });
  });

  it('confirms single opt-in subscriptions at once and filters contacts by list', async () => {
    const list = (await req('POST', '/api/v1/lists', { name: 'Single' })).json();
    const sub = await req('POST', `/api/v1/lists/${list.id}/subscribe`, { email: 'one@single.example' });
    expect(sub.json()).toMatchObject({ status: 'confirmed', confirmed_at: new Date(clock.now()).toISOString() });
    const found = await req('GET', `/api/v1/contacts?list_id=${list.id}&membership_status=confirmed`);
    expect(found.json().data.map((c: { email: string }) => c.email)).toEqual(['one@single.example']);
    expect((await req('POST', `/api/v1/lists/${list.id}/subscribe`, {})).statusCode).toBe(400);
    expect((await req('POST', `/api/v1/lists/${list.id}/subscribe`, { contact_id: 999999 })).statusCode).toBe(404);
  });

  it('refuses to subscribe a suppressed address (subscribe never undoes a suppression)', async () => {
    const list = (await req('POST', '/api/v1/lists', { name: 'Guarded' })).json();
    await req('POST', '/api/v1/suppressions', { email: 'blocked@guard.example', reason: 'hard_bounce' });
    const r = await req('POST', `/api/v1/lists/${list.id}/subscribe`, { email: 'blocked@guard.example' });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('suppressed');
    // The refused subscribe by email created no contact either.
    expect((await req('GET', '/api/v1/contacts?email=blocked@guard.example')).json().data).toEqual([]);
    const existing = (await req('POST', '/api/v1/contacts', { email: 'blocked@guard.example' })).json();
    expect(existing).toMatchObject({ status: 'bounced', suppressed: true });
    expect((await req('POST', `/api/v1/lists/${list.id}/subscribe`, { contact_id: existing.id })).json().error.code).toBe('suppressed');
    const members = await env.ctx.db.selectFrom('list_memberships').selectAll().where('list_id', '=', list.id).execute();
    expect(members).toHaveLength(0);
  });

  it('tags and untags contacts and counts tags', async () => {
    const c = (await req('POST', '/api/v1/contacts', { email: 'tagged@example.com' })).json();
    expect((await req('PUT', `/api/v1/contacts/${c.id}/tags/vip`)).json().tags).toEqual(['vip']);
    expect((await req('PUT', `/api/v1/contacts/${c.id}/tags/vip`)).json().tags).toEqual(['vip']);
    expect((await req('PUT', `/api/v1/contacts/${c.id}/tags/${encodeURIComponent('spring sale')}`)).json().tags).toEqual(['spring sale', 'vip']);
    const tags = (await req('GET', '/api/v1/tags')).json().data;
    expect(tags.find((t: { name: string }) => t.name === 'vip').contact_count).toBe(1);
    expect((await req('DELETE', `/api/v1/contacts/${c.id}/tags/vip`)).json().tags).toEqual(['spring sale']);
    expect((await req('DELETE', `/api/v1/contacts/${c.id}/tags/vip`)).statusCode).toBe(404);
  });

  it('keeps an append-only consent ledger with purpose, source, wording, IP and user agent', async () => {
    const c = (await req('POST', '/api/v1/contacts', { email: 'consent@example.com' })).json();
    const grant = await env.app.inject({
      method: 'POST', url: `/api/v1/contacts/${c.id}/consent`, headers: { ...env.a.auth, 'user-agent': 'FormRelay/1' },
      payload: { purpose: 'marketing_email', action: 'granted', source_type: 'form', source_id: 'footer', wording_version: 'v3' },
    });
    expect(grant.statusCode).toBe(201);
    expect(grant.json()).toMatchObject({ purpose: 'marketing_email', action: 'granted', source_type: 'form', source_id: 'footer', wording_version: 'v3', ip: '127.0.0.1', user_agent: 'FormRelay/1' });
    clock.advance(1000);
    await req('POST', `/api/v1/contacts/${c.id}/consent`, { purpose: 'marketing_email', action: 'withdrawn', source_type: 'api', ip: '203.0.113.9' });
    const ledger = (await req('GET', `/api/v1/contacts/${c.id}/consent`)).json();
    expect(ledger.data.map((e: { action: string }) => e.action)).toEqual(['granted', 'withdrawn']);
    expect(ledger.current).toEqual({ marketing_email: 'withdrawn' });
    expect((await req('POST', `/api/v1/contacts/${c.id}/consent`, { purpose: 'x', action: 'maybe' })).statusCode).toBe(400);
    // No route changes or removes an entry, and the database refuses an UPDATE.
    expect((await req('PATCH', `/api/v1/contacts/${c.id}/consent`, { purpose: 'x' })).statusCode).toBe(404);
    expect((await req('DELETE', `/api/v1/contacts/${c.id}/consent`)).statusCode).toBe(404);
    await expect(sql`UPDATE consent_ledger SET action = 'granted'`.execute(env.ctx.db)).rejects.toThrow(/append-only/);
    const after = (await req('GET', `/api/v1/contacts/${c.id}/consent`)).json();
    expect(after.data.map((e: { action: string }) => e.action)).toEqual(['granted', 'withdrawn']);
  });

  it('lists suppressions with prefix search and cursor, and audits removal with its reason', async () => {
    for (const e of ['s1@sup.example', 's2@sup.example', 's3@sup.example']) await req('POST', '/api/v1/suppressions', { email: e });
    const p1 = (await req('GET', '/api/v1/suppressions?q=s&limit=2')).json();
    expect(p1.data).toHaveLength(2);
    const p2 = (await req('GET', `/api/v1/suppressions?q=s&limit=2&cursor=${p1.next_cursor}`)).json();
    expect([...p1.data, ...p2.data].map((s: { email: string }) => s.email)).toEqual(['s1@sup.example', 's2@sup.example', 's3@sup.example']);
    expect((await req('GET', '/api/v1/suppressions/S2@sup.example')).json().reason).toBe('manual');
    const del = await req('DELETE', `/api/v1/suppressions/s2@sup.example?reason=${encodeURIComponent('customer asked via support')}`);
    expect(del.statusCode).toBe(200);
    expect((await req('DELETE', '/api/v1/suppressions/s2@sup.example')).statusCode).toBe(404);
    const audit = await env.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'suppressions.remove').executeTakeFirstOrThrow();
    expect(audit.target_id).toBe('s2@sup.example');
    expect(JSON.stringify(audit.details)).toContain('customer asked via support');
    expect((await req('POST', '/api/v1/suppressions', { email: 'not-an-address' })).statusCode).toBe(400);
  });
});

describeEachDb('enforceSuppressions (bulk writers)', (dialect) => {
  it('sets every active contact with a suppressed address to the status its reason implies, leaving opt-outs alone', async () => {
    const ctx = await openTestContext(dialect);
    try {
      const t = await createTenant(ctx);
      const other = await createTenant(ctx);
      const now = ctx.clock.now();
      const row = (ws: number, email: string, status = 'active') => ({ workspace_id: ws, email, email_lower: email, first_name: null, last_name: null, external_id: null, status, attributes: '{}', timezone: null, tracking_consent: 1, created_at: now, updated_at: now });
      // Raw inserts, as a bulk importer would write them, bypassing upsertContact.
      await ctx.db.insertInto('contacts').values([row(t.workspace.id, 'b@x.example'), row(t.workspace.id, 'c@x.example'), row(t.workspace.id, 'm@x.example'),
        row(t.workspace.id, 'u@x.example', 'unsubscribed'), row(t.workspace.id, 'ok@x.example'), row(other.workspace.id, 'b@x.example')]).execute();
      const sup = (email: string, reason: string) => ({ workspace_id: t.workspace.id, email, reason, source: 'test', details: null, created_at: now });
      await ctx.db.insertInto('suppressions').values([sup('b@x.example', 'hard_bounce'), sup('c@x.example', 'complaint'), sup('m@x.example', 'manual'), sup('u@x.example', 'hard_bounce')]).execute();
      const { enforceSuppressions } = await import('../../src/suppressions/index.js');
      expect(await enforceSuppressions(ctx, t.workspace.id)).toBe(3);
      const status = Object.fromEntries((await ctx.db.selectFrom('contacts').select(['email', 'status']).where('workspace_id', '=', t.workspace.id).execute()).map((r) => [r.email, r.status]));
      expect(status).toEqual({ 'b@x.example': 'bounced', 'c@x.example': 'complained', 'm@x.example': 'blocked', 'u@x.example': 'unsubscribed', 'ok@x.example': 'active' });
      const otherRow = await ctx.db.selectFrom('contacts').select('status').where('workspace_id', '=', other.workspace.id).executeTakeFirstOrThrow();
      expect(otherRow.status).toBe('active');
    } finally {
      await ctx.destroy();
    }
  });
});
