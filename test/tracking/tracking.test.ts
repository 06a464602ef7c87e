import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { flushCampaignLinks, openSigner, recipientClickSigner, registerCampaignLinks, trackHtml, truncateIp, clickSigner, type CampaignLinks } from '../../src/tracking/index.js';
import { updateWorkspace } from '../../src/workspaces/index.js';
import { createTenant, describeEachDb, openTestContext, testApp, type TestContext, type Tenant } from '../helpers/context.js';
import { addCampaign, addContact, addDelivery } from '../compliance/fixtures.js';

const HTML = `<html><head><link href="https://fonts.googleapis.com/css?family=Lato" rel="stylesheet"><base href="https://base.example.com/"></head><body>
<a href="https://shop.example.com/a?x=1&amp;y=2">Shop</a>
<a href='https://shop.example.com/a?x=1&amp;y=2'>Shop again</a>
<a href="http://news.example.org/">News</a>
<a href="mailto:hello@example.com">Mail</a>
<a href="#top">Top</a>
<a href="javascript:alert(1)">JS</a>
<a href="  JaVaScRiPt:alert(2)">JS2</a>
<a href="&#106;avascript:alert(3)">JS3</a>
<a href="java&#x09;script:alert(4)">JS4</a>
<a href="data:text/html,<script>alert(5)</script>">Data</a>
<a href=vbscript:msgbox(6)>VB</a>
<a/href="javascript:alert(7)">Slash</a>
<a title="x>y"href="javascript:alert(8)">Quote</a>
<a href="DATA:text/html;base64,PHNjcmlwdD4=">Data2</a>
<a href="https://mail.example.com/u/tok.en">Unsubscribe</a>
</body></html>`;

