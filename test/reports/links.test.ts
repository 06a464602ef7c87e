// GET /campaigns/:id/links: top links from the stored link table and the click events that the
// real /t/c/ endpoint records, with consent respected (anonymous clicks are summed, not attributed).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { registerCampaignLinks, trackHtml, type CampaignLinks } from '../../src/tracking/index.js';
import { addCampaign, addContact, addDelivery } from '../compliance/fixtures.js';
import { createTenant, describeEachDb, keyWithRole, openTestContext, testApp, type Tenant, type TestContext } from '../helpers/context.js';

const SHOP = 'https://shop.example.com/spring?utm=1';
const NEWS = 'https://news.example.org/';
const QUIET = 'https://quiet.example.net/';
const HTML = `<html><body><a href="${SHOP}">Shop</a> <a href="${NEWS}">News</a> <a href="${QUIET}">Quiet</a></body></html>`;

describeEachDb('GET /campaigns/:id/links', (dialect) => {
  let ctx: TestContext;
  let app: App;
  let t: Tenant;
  let campaign: number;
  let links: CampaignLinks;

  /** Follows the tracked link to `url` in the message rendered for one delivery, like a mail client. */
  const click = async (url: string, deliveryId: number, consent: boolean) => {
    const html = trackHtml(links, HTML, { deliveryId, trackingConsent: consent, trackOpens: false, trackClicks: true });
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
    const tracked = hrefs[[SHOP, NEWS, QUIET].indexOf(url)] as string;
    const res = await app.inject({ url: new URL(tracked).pathname });
    expect(res.headers.location).toBe(url);
  };

  beforeAll(async () => {
    ctx = await openTestContext(dialect, { config: { publicUrl: 'https://mail.example.com' } });
    app = await testApp(ctx);
    t = await createTenant(ctx);
    const ws = t.workspace.id;
    campaign = await addCampaign(ctx, ws, [], HTML);
    links = await registerCampaignLinks(ctx, ws, campaign, HTML);
    const people: Array<{ delivery: number; consent: boolean }> = [];
    for (let i = 0; i < 3; i++) {
      const contact = await addContact(ctx, ws, `p${i}@example.com`, { tracking_consent: i < 2 ? 1 : 0 });
      people.push({ delivery: await addDelivery(ctx, ws, campaign, contact, 'sent'), consent: i < 2 });
    }
    const [a, b, anon] = people as [typeof people[0], typeof people[0], typeof people[0]];
    // a clicks SHOP twice (deduplicated per delivery and link), b once; the unconsented reader
    // clicks SHOP twice and NEWS once (each anonymous click counts, none is attributed).
    for (const [p, url] of [[a, SHOP], [a, SHOP], [b, SHOP], [a, NEWS], [anon, SHOP], [anon, SHOP], [anon, NEWS]] as const) await click(url, p.delivery, p.consent);
  });
  afterAll(async () => { await app.close(); await ctx.destroy(); });

  it('lists every stored link, most clicked first, with clicks, unique clickers and anonymous clicks', async () => {
    const res = await app.inject({ url: `/api/v1/campaigns/${campaign}/links`, headers: t.auth });
    expect(res.statusCode).toBe(200);
    const rows = res.json().data.map((r: { url: string; clicks: number; unique_clickers: number; anonymous_clicks: number }) => [r.url, r.clicks, r.unique_clickers, r.anonymous_clicks]);
    expect(rows).toEqual([[SHOP, 4, 2, 2], [NEWS, 2, 1, 1], [QUIET, 0, 0, 0]]);
    const top = (await app.inject({ url: `/api/v1/campaigns/${campaign}/links?limit=1`, headers: t.auth })).json().data;
    expect(top.map((r: { url: string }) => r.url)).toEqual([SHOP]);
  });

  it('prevents reading another workspace\'s links and needs campaigns:read', async () => {
    const other = await createTenant(ctx);
    const res = await app.inject({ url: `/api/v1/campaigns/${campaign}/links`, headers: other.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    const viewer = await keyWithRole(ctx, t.workspace.id, 'viewer');
    expect((await app.inject({ url: `/api/v1/campaigns/${campaign}/links`, headers: viewer })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/campaigns/${campaign}/links` })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/campaigns/0/links', headers: t.auth })).statusCode).toBe(400);
  });

  it('answers an empty list for a campaign without tracked links', async () => {
    const plain = await addCampaign(ctx, t.workspace.id, [], '<p>No links</p>');
    expect((await app.inject({ url: `/api/v1/campaigns/${plain}/links`, headers: t.auth })).json()).toEqual({ data: [] });
  });

  it('shows in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/campaigns/{id}/links'].get.summary).toMatch(/tracked links/);
  });
});
