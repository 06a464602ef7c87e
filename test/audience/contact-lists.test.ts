// GET /contacts/:id/lists: the lists of one contact (the admin UI's contact profile), scoped to the workspace.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { createTenant, describeEachDb, openTestContext, testApp, type TestContext, type Tenant } from '../helpers/context.js';

describeEachDb('a contact\'s lists', (dialect) => {
  let ctx: TestContext;
  let app: App;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    ctx = await openTestContext(dialect);
    app = await testApp(ctx);
    a = await createTenant(ctx, { name: 'Alpha' });
    b = await createTenant(ctx, { name: 'Beta' });
  });
  afterAll(async () => {
    await app.close();
    await ctx.destroy();
  });

  it('lists every membership of a contact with its status, by list name', async () => {
    const post = (t: Tenant, url: string, payload: object) => app.inject({ method: 'POST', url, headers: t.auth, payload });
    const news = (await post(a, '/api/v1/lists', { name: 'News', opt_in: 'double' })).json();
    const deals = (await post(a, '/api/v1/lists', { name: 'Deals' })).json();
    await post(a, '/api/v1/lists', { name: 'Other' });
    await post(a, `/api/v1/lists/${news.id}/subscribe`, { email: 'ada@example.com' });
    const m = (await post(a, `/api/v1/lists/${deals.id}/subscribe`, { email: 'ada@example.com' })).json();
    const res = await app.inject({ url: `/api/v1/contacts/${m.contact_id}/lists`, headers: a.auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.map((r: { list: { name: string }; membership: { status: string } }) => [r.list.name, r.membership.status]))
      .toEqual([['Deals', 'confirmed'], ['News', 'unconfirmed']]);
  });

  it('prevents cross-workspace reads: another workspace\'s contact is a 404', async () => {
    const c = (await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: a.auth, payload: { email: 'grace@example.com' } })).json();
    expect((await app.inject({ url: `/api/v1/contacts/${c.id}/lists`, headers: b.auth })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/contacts/${c.id}/lists` })).statusCode).toBe(401);
  });
});