const hrefs = (html: string) => [...html.matchAll(/href=["']?([^"'\s>]+)/g)].map((m) => m[1] as string);

describeEachDb('tracking', (dialect) => {
  let ctx: TestContext;
  let app: App;
  let t: Tenant;
  let campaign: number;
  let links: CampaignLinks;
  const ws = () => t.workspace.id;
  beforeAll(async () => {
    ctx = await openTestContext(dialect, { config: { publicUrl: 'https://mail.example.com' } });
    app = await testApp(ctx);
    t = await createTenant(ctx);
    campaign = await addCampaign(ctx, ws(), [], HTML);
    links = await registerCampaignLinks(ctx, ws(), campaign, HTML);
  });
  afterAll(async () => {
    await app.close();
    await ctx.destroy();
  });

  const clickEvents = () => ctx.db.selectFrom('events').select(['contact_id', 'properties', 'campaign_id']).where('name', '=', 'clicked').where('workspace_id', '=', ws()).execute();

  it('registers the distinct http(s) targets once per campaign, idempotently', async () => {
    await registerCampaignLinks(ctx, ws(), campaign, HTML);
    const rows = await ctx.db.selectFrom('links').select('url').where('campaign_id', '=', campaign).orderBy('url').execute();
    expect(rows.map((r) => r.url)).toEqual(['http://news.example.org/', 'https://shop.example.com/a?x=1&y=2']);
  });

  it('caches only registered links, not values built per recipient (prevents each message\'s html being kept alive by the cache)', () => {
    const before = links.state.classified.size;
    for (let i = 0; i < 50; i++) {
      const html = `${HTML}<a href="https://mail.example.com/u/token-${i}">Unsubscribe</a><a href="mailto:c${i}@example.com">m</a><a href="https://unregistered.example.net/c/${i}">x</a>`;
      trackHtml(links, html, { deliveryId: i + 1, trackingConsent: true, trackOpens: true, trackClicks: true });
    }
    expect(links.state.classified.size).toBeLessThanOrEqual(Math.max(before, 2));
    expect([...links.state.classified.values()].every((c) => c.kind === 'http')).toBe(true);
  });

  it('prevents javascript:, data: and vbscript: links from being emitted, whatever their spelling', () => {
    for (const trackClicks of [true, false]) {
      const out = trackHtml(links, HTML, { deliveryId: 1, trackingConsent: true, trackOpens: false, trackClicks });
      expect(out).not.toMatch(/script:|data:/i);
      expect(out).not.toContain('&#106;');
      expect(out).toContain('<a >JS</a>');
      expect(out).toContain('<a title="x>y">Quote</a>');
      expect(hrefs(out)).toContain('mailto:hello@example.com');
      expect(hrefs(out)).toContain('#top');
    }
  });

  it('rewrites http(s) links to signed click URLs and appends the pixel only with consent', async () => {
    const contact = await addContact(ctx, ws(), 'click@example.com');
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    const out = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: true, trackOpens: true, trackClicks: true });
    const tracked = hrefs(out).filter((h) => h.startsWith('https://mail.example.com/t/c/'));
    expect(tracked).toHaveLength(3);
    expect(tracked[0]).toBe(tracked[1]);
    expect(hrefs(out)).toContain('https://mail.example.com/u/tok.en');
    // Resources fetched by the client are never click-tracked (false clicks, broken fonts).
    expect(out).toContain('<link href="https://fonts.googleapis.com/css?family=Lato" rel="stylesheet">');
    expect(out).toContain('<base href="https://base.example.com/">');
    expect(out).toMatch(/<img src="https:\/\/mail\.example\.com\/t\/o\/[^"]+" width="1" height="1" alt=""[^>]*><\/body>/);
    const noConsent = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: false, trackOpens: true, trackClicks: true });
    expect(noConsent).not.toContain('/t/o/');
    const noOpens = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: true, trackOpens: false, trackClicks: true });
    expect(noOpens).not.toContain('/t/o/');
    const noClicks = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: true, trackOpens: false, trackClicks: false });
    expect(noClicks).toContain('href="http://news.example.org/"');

    const res = await app.inject({ method: 'GET', url: new URL(tracked[0] as string).pathname, headers: { 'user-agent': 'Mozilla <b>', 'x-forwarded-for': '1.2.3.4' } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://shop.example.com/a?x=1&y=2');
    await app.inject({ method: 'GET', url: new URL(tracked[0] as string).pathname });
    const ev = (await clickEvents()).filter((e) => Number(e.contact_id) === contact);
    expect(ev).toHaveLength(1);
    expect(Number(ev[0]?.campaign_id)).toBe(campaign);
  });

  it('records only aggregate clicks for contacts without tracking consent', async () => {
    const contact = await addContact(ctx, ws(), 'private@example.com', { tracking_consent: 0 });
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    const out = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: false, trackOpens: true, trackClicks: true });
    const url = hrefs(out).find((h) => h.includes('/t/c/')) as string;
    const payload = recipientClickSigner(ctx.secret).verify(url.split('/t/c/')[1]?.split('/')[0]);
    expect(payload).toEqual([campaign, 0]);
    const before = (await clickEvents()).length;
    expect((await app.inject({ method: 'GET', url: new URL(url).pathname })).statusCode).toBe(302);
    const after = await clickEvents();
    expect(after).toHaveLength(before + 1);
    expect(after.filter((e) => Number(e.contact_id) === contact)).toHaveLength(0);
    expect(after.some((e) => e.contact_id === null)).toBe(true);
  });

  it('prevents an open redirect: the target comes only from the links table, unknown or tampered tokens get 404', async () => {
    const out = trackHtml(links, HTML, { deliveryId: 0, trackingConsent: false, trackOpens: false, trackClicks: true });
    const path = new URL(hrefs(out).find((h) => h.includes('/t/c/')) as string).pathname;
    const viaQuery = await app.inject({ method: 'GET', url: `${path}?url=https://evil.example/&to=https://evil.example/` });
    expect(viaQuery.headers.location).toBe('https://shop.example.com/a?x=1&y=2');
    const [token, ref] = path.slice(5).split('/') as [string, string];
    const raw = Buffer.from(token, 'base64url');
    const flipped = Buffer.from(raw); flipped[raw.length - 1] = (flipped[raw.length - 1] as number) ^ 1;
    const forged = Buffer.from(JSON.stringify([999999, 0])).toString('base64url');
    const bad = [forged, flipped.toString('base64url'), 'x', clickSigner('another-secret-another-secret-12345').sign([1, 0]), 'a'.repeat(99)];
    for (const url of [...bad.map((b) => `/t/c/${b}`), ...bad.map((b) => `/t/c/${b}/${ref}`), `/t/c/${token}/-1`, `/t/c/${token}/${'z'.repeat(12)}`, `/t/c/${token}/0`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers.location).toBeUndefined();
    }
    // A validly signed token for a link id that does not exist is also a 404 (both forms).
    expect((await app.inject({ method: 'GET', url: `/t/c/${clickSigner(ctx.secret).sign([999999, 0])}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/t/c/${token}/${(999999).toString(36)}` })).statusCode).toBe(404);
  });

  it('prevents a recipient token from naming a link of another campaign, and the two token forms from standing in for each other', async () => {
    const other = await addCampaign(ctx, ws(), [], '<a href="https://other.example.com/x">x</a>');
    const otherLinks = await registerCampaignLinks(ctx, ws(), other, '<a href="https://other.example.com/x">x</a>');
    const otherLinkId = otherLinks.state.byUrl.get('https://other.example.com/x') as number;
    const out = trackHtml(links, HTML, { deliveryId: 0, trackingConsent: false, trackOpens: false, trackClicks: true });
    const [token, ref] = new URL(hrefs(out).find((h) => h.includes('/t/c/')) as string).pathname.slice(5).split('/') as [string, string];
    // Same token, link id of the other campaign: refused, although that link exists.
    expect((await app.inject({ method: 'GET', url: `/t/c/${token}/${otherLinkId.toString(36)}` })).statusCode).toBe(404);
    // A recipient token alone is no per-link token, and a per-link token is no recipient token.
    expect((await app.inject({ method: 'GET', url: `/t/c/${token}` })).statusCode).toBe(404);
    const perLink = clickSigner(ctx.secret).sign([parseInt(ref, 36), 0]);
    expect((await app.inject({ method: 'GET', url: `/t/c/${perLink}/${ref}` })).statusCode).toBe(404);
    expect(recipientClickSigner(ctx.secret).verify(perLink)).toBeNull();
  });

  it('keeps per-link click tokens of mail sent before the recipient-token form working', async () => {
    const contact = await addContact(ctx, ws(), 'oldmail@example.com');
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    const linkId = links.state.byUrl.get('http://news.example.org/') as number;
    const res = await app.inject({ method: 'GET', url: `/t/c/${clickSigner(ctx.secret).sign([linkId, delivery])}` });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('http://news.example.org/');
    const ev = (await clickEvents()).filter((e) => Number(e.contact_id) === contact);
    expect(ev).toHaveLength(1);
  });

  it('gives every tracked link of one message the same recipient token and its own link id', async () => {
    const contact = await addContact(ctx, ws(), 'onetoken@example.com');
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    const out = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: true, trackOpens: false, trackClicks: true });
    const parts = hrefs(out).filter((h) => h.includes('/t/c/')).map((h) => new URL(h).pathname.slice(5).split('/'));
    expect(new Set(parts.map((p) => p[0])).size).toBe(1);
    expect(recipientClickSigner(ctx.secret).verify(parts[0]?.[0])).toEqual([campaign, delivery]);
    expect(new Set(parts.map((p) => p[1]))).toEqual(new Set([links.state.byUrl.get('https://shop.example.com/a?x=1&y=2'), links.state.byUrl.get('http://news.example.org/')].map((id) => (id as number).toString(36))));
    const news = parts.find((p) => p[1] === (links.state.byUrl.get('http://news.example.org/') as number).toString(36)) as string[];
    const res = await app.inject({ method: 'GET', url: `/t/c/${news[0]}/${news[1]}` });
    expect(res.headers.location).toBe('http://news.example.org/');
    const ev = (await clickEvents()).filter((e) => Number(e.contact_id) === contact);
    expect(ev.map((e) => (typeof e.properties === 'string' ? JSON.parse(e.properties) : e.properties).url)).toEqual(['http://news.example.org/']);
  });

  it('prevents tokens replayed across purposes: an open token is no click token and vice versa', async () => {
    const contact = await addContact(ctx, ws(), 'replay@example.com');
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    const openToken = openSigner(ctx.secret).sign([delivery]);
    expect((await app.inject({ method: 'GET', url: `/t/c/${openToken}` })).statusCode).toBe(404);
    const clickToken = clickSigner(ctx.secret).sign([delivery, delivery]);
    const res = await app.inject({ method: 'GET', url: `/t/o/${clickToken}` });
    expect(res.statusCode).toBe(200);
    const opened = await ctx.db.selectFrom('events').select('id').where('name', '=', 'opened').where('contact_id', '=', contact).execute();
    expect(opened).toHaveLength(0);
  });

  it('answers every open with a GIF and records the first open per delivery with truncated IP and the user agent', async () => {
    const contact = await addContact(ctx, ws(), 'open@example.com');
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    const out = trackHtml(links, HTML, { deliveryId: delivery, trackingConsent: true, trackOpens: true, trackClicks: false });
    const pixel = new URL(/src="([^"]+\/t\/o\/[^"]+)"/.exec(out)?.[1] as string).pathname;
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'GET', url: pixel, headers: { 'user-agent': '<img src=x onerror=alert(1)>' }, remoteAddress: '203.0.113.77' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toMatch(/no-store/);
      expect(res.rawPayload.subarray(0, 6).toString()).toBe('GIF89a');
    }
    for (const junk of ['garbage', 'a'.repeat(99), '%00']) {
      const bad = await app.inject({ method: 'GET', url: `/t/o/${junk}` });
      expect(bad.statusCode).toBe(200);
      expect(bad.headers['content-type']).toBe('image/gif');
    }
    const opened = await ctx.db.selectFrom('events').select(['properties']).where('name', '=', 'opened').where('contact_id', '=', contact).execute();
    expect(opened).toHaveLength(1);
    const props = typeof opened[0]?.properties === 'string' ? JSON.parse(opened[0].properties) : opened[0]?.properties;
    expect(props).toMatchObject({ delivery_id: delivery, ip: '203.0.113.0', user_agent: '<img src=x onerror=alert(1)>' });
  });

  it('stores the full IP when the workspace opted in', async () => {
    await updateWorkspace(ctx, { workspaceId: ws(), actor: 'cli' }, { settings: { storeFullIp: true } });
    const contact = await addContact(ctx, ws(), 'fullip@example.com');
    const delivery = await addDelivery(ctx, ws(), campaign, contact, 'sent');
    await app.inject({ method: 'GET', url: `/t/o/${openSigner(ctx.secret).sign([delivery])}`, remoteAddress: '203.0.113.77' });
    const row = await ctx.db.selectFrom('events').select('properties').where('name', '=', 'opened').where('contact_id', '=', contact).executeTakeFirstOrThrow();
    const props = typeof row.properties === 'string' ? JSON.parse(row.properties) : row.properties;
    expect(props.ip).toBe('203.0.113.77');
    await updateWorkspace(ctx, { workspaceId: ws(), actor: 'cli' }, { settings: { storeFullIp: false } });
  });

  it('registers links built per contact lazily; they are tracked once stored', async () => {
    const html = '<a href="https://shop.example.com/p/42">p</a>';
    const first = trackHtml(links, html, { deliveryId: 1, trackingConsent: true, trackOpens: false, trackClicks: true });
    expect(first).toBe(html);
    await flushCampaignLinks(links);
    const second = trackHtml(links, html, { deliveryId: 1, trackingConsent: true, trackOpens: false, trackClicks: true });
    expect(second).toContain('/t/c/');
  });
});

