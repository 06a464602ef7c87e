import { expect, it } from 'vitest';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('contacts API', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' } } });
  const post = (payload: unknown, headers: Record<string, string> = env.a.auth) => env.app.inject({ method: 'POST', url: '/api/v1/contacts', headers, payload: payload as object });
  const get = (url: string, headers: Record<string, string> = env.a.auth) => env.app.inject({ url, headers });

  it('creates, reads, updates and deletes a contact (delete audited)', async () => {
    const created = await post({ email: ' Ada@Example.COM ', first_name: 'Ada', timezone: 'Europe/London', attributes: { plan: 'pro' } });
    expect(created.statusCode).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({ email: 'Ada@example.com', first_name: 'Ada', status: 'active', timezone: 'Europe/London', attributes: { plan: 'pro' }, created: true, suppressed: false });
    expect((await get(`/api/v1/contacts/${c.id}`)).json().email).toBe('Ada@example.com');
    const patched = await env.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${c.id}`, headers: env.a.auth, payload: { last_name: 'Lovelace', attributes: { plan: null, seats: 3 } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ last_name: 'Lovelace', attributes: { seats: 3 } });
    expect(patched.json().attributes.plan).toBeUndefined();
    const del = await env.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}`, headers: env.a.auth });
    expect(del.json()).toEqual({ deleted: true });
    expect((await get(`/api/v1/contacts/${c.id}`)).statusCode).toBe(404);
    const audit = await env.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'contacts.delete').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.target_id).toBe(String(c.id));
  });

  it('upserts by email (case-insensitive) and refuses with 409 when upsert is false', async () => {
    const first = await post({ email: 'bob@example.com', first_name: 'Bob' });
    const again = await post({ email: 'BOB@example.com', last_name: 'B' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, first_name: 'Bob', last_name: 'B', created: false });
    const refused = await post({ email: 'bob@example.com', upsert: false });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('conflict');
  });

  it('creates one contact when concurrent upserts race on a new address', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post({ email: 'race@upsert.example', attributes: { n: i } })));
    expect(results.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
  });

  it('rejects invalid emails, time zones and statuses with clear errors', async () => {
    for (const email of ['nope', 'a@b', 'x@@example.com', 'bad\ud800@example.com', ' ']) {
      const r = await post({ email });
      expect(r.statusCode, email).toBe(400);
      expect(r.json().error.code).toBe('bad_request');
    }
    const tz = await post({ email: 'tz@example.com', timezone: 'Mars/Olympus' });
    expect(tz.statusCode).toBe(400);
    expect(tz.json().error.message).toMatch(/IANA/);
    expect((await post({ email: 'tz2@example.com', timezone: 'UTC' })).json().timezone).toBe('UTC');
    expect((await post({ email: 'st@example.com', status: 'zombie' })).statusCode).toBe(400);
  });

  it('fixes an attribute type with the first value, then coerces or rejects later values', async () => {
    await post({ email: 't1@example.com', attributes: { age: 41, vip: true, since: '2024-03-01', city: 'Berlin' } });
    const coerced = await post({ email: 't2@example.com', attributes: { age: '42', vip: 'yes', city: 7 } });
    expect(coerced.statusCode).toBe(201);
    expect(coerced.json().attributes).toEqual({ age: 42, vip: true, city: '7' });
    const bad = await post({ email: 't3@example.com', attributes: { age: 'forty' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('attribute "age" is a number; "forty" cannot be converted to a number');
    const badDate = await post({ email: 't3@example.com', attributes: { since: 'last week' } });
    expect(badDate.json().error.message).toMatch(/attribute "since" is a date/);
    expect((await post({ email: 't3@example.com', attributes: { nested: { a: 1 } } })).statusCode).toBe(400);
    expect((await post({ email: 't3@example.com', attributes: { status: 'x' } })).json().error.message).toMatch(/built-in/);
    expect((await post({ email: 't3@example.com', attributes: { 'bad name': 'x' } })).statusCode).toBe(400);
  });

  it('finds a contact by ?email= with its status, and searches by status, prefix, tag and attribute', async () => {
    await post({ email: 'search1@find.example', status: 'unsubscribed', attributes: { tier: 'gold', score: 10, opted: true }, tags: ['vip'] });
    await post({ email: 'search2@find.example', attributes: { tier: 'silver', score: 10.0, opted: false } });
    await post({ email: 'other_%@find.example', attributes: { tier: 'gold', score: 3 } });
    const byEmail = await get('/api/v1/contacts?email=SEARCH1@find.example');
    expect(byEmail.json().data).toHaveLength(1);
    expect(byEmail.json().data[0]).toMatchObject({ email: 'search1@find.example', status: 'unsubscribed', tags: ['vip'] });
    expect(byEmail.json().next_cursor).toBeNull();
    expect((await get('/api/v1/contacts?email=nobody@find.example')).json().data).toEqual([]);
    const emails = (r: { json(): { data: { email: string }[] } }) => r.json().data.map((c) => c.email).sort();
    expect(emails(await get('/api/v1/contacts?q=search'))).toEqual(['search1@find.example', 'search2@find.example']);
    // LIKE wildcards in the prefix match literally.
    expect(emails(await get('/api/v1/contacts?q=other_%25'))).toEqual(['other_%@find.example']);
    expect(emails(await get('/api/v1/contacts?q=s_arch'))).toEqual([]);
    expect(emails(await get('/api/v1/contacts?status=unsubscribed&q=search'))).toEqual(['search1@find.example']);
    expect(emails(await get('/api/v1/contacts?tag=vip'))).toEqual(['search1@find.example']);
    expect(emails(await get('/api/v1/contacts?tag=none'))).toEqual([]);
    expect(emails(await get('/api/v1/contacts?attr.tier=gold'))).toEqual(['other_%@find.example', 'search1@find.example']);
    expect(emails(await get('/api/v1/contacts?attr.tier=gold&attr.score=10'))).toEqual(['search1@find.example']);
    expect(emails(await get('/api/v1/contacts?attr.score=10'))).toEqual(['search1@find.example', 'search2@find.example']);
    expect(emails(await get('/api/v1/contacts?attr.opted=false'))).toEqual(['search2@find.example']);
    const unknown = await get('/api/v1/contacts?attr.nope=1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/unknown attribute/);
    expect((await get('/api/v1/contacts?attr.score=abc')).statusCode).toBe(400);
  });

  it('pages with an opaque keyset cursor and rejects forged cursors', async () => {
    const t = await createTenant(env.ctx, { name: 'Pager' });
    for (let i = 0; i < 23; i++) await post({ email: `p${String(i).padStart(2, '0')}@page.example` }, t.auth);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(`/api/v1/contacts?limit=10${cursor ? `&cursor=${cursor}` : ''}`, t.auth);
      expect(r.statusCode).toBe(200);
      seen.push(...r.json().data.map((c: { email: string }) => c.email));
      cursor = r.json().next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    for (const bad of ['abc', '1', 'a'.repeat(50), 'k10']) {
      expect((await get(`/api/v1/contacts?cursor=${bad}`, t.auth)).statusCode, bad).toBe(400);
    }
  });

  it('never re-activates a suppressed address by upsert, PATCH or re-creation after delete', async () => {
    const c = (await post({ email: 'gone@example.com' })).json();
    const sup = await env.app.inject({ method: 'POST', url: '/api/v1/suppressions', headers: env.a.auth, payload: { email: 'Gone@Example.com', reason: 'manual' } });
    expect(sup.statusCode).toBe(201);
    expect((await get(`/api/v1/contacts/${c.id}`)).json()).toMatchObject({ status: 'blocked', suppressed: true, suppression_reason: 'manual' });
    const up = await post({ email: 'gone@example.com', status: 'active', first_name: 'Back' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ status: 'blocked', suppressed: true, first_name: 'Back' });
    expect(up.json().warnings[0]).toMatch(/suppressed/);
    const patch = await env.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${c.id}`, headers: env.a.auth, payload: { status: 'active' } });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().error.code).toBe('suppressed');
    await env.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}`, headers: env.a.auth });
    const again = await post({ email: 'gone@example.com' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ status: 'blocked', suppressed: true });
    // A suppression by complaint of a new address: the contact created later is "complained".
    await env.app.inject({ method: 'POST', url: '/api/v1/suppressions', headers: env.a.auth, payload: { email: 'angry@example.com', reason: 'complaint' } });
    expect((await post({ email: 'angry@example.com' })).json().status).toBe('complained');
  });

  it('does not re-activate an unsubscribed contact by upsert, but an explicit PATCH may', async () => {
    const c = (await post({ email: 'unsub@example.com', status: 'unsubscribed' })).json();
    const up = await post({ email: 'unsub@example.com', status: 'active' });
    expect(up.json().status).toBe('unsubscribed');
    expect(up.json().warnings[0]).toMatch(/does not re-activate/);
    const patch = await env.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${c.id}`, headers: env.a.auth, payload: { status: 'active' } });
    expect(patch.json().status).toBe('active');
  });

  it('keeps a bounced status when the address is suppressed later', async () => {
    const c = (await post({ email: 'bounced@example.com', status: 'bounced' })).json();
    await env.app.inject({ method: 'POST', url: '/api/v1/suppressions', headers: env.a.auth, payload: { email: 'bounced@example.com' } });
    expect((await get(`/api/v1/contacts/${c.id}`)).json().status).toBe('bounced');
  });

  it('checks permissions: a viewer cannot read contacts, an analyst cannot write', async () => {
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    expect((await get('/api/v1/contacts', viewer)).statusCode).toBe(403);
    const analyst = await keyWithRole(env.ctx, env.a.workspace.id, 'analyst');
    expect((await get('/api/v1/contacts', analyst)).statusCode).toBe(200);
    expect((await post({ email: 'x@example.com' }, analyst)).statusCode).toBe(403);
  });

  it('documents the audience routes in OpenAPI with tags and summaries', async () => {
    const doc = (await env.app.inject('/api/v1/openapi.json')).json();
    for (const path of ['/api/v1/contacts', '/api/v1/contacts/{id}', '/api/v1/lists/{id}/subscribe', '/api/v1/suppressions/{email}', '/api/v1/exports/contacts', '/api/v1/contacts/{id}/consent', '/api/v1/tags']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    const op = doc.paths['/api/v1/contacts'].post;
    expect(op.tags).toEqual(['contacts']);
    expect(op.summary).toBeTruthy();
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain('idempotency-key');
  });
});
