// GET /campaigns/:id/links: top links from the stored link table and the click events that the
// real /t/c/ endpoint records, with consent respected (anonymous clicks are summed, not attributed).
import { beforeAll, expect, it } from 'vitest';
import { registerCampaignLinks, trackHtml, type CampaignLinks } from '../../src/tracking/index.js';
import { addCampaign, addContact, addDelivery } from '../compliance/fixtures.js';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

const SHOP = 'https://shop.example.com/spring?utm=1';
const NEWS = 'https://news.example.org/';
const QUIET = 'https://quiet.example.net/';
const HTML = `<html><body><a href="${SHOP}">Shop</a> <a href="${NEWS}">News</a> <a href="${QUIET}">Quiet</a></body></html>`;

describeEachDb('GET /campaigns/:id/links', (dialect) => {
  let campaign: number;
  let links: CampaignLinks;
  const env = useTestEnv(dialect, { config: { publicUrl: 'https://mail.example.com' }, tenants: { t: {} } });

  /** Follows the tracked link to `url` in the message rendered for one delivery, like a mail client. */
  const click = async (url: string, deliveryId: number, consent: boolean) => {
    const html = trackHtml(links, HTML, { deliveryId, trackingConsent: consent, trackOpens: false, trackClicks: true });
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
    const tracked = hrefs[[SHOP, NEWS, QUIET].indexOf(url)] as string;
    const res = await env.app.inject({ url: new URL(tracked).pathname });
    expect(res.headers.location).toBe(url);
  };

  beforeAll(async () => {
    const ws = env.t.workspace.id;
    campaign = await addCampaign(env.ctx, ws, [], HTML);
    links = await registerCampaignLinks(env.ctx, ws, campaign, HTML);
    const people: Array<{ delivery: number; consent: boolean }> = [];
    for (let i = 0; i < 3; i++) {
      const contact = await addContact(env.ctx, ws, `p${i}@example.com`, { tracking_consent: i < 2 ? 1 : 0 });
      people.push({ delivery: await addDelivery(env.ctx, ws, campaign, contact, 'sent'), consent: i < 2 });
    }
    const [a, b, anon] = people as [typeof people[0], typeof people[0], typeof people[0]];
    // a clicks SHOP twice (deduplicated per delivery and link), b once; the unconsented reader
    // clicks SHOP twice and NEWS once (each anonymous click counts, none is attributed).
    for (const [p, url] of [[a, SHOP], [a, SHOP], [b, SHOP], [a, NEWS], [anon, SHOP], [anon, SHOP], [anon, NEWS]] as const) await click(url, p.delivery, p.consent);
  });

  it('lists every stored link, most clicked first, with clicks, unique clickers and anonymous clicks', async () => {
    const res = await env.app.inject({ url: `/api/v1/campaigns/${campaign}/links`, headers: env.t.auth });
    expect(res.statusCode).toBe(200);
    const rows = res.json().data.map((r: { url: string; clicks: number; unique_clickers: number; anonymous_clicks: number }) => [r.url, r.clicks, r.unique_clickers, r.anonymous_clicks]);
    expect(rows).toEqual([[SHOP, 4, 2, 2], [NEWS, 2, 1, 1], [QUIET, 0, 0, 0]]);
    const top = (await env.app.inject({ url: `/api/v1/campaigns/${campaign}/links?limit=1`, headers: env.t.auth })).json().data;
    expect(top.map((r: { url: string }) => r.url)).toEqual([SHOP]);
  });

  it('prevents reading another workspace\'s links and needs campaigns:read', async () => {
    const other = await createTenant(env.ctx);
    const res = await env.app.inject({ url: `/api/v1/campaigns/${campaign}/links`, headers: other.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    const viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    expect((await env.app.inject({ url: `/api/v1/campaigns/${campaign}/links`, headers: viewer })).statusCode).toBe(200);
    expect((await env.app.inject({ url: `/api/v1/campaigns/${campaign}/links` })).statusCode).toBe(401);
    expect((await env.app.inject({ url: '/api/v1/campaigns/0/links', headers: env.t.auth })).statusCode).toBe(400);
  });

  it('answers an empty list for a campaign without tracked links', async () => {
    const plain = await addCampaign(env.ctx, env.t.workspace.id, [], '<p>No links</p>');
    expect((await env.app.inject({ url: `/api/v1/campaigns/${plain}/links`, headers: env.t.auth })).json()).toEqual({ data: [] });
  });

  it('shows in the OpenAPI document', async () => {
    const doc = (await env.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/campaigns/{id}/links'].get.summary).toMatch(/tracked links/);
  });
});
