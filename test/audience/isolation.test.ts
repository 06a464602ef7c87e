import { beforeAll, expect, it } from 'vitest';
import { describeEachDb, useTestEnv, type Tenant } from '../helpers/context.js';

// Workspace B's key must never read or change workspace A's audience: every route is tried with
// A's ids and B's key, and must answer 404 (or an empty result) while A's data stays unchanged.
describeEachDb('audience tenant isolation', (dialect) => {
  let contactA: { id: number; email: string };
  let listA: number;
  let listB: number;
  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' }, b: { name: 'Beta' } } });
  const call = (t: Tenant, method: Method, url: string, payload?: object) => env.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    contactA = (await call(env.a, 'POST', '/api/v1/contacts', { email: 'secret@alpha.example', first_name: 'Alice', attributes: { plan: 'gold' }, tags: ['vip'] })).json();
    listA = (await call(env.a, 'POST', '/api/v1/lists', { name: 'Alpha list', opt_in: 'double' })).json().id;
    listB = (await call(env.b, 'POST', '/api/v1/lists', { name: 'Beta list' })).json().id;
    await call(env.a, 'POST', `/api/v1/lists/${listA}/subscribe`, { contact_id: contactA.id });
    await call(env.a, 'POST', `/api/v1/contacts/${contactA.id}/consent`, { purpose: 'marketing_email', action: 'granted' });
    await call(env.a, 'POST', '/api/v1/suppressions', { email: 'blocked@alpha.example' });
  });

  it("answers 404 to every route that names workspace A's contact, list or suppression", async () => {
    const c = contactA.id;
    const attempts: [Method, string, object?][] = [
      ['GET', `/api/v1/contacts/${c}`],
      ['PATCH', `/api/v1/contacts/${c}`, { first_name: 'Mallory', status: 'unsubscribed' }],
      ['DELETE', `/api/v1/contacts/${c}`],
      ['GET', `/api/v1/contacts/${c}/consent`],
      ['POST', `/api/v1/contacts/${c}/consent`, { purpose: 'marketing_email', action: 'withdrawn' }],
      ['PUT', `/api/v1/contacts/${c}/tags/hacked`],
      ['DELETE', `/api/v1/contacts/${c}/tags/vip`],
      ['GET', `/api/v1/contacts?list_id=${listA}`],
      ['GET', `/api/v1/lists/${listA}`],
      ['PATCH', `/api/v1/lists/${listA}`, { name: 'pwned' }],
      ['DELETE', `/api/v1/lists/${listA}`],
      ['GET', `/api/v1/lists/${listA}/contacts`],
      ['POST', `/api/v1/lists/${listA}/subscribe`, { email: 'spy@beta.example' }],
      ['POST', `/api/v1/lists/${listA}/confirm`, { contact_id: c }],
      ['POST', `/api/v1/lists/${listA}/unsubscribe`, { contact_id: c }],
      ['POST', `/api/v1/lists/${listB}/subscribe`, { contact_id: c }],
      ['POST', `/api/v1/lists/${listB}/unsubscribe`, { contact_id: c }],
      ['GET', '/api/v1/suppressions/blocked@alpha.example'],
      ['DELETE', '/api/v1/suppressions/blocked@alpha.example'],
      ['GET', `/api/v1/exports/contacts?list_id=${listA}`],
      ['GET', `/api/v1/exports/contacts?list_id=${listA}&format=json`],
    ];
    for (const [method, url, payload] of attempts) {
      const r = await call(env.b, method, url, payload);
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.json().error.code, `${method} ${url}`).toBe('not_found');
    }
  });

  it("never shows workspace A's rows in B's searches, tag list, suppression list or export", async () => {
    expect((await call(env.b, 'GET', '/api/v1/contacts?email=secret@alpha.example')).json().data).toEqual([]);
    expect((await call(env.b, 'GET', '/api/v1/contacts?q=secret')).json().data).toEqual([]);
    expect((await call(env.b, 'GET', '/api/v1/contacts?tag=vip')).json().data).toEqual([]);
    expect((await call(env.b, 'GET', '/api/v1/contacts')).json().data).toEqual([]);
    expect((await call(env.b, 'GET', '/api/v1/contacts?attr.plan=gold')).statusCode).toBe(400); // B has no such attribute
    expect((await call(env.b, 'GET', '/api/v1/tags')).json().data).toEqual([]);
    expect((await call(env.b, 'GET', '/api/v1/lists')).json().data.map((l: { id: number }) => l.id)).toEqual([listB]);
    expect((await call(env.b, 'GET', '/api/v1/suppressions')).json().data).toEqual([]);
    const exp = await call(env.b, 'GET', '/api/v1/exports/contacts');
    expect(exp.statusCode).toBe(200);
    expect(exp.body).not.toContain('alpha.example');
    // A cursor forged from A's ids pages nothing of A's.
    const page = await call(env.b, 'GET', `/api/v1/contacts?cursor=${Buffer.from('k0').toString('base64url')}`);
    expect(page.json().data).toEqual([]);
  });

  it("keeps A's data intact when B writes the same email, list name, tag or suppression", async () => {
    const same = await call(env.b, 'POST', '/api/v1/contacts', { email: 'secret@alpha.example', first_name: 'Bob' });
    expect(same.statusCode).toBe(201);
    expect(same.json().id).not.toBe(contactA.id);
    expect((await call(env.b, 'POST', '/api/v1/lists', { name: 'Alpha list' })).statusCode).toBe(201);
    await call(env.b, 'POST', '/api/v1/suppressions', { email: 'secret@alpha.example' });
    await call(env.b, 'PUT', `/api/v1/contacts/${same.json().id}/tags/vip`);
    const mine = (await call(env.a, 'GET', `/api/v1/contacts/${contactA.id}`)).json();
    expect(mine).toMatchObject({ first_name: 'Alice', status: 'active', suppressed: false, tags: ['vip'], attributes: { plan: 'gold' } });
    expect((await call(env.a, 'GET', `/api/v1/lists/${listA}`)).json()).toMatchObject({ name: 'Alpha list', counts: { unconfirmed: 1 } });
    expect((await call(env.a, 'GET', `/api/v1/contacts/${contactA.id}/consent`)).json().data).toHaveLength(1);
    expect((await call(env.a, 'GET', '/api/v1/suppressions/blocked@alpha.example')).statusCode).toBe(200);
    expect((await call(env.a, 'GET', '/api/v1/tags')).json().data[0]).toMatchObject({ name: 'vip', contact_count: 1 });
    // The same Idempotency-Key in both workspaces never replays A's response to B.
    const keyed = (t: Tenant, email: string) => env.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { ...t.auth, 'idempotency-key': 'same' }, payload: { email } });
    const ra = await keyed(env.a, 'k@alpha.example');
    const rb = await keyed(env.b, 'k@alpha.example');
    expect(rb.headers['idempotent-replayed']).toBeUndefined();
    expect(rb.json().id).not.toBe(ra.json().id);
  });
});
