// Open and click tracking: per-campaign link registry, per-recipient HTML rewriting with signed
// opaque tokens, and recording of opens/clicks as events. Click targets come only from `links`.
import type { AppContext } from '../context.js';
import { sha256Hex, type TokenSigner } from '../lib/crypto.js';
import { lastBodyClose } from '../lib/html.js';
import { replaceLinkAttributes } from './link-scan.js';
import { classifyLink, extractHttpLinks, isClickableTag, isTrackableUrl } from './links.js';
import { linkRef } from './record.js';
import { openSigner, recipientClickSigner } from './tokens.js';

export { recordClick, recordOpen, TRANSPARENT_GIF } from './record.js';
export { truncateIp } from './ip.js';
export { clickSigner, openSigner, recipientClickSigner } from './tokens.js';

/** How many links built per contact (by Liquid) a campaign may add after registration. */
const LAZY_LINK_BUDGET = 1000;

/** Opaque to callers: the campaign's link ids and the signers. */
export interface CampaignLinks {
  readonly workspaceId: number;
  readonly campaignId: number;
  /** @internal */ readonly state: LinkState;
}

interface LinkState {
  ctx: AppContext;
  byUrl: Map<string, number>;
  publicUrl: string;
  unsubscribePrefix: string;
  /** One click token per recipient (see recipientClickSigner). */
  click: TokenSigner;
  open: TokenSigner;
  lazyBudget: number;
  pending: Set<string>;
  flushing: Promise<void>;
  /** Raw attribute value → classification; the same hrefs recur in every recipient's html. */
  classified: Map<string, ReturnType<typeof classifyLink>>;
  /** The click token of recipients without per-person tracking: the same for all of them. */
  aggregateToken: string;
}

const CLASSIFY_CACHE_MAX = 5000;

function classifyCached(s: LinkState, raw: string): ReturnType<typeof classifyLink> {
  let c = s.classified.get(raw);
  if (c === undefined) {
    c = classifyLink(raw);
    // Only the campaign's registered links recur in every message. A value built per recipient
    // (the unsubscribe URL, a link with the contact's id in it) would fill the cache with keys
    // that each hold on to their whole message: a slice of a string keeps its parent alive, so
    // the first 5,000 recipients' rendered html (~17 MB) stayed in the old generation.
    if (c.kind === 'http' && s.byUrl.has(c.url) && s.classified.size < CLASSIFY_CACHE_MAX) s.classified.set(raw, c);
  }
  return c;
}


async function storeLinks(ctx: AppContext, workspaceId: number, campaignId: number, urls: string[]): Promise<void> {
  const now = ctx.clock.now();
  for (let i = 0; i < urls.length; i += 200) {
    const values = urls.slice(i, i + 200).map((url) => ({ workspace_id: workspaceId, campaign_id: campaignId, url, url_hash: sha256Hex(url), created_at: now }));
    await ctx.db.insertInto('links').values(values).onConflict((oc) => oc.columns(['campaign_id', 'url_hash']).doNothing()).execute();
  }
}

async function loadLinks(ctx: AppContext, workspaceId: number, campaignId: number): Promise<Map<string, number>> {
  const rows = await ctx.db.selectFrom('links').select(['id', 'url']).where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).execute();
  return new Map(rows.map((r) => [r.url, Number(r.id)]));
}

/**
 * Stores the distinct http(s) targets of a campaign's html in `links` (idempotent: the unique
 * (campaign, url_hash) key lets several workers call this for one campaign).
 */
