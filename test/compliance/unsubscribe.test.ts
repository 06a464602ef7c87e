import { TokenSigner } from '../../src/lib/crypto.js';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { unsubscribeLinks, unsubscribeTokenFromSubject, verifyUnsubscribeToken } from '../../src/compliance/index.js';
import { clickSigner } from '../../src/tracking/index.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { addCampaign, addContact, addDelivery, addList } from './fixtures.js';

const ONE_CLICK = { 'content-type': 'application/x-www-form-urlencoded' };
const tokenOf = (url: string) => new URL(url).pathname.slice(3);

describeEachDb('unsubscribe', (dialect) => {
  const clock = new ManualClock();
  const env = useTestEnv(dialect, { clock, config: { publicUrl: 'https://mail.example.com' }, tenants: { t: {} } });
  const ws = () => env.t.workspace.id;

  async function scenario() {
    const contact = await addContact(env.ctx, ws(), `u${Math.random()}@example.com`);
    const news = await addList(env.ctx, ws(), `News ${contact}`, [contact]);
    const offers = await addList(env.ctx, ws(), `Offers ${contact}`, [contact]);
    const campaign = await addCampaign(env.ctx, ws(), [news]);
    const links = unsubscribeLinks(env.ctx, { workspaceId: ws(), contactId: contact, campaignId: campaign, mailtoDomain: 'bounce.example.com' });
    const path = new URL(links.url).pathname;
    return { contact, news, offers, campaign, links, path };
  }
  const membership = async (contact: number, list: number) =>
    (await env.ctx.db.selectFrom('list_memberships').select('status').where('contact_id', '=', contact).where('list_id', '=', list).executeTakeFirstOrThrow()).status;
  const deliveryStatus = async (id: number) => env.ctx.db.selectFrom('deliveries').select(['status', 'skip_reason']).where('id', '=', id).executeTakeFirstOrThrow();
  const events = async (contact: number) => env.ctx.db.selectFrom('events').select(['name', 'properties', 'campaign_id']).where('contact_id', '=', contact).execute();

  it('builds the List-Unsubscribe headers with an https URL and a mailto', async () => {
    const { links } = await scenario();
    expect(links.url).toMatch(/^https:\/\/mail\.example\.com\/u\/[A-Za-z0-9_-]+$/);
    expect(links.mailto).toMatch(/^mailto:unsubscribe@bounce\.example\.com\?subject=unsubscribe%20/);
    expect(links.headers['List-Unsubscribe']).toBe(`<${links.url}>, <${links.mailto}>`);
    expect(links.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    // The mailto carries the same token in its subject, readable by inbound handling.
    const subject = decodeURIComponent(new URL(links.mailto!).searchParams.get('subject') ?? '');
    const token = unsubscribeTokenFromSubject(`Re: ${subject}`);
    expect(token).toBe(tokenOf(links.url));
    expect(verifyUnsubscribeToken(env.ctx, token as string)).toMatchObject({ workspaceId: ws() });
  });

  it('omits the mailto unsubscribe when no inbound domain receives it: the https one-click URL stays', async () => {
    const { contact, campaign } = await scenario();
    const links = unsubscribeLinks(env.ctx, { workspaceId: ws(), contactId: contact, campaignId: campaign, mailtoDomain: null });
    expect(links.mailto).toBeNull();
    expect(links.url).toMatch(/^https:\/\/mail\.example\.com\/u\/[A-Za-z0-9_-]+$/);
    expect(links.headers['List-Unsubscribe']).toBe(`<${links.url}>`);
    expect(links.headers['List-Unsubscribe']).not.toContain('mailto:');
    expect(links.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('GET shows a page with a button and never unsubscribes (link scanners prefetch)', async () => {
    const s = await scenario();
    const d = await addDelivery(env.ctx, ws(), s.campaign, s.contact);
    for (let i = 0; i < 3; i++) {
      const res = await env.app.inject({ method: 'GET', url: s.path });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<form method="post">');
      expect(res.body).toContain('name="List-Unsubscribe" value="One-Click"');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(res.headers['content-security-policy']).not.toMatch(/script-src/);
    }
    expect(await membership(s.contact, s.news)).toBe('confirmed');
    expect((await deliveryStatus(d)).status).toBe('queued');
    expect(await events(s.contact)).toHaveLength(0);
  });

  it('one-click POST without auth or cookie unsubscribes from the campaign lists, returns 200 without redirect and stops pending mail', async () => {
    const s = await scenario();
    const queued = await addDelivery(env.ctx, ws(), s.campaign, s.contact, 'queued');
    const otherSameList = await addCampaign(env.ctx, ws(), [s.news]);
    const deferred = await addDelivery(env.ctx, ws(), otherSameList, s.contact, 'deferred');
    const offersCampaign = await addCampaign(env.ctx, ws(), [s.offers]);
    const stillWanted = await addDelivery(env.ctx, ws(), offersCampaign, s.contact, 'queued');
    const sentCampaign = await addCampaign(env.ctx, ws(), [s.news]);
    const sent = await addDelivery(env.ctx, ws(), sentCampaign, s.contact, 'sent');

    const res = await env.app.inject({ method: 'POST', url: s.path, headers: ONE_CLICK, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain('You are unsubscribed');
    expect(await membership(s.contact, s.news)).toBe('unsubscribed');
    expect(await membership(s.contact, s.offers)).toBe('confirmed');
    expect(await deliveryStatus(queued)).toEqual({ status: 'skipped', skip_reason: 'unsubscribed' });
    expect(await deliveryStatus(deferred)).toEqual({ status: 'skipped', skip_reason: 'unsubscribed' });
    expect((await deliveryStatus(stillWanted)).status).toBe('queued');
    expect((await deliveryStatus(sent)).status).toBe('sent');
    const ev = await events(s.contact);
    expect(ev.map((e) => e.name)).toEqual(['unsubscribed']);
    expect(Number(ev[0]?.campaign_id)).toBe(s.campaign);
    const consent = await env.ctx.db.selectFrom('consent_ledger').selectAll().where('contact_id', '=', s.contact).execute();
    expect(consent).toMatchObject([{ purpose: 'marketing_email', action: 'withdrawn', source_type: 'form' }]);
    const contact = await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', s.contact).executeTakeFirstOrThrow();
    expect(contact.status).toBe('active');

    // A repeated one-click is answered 200 again but recorded once.
    const again = await env.app.inject({ method: 'POST', url: s.path, headers: { ...ONE_CLICK, cookie: 'postlane_session=garbage' }, payload: 'List-Unsubscribe=One-Click' });
    expect(again.statusCode).toBe(200);
    expect(await events(s.contact)).toHaveLength(1);
  });

  it('the page button for all email sets the contact status and skips every pending delivery', async () => {
    const s = await scenario();
    const offersCampaign = await addCampaign(env.ctx, ws(), [s.offers]);
    const d = await addDelivery(env.ctx, ws(), offersCampaign, s.contact, 'queued');
    const res = await env.app.inject({ method: 'POST', url: s.path, headers: ONE_CLICK, payload: 'List-Unsubscribe=One-Click&scope=all' });
    expect(res.statusCode).toBe(200);
    expect((await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', s.contact).executeTakeFirstOrThrow()).status).toBe('unsubscribed');
    expect(await deliveryStatus(d)).toEqual({ status: 'skipped', skip_reason: 'unsubscribed' });
  });

  it('a token naming one list of a multi-list campaign leaves all the campaign lists', async () => {
    const contact = await addContact(env.ctx, ws(), `multi${Math.random()}@example.com`);
    const a = await addList(env.ctx, ws(), `A ${contact}`, []);
    const b = await addList(env.ctx, ws(), `B ${contact}`, [contact]);
    const campaign = await addCampaign(env.ctx, ws(), [a, b]);
    const { url } = unsubscribeLinks(env.ctx, { workspaceId: ws(), contactId: contact, campaignId: campaign, listId: a, mailtoDomain: 'x.example' });
    expect((await env.app.inject({ method: 'POST', url: new URL(url).pathname, headers: ONE_CLICK, payload: 'List-Unsubscribe=One-Click' })).statusCode).toBe(200);
    expect(await membership(contact, b)).toBe('unsubscribed');
  });

  it('a campaign without lists unsubscribes globally', async () => {
    const contact = await addContact(env.ctx, ws(), 'nolist@example.com');
    const campaign = await addCampaign(env.ctx, ws(), []);
    const { url } = unsubscribeLinks(env.ctx, { workspaceId: ws(), contactId: contact, campaignId: campaign, mailtoDomain: 'x.example' });
    const res = await env.app.inject({ method: 'POST', url: new URL(url).pathname, headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
      payload: '--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XyZ--\r\n' });
    expect(res.statusCode).toBe(200);
    expect((await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', contact).executeTakeFirstOrThrow()).status).toBe('unsubscribed');
  });

  it('prevents tampered tokens from unsubscribing anyone (4xx, nothing changes)', async () => {
    const s = await scenario();
    const token = s.path.slice(3);
    const raw = Buffer.from(token, 'base64url');
    const flip = (i: number) => { const b = Buffer.from(raw); b[i] = (b[i] as number) ^ 1; return b.toString('base64url'); };
    const plainForgery = Buffer.from(JSON.stringify([ws(), s.contact + 1, s.campaign, 0, Math.floor(clock.now() / 1000)])).toString('base64url');
    const otherKey = new TokenSigner('another-secret-another-secret-12345', 'unsubscribe').sign([ws(), s.contact, s.campaign, 0, Math.floor(clock.now() / 1000)]);
    for (const bad of [flip(0), flip(raw.length - 1), plainForgery, otherKey, token.slice(0, -2), 'nonsense', `${token}.`]) {
      const res = await env.app.inject({ method: 'POST', url: `/u/${bad}`, headers: ONE_CLICK, payload: 'List-Unsubscribe=One-Click' });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect((await env.app.inject({ method: 'GET', url: `/u/${bad}` })).statusCode).toBe(400);
    }
    expect(await membership(s.contact, s.news)).toBe('confirmed');
  });

  it('prevents a click token being replayed as an unsubscribe token (and vice versa)', async () => {
    const s = await scenario();
    const clickToken = clickSigner(env.ctx.secret).sign([s.contact, s.campaign]);
    const res = await env.app.inject({ method: 'POST', url: `/u/${clickToken}`, headers: ONE_CLICK, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(400);
    expect(await membership(s.contact, s.news)).toBe('confirmed');
    expect((await env.app.inject({ method: 'GET', url: `/t/c/${s.path.slice(3)}` })).statusCode).toBe(404);
  });

  it('requires the RFC 8058 body on POST', async () => {
    const s = await scenario();
    expect((await env.app.inject({ method: 'POST', url: s.path, headers: ONE_CLICK, payload: 'foo=bar' })).statusCode).toBe(400);
    expect(await membership(s.contact, s.news)).toBe('confirmed');
  });

  it('keeps tokens valid for at least a year', async () => {
    const s = await scenario();
    clock.advance(400 * 24 * 3600 * 1000);
    const res = await env.app.inject({ method: 'POST', url: s.path, headers: ONE_CLICK, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect(await membership(s.contact, s.news)).toBe('unsubscribed');
  });

  it('escapes list and workspace names on the page', async () => {
    const contact = await addContact(env.ctx, ws(), 'esc@example.com');
    const list = await addList(env.ctx, ws(), '<script>alert(1)</script>', [contact]);
    const campaign = await addCampaign(env.ctx, ws(), [list]);
    const { url } = unsubscribeLinks(env.ctx, { workspaceId: ws(), contactId: contact, campaignId: campaign, mailtoDomain: 'x.example' });
    const res = await env.app.inject({ method: 'GET', url: new URL(url).pathname });
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
