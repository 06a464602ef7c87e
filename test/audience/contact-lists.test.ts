// GET /contacts/:id/lists: the lists of one contact (the admin UI's contact profile), scoped to the workspace.
import { expect, it } from 'vitest';
import { describeEachDb, useTestEnv, type Tenant } from '../helpers/context.js';

describeEachDb('a contact\'s lists', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' }, b: { name: 'Beta' } } });

  it('lists every membership of a contact with its status, by list name', async () => {
    const post = (t: Tenant, url: string, payload: object) => env.app.inject({ method: 'POST', url, headers: t.auth, payload });
    const news = (await post(env.a, '/api/v1/lists', { name: 'News', opt_in: 'double' })).json();
    const deals = (await post(env.a, '/api/v1/lists', { name: 'Deals' })).json();
    await post(env.a, '/api/v1/lists', { name: 'Other' });
    await post(env.a, `/api/v1/lists/${news.id}/subscribe`, { email: 'ada@example.com' });
    const m = (await post(env.a, `/api/v1/lists/${deals.id}/subscribe`, { email: 'ada@example.com' })).json();
    const res = await env.app.inject({ url: `/api/v1/contacts/${m.contact_id}/lists`, headers: env.a.auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.map((r: { list: { name: string }; membership: { status: string } }) => [r.list.name, r.membership.status]))
      .toEqual([['Deals', 'confirmed'], ['News', 'unconfirmed']]);
  });

  it('prevents cross-workspace reads: another workspace\'s contact is a 404', async () => {
    const c = (await env.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: env.a.auth, payload: { email: 'grace@example.com' } })).json();
    expect((await env.app.inject({ url: `/api/v1/contacts/${c.id}/lists`, headers: env.b.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ url: `/api/v1/contacts/${c.id}/lists` })).statusCode).toBe(401);
  });
});