export async function registerCampaignLinks(ctx: AppContext, workspaceId: number, campaignId: number, html: string): Promise<CampaignLinks> {
  const publicUrl = ctx.config.publicUrl.replace(/\/+$/, '');
  // Unsubscribe links are never rewritten (they must keep working without tracking), so not stored.
  await storeLinks(ctx, workspaceId, campaignId, extractHttpLinks(html).filter((u) => !u.startsWith(`${publicUrl}/u/`)));
  const click = recipientClickSigner(ctx.secret);
  return {
    workspaceId,
    campaignId,
    state: {
      ctx,
      byUrl: await loadLinks(ctx, workspaceId, campaignId),
      publicUrl,
      unsubscribePrefix: `${publicUrl}/u/`,
      click,
      open: openSigner(ctx.secret),
      lazyBudget: LAZY_LINK_BUDGET,
      pending: new Set(),
      flushing: Promise.resolve(),
      classified: new Map(),
      aggregateToken: click.sign([campaignId, 0]),
    },
  };
}

/** Links seen first at render time are stored in the background; until then they stay untracked. */
function registerLazily(links: CampaignLinks, url: string): void {
  const s = links.state;
  if (s.pending.has(url) || s.lazyBudget <= 0 || !isTrackableUrl(url)) return;
  s.lazyBudget--;
  s.pending.add(url);
  s.flushing = s.flushing.then(async () => {
    try {
      await storeLinks(s.ctx, links.workspaceId, links.campaignId, [url]);
      const row = await s.ctx.db.selectFrom('links').select('id').where('campaign_id', '=', links.campaignId).where('url_hash', '=', sha256Hex(url)).executeTakeFirst();
      if (row) s.byUrl.set(url, Number(row.id));
    } catch (err) {
      s.ctx.log.warn({ err, campaignId: links.campaignId }, 'could not register a tracked link');
    } finally {
      s.pending.delete(url);
    }
  });
}

/** Resolves when links discovered during rendering are stored (tests, graceful shutdown). */
export function flushCampaignLinks(links: CampaignLinks): Promise<void> {
  return links.state.flushing;
}

const PIXEL_STYLE = 'display:block;border:0;width:1px;height:1px;overflow:hidden';

/**
 * Per recipient: rewrites http(s) links to `${publicUrl}/t/c/<token>/<link>`, removes unsafe
 * (javascript:, data:, vbscript:, …) link attributes whatever `trackClicks` says, and appends
 * the open pixel. Without tracking consent: no pixel and click tokens without a delivery id.
 */
export function trackHtml(links: CampaignLinks, html: string, r: { deliveryId: number; trackingConsent: boolean; trackOpens: boolean; trackClicks: boolean }): string {
  const s = links.state;
  const perPerson = r.trackingConsent ? r.deliveryId : 0;
  // One signed token per recipient, made on the first tracked link (per-link tokens cost one
  // HMAC + AES each: ~6 per message in the send bench).
  let token = perPerson === 0 ? s.aggregateToken : null;
  // The matches of LINK_ATTR, found without trying the regex at every whitespace (link-scan.ts).
  let out = replaceLinkAttributes(html, (whole, prefix, dq, sq, bare, offset) => {
    const { kind, url } = classifyCached(s, dq ?? sq ?? bare ?? '');
    // Keep the separator (a space, "/" or the previous attribute's closing quote), drop the attribute.
    if (kind === 'unsafe') return prefix.charAt(0);
    if (kind !== 'http' || !r.trackClicks || url.startsWith(s.unsubscribePrefix) || !/href\s*=\s*$/i.test(prefix) || !isClickableTag(html, offset)) return whole;
    const id = s.byUrl.get(url);
    if (id === undefined) {
      registerLazily(links, url);
      return whole;
    }
    token ??= s.click.sign([links.campaignId, perPerson]);
    return `${prefix}"${s.publicUrl}/t/c/${token}/${linkRef(id)}"`;
  });
  if (r.trackOpens && r.trackingConsent && r.deliveryId > 0) {
    const pixel = `<img src="${s.publicUrl}/t/o/${s.open.sign([r.deliveryId])}" width="1" height="1" alt="" style="${PIXEL_STYLE}">`;
    const idx = lastBodyClose(out);
    out = idx === -1 ? out + pixel : out.slice(0, idx) + pixel + out.slice(idx);
  }
  return out;
}