describe('IP truncation', () => {
  it('keeps /24 of IPv4 and /48 of IPv6', () => {
    expect(truncateIp('198.51.100.23')).toBe('198.51.100.0');
    expect(truncateIp('::ffff:198.51.100.23')).toBe('198.51.100.0');
    expect(truncateIp('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd::');
    expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(truncateIp('::1')).toBe('0:0:0::');
    expect(truncateIp('not-an-ip')).toBeNull();
    expect(truncateIp(undefined)).toBeNull();
  });
});

describe('token sizes', () => {
  // fastify rejects path parameters over 100 characters with 414: tokens must stay below it.
  it('prevents tokens from outgrowing the router limit with large ids', async () => {
    const { signUnsubscribeToken } = await import('../../src/compliance/index.js');
    const secret = 'x'.repeat(43);
    const unsub = signUnsubscribeToken({ secret, clock: { now: () => Date.UTC(2099, 0, 1) } }, { workspaceId: 99_999, contactId: 9_999_999_999, campaignId: 9_999_999, listId: 9_999_999 });
    expect(unsub.length).toBeLessThan(100);
    expect(clickSigner(secret).sign([9_999_999_999, 9_999_999_999_999]).length).toBeLessThan(100);
    expect(recipientClickSigner(secret).sign([9_999_999_999, 9_999_999_999_999]).length).toBeLessThan(100);
    expect(openSigner(secret).sign([9_999_999_999_999]).length).toBeLessThan(100);
  });
});

describe('pixel placement', () => {
  it('puts the pixel before </BODY> in any case, or at the end', async () => {
    const ctx = await openTestContext('sqlite');
    const t = await createTenant(ctx);
    const campaign = await addCampaign(ctx, t.workspace.id, []);
    const links = await registerCampaignLinks(ctx, t.workspace.id, campaign, '');
    const r = { deliveryId: 5, trackingConsent: true, trackOpens: true, trackClicks: true };
    expect(trackHtml(links, '<HTML><BODY>x</BODY></HTML>', r)).toMatch(/x<img src="[^"]+\/t\/o\/[^"]+"[^>]*><\/BODY><\/HTML>$/);
    expect(trackHtml(links, '<p>x</p>', r)).toMatch(/^<p>x<\/p><img /);
    await ctx.destroy();
  });
});
