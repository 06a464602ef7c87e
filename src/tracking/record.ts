// Recording opens and clicks from the public /t/ endpoints. Tokens are verified with their own
// purpose key (an unsubscribe or open token is never a valid click token) and nothing in the
// request other than the token decides what is recorded or where a click goes.
import type { AppContext } from '../context.js';
import { fromJson, toJson } from '../db/dialect.js';
import type { WorkspaceSettings } from '../workspaces/index.js';
import { clientIp } from './ip.js';
import { classifyLink } from './links.js';
import { clickSigner, openSigner, recipientClickSigner } from './tokens.js';

/** The 43-byte transparent 1x1 GIF served for every open, valid or not. */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export interface RequestMeta { ip?: string; userAgent?: string | null }

const idOf = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

async function storeFullIp(ctx: AppContext, workspaceId: number): Promise<boolean> {
  const ws = await ctx.db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  return fromJson<WorkspaceSettings>(ws?.settings, {}).storeFullIp === true;
}

async function requestData(ctx: AppContext, workspaceId: number, meta: RequestMeta): Promise<{ ip: string | null; user_agent: string | null }> {
  return { ip: clientIp(meta.ip, await storeFullIp(ctx, workspaceId)), user_agent: meta.userAgent ? meta.userAgent.slice(0, 512) : null };
}

async function insertEvent(ctx: AppContext, e: { workspaceId: number; contactId: number | null; campaignId: number; name: string; properties: object; idempotencyKey: string | null }): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('events')
    .values({
      workspace_id: e.workspaceId, contact_id: e.contactId, anonymous_id: null, name: e.name, properties: toJson(e.properties),
      occurred_at: now, received_at: now, idempotency_key: e.idempotencyKey, source: 'tracking', campaign_id: e.campaignId,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
    .execute();
}

/** Records the first open of a delivery (later opens of the same message are duplicates). */
export async function recordOpen(ctx: AppContext, token: string, meta: RequestMeta): Promise<boolean> {
  const payload = openSigner(ctx.secret).verify(token);
  const deliveryId = idOf(payload?.[0]);
  if (payload?.length !== 1 || !deliveryId) return false;
  const d = await ctx.db.selectFrom('deliveries').select(['workspace_id', 'campaign_id', 'contact_id']).where('id', '=', deliveryId).executeTakeFirst();
  if (!d) return false;
  const workspaceId = Number(d.workspace_id);
  await insertEvent(ctx, {
    workspaceId, contactId: Number(d.contact_id), campaignId: Number(d.campaign_id), name: 'opened',
    properties: { delivery_id: deliveryId, ...(await requestData(ctx, workspaceId, meta)) }, idempotencyKey: `open:${deliveryId}`,
  });
  return true;
}

/** Link ids in click URLs: base36, as short as the ids allow. */
export function linkRef(linkId: number): string {
  return linkId.toString(36);
}

/**
 * What a click URL names: the link, the delivery (0 = aggregate) and, for the current form, the
 * campaign the token was issued for. Two forms are accepted: `/t/c/<token>/<link>` (one token
 * per recipient) and the older `/t/c/<token>` (one token per link, [link id, delivery id]) that
 * mail already delivered still carries.
 */
function resolveClick(ctx: AppContext, token: string, ref?: string): { linkId: number; deliveryId: number; campaignId: number | null } | null {
  if (ref === undefined) {
    const payload = clickSigner(ctx.secret).verify(token);
    const linkId = idOf(payload?.[0]);
    const deliveryId = idOf(payload?.[1]);
    if (payload?.length !== 2 || !linkId || deliveryId === null) return null;
    return { linkId, deliveryId, campaignId: null };
  }
  if (!/^[0-9a-z]{1,11}$/.test(ref)) return null;
  const payload = recipientClickSigner(ctx.secret).verify(token);
  const campaignId = idOf(payload?.[0]);
  const deliveryId = idOf(payload?.[1]);
  const linkId = idOf(parseInt(ref, 36));
  if (payload?.length !== 2 || !campaignId || deliveryId === null || !linkId) return null;
  return { linkId, deliveryId, campaignId };
}

/**
 * Resolves a click to its stored target and records the click: per person (once per delivery
 * and link) or, for tokens without a delivery id, as an anonymous aggregate click. Returns null
 * for unknown or tampered tokens, and for a link of another campaign than the token's.
 */
export async function recordClick(ctx: AppContext, token: string, meta: RequestMeta, ref?: string): Promise<string | null> {
  const click = resolveClick(ctx, token, ref);
  if (!click) return null;
  const { linkId, deliveryId } = click;
  const link = await ctx.db.selectFrom('links').select(['workspace_id', 'campaign_id', 'url']).where('id', '=', linkId).executeTakeFirst();
  // Defence in depth: only http(s) targets were ever stored, and only those are followed.
  if (!link || classifyLink(link.url).kind !== 'http') return null;
  const workspaceId = Number(link.workspace_id);
  const campaignId = Number(link.campaign_id);
  if (click.campaignId !== null && click.campaignId !== campaignId) return null;
  const d = deliveryId > 0
    ? await ctx.db.selectFrom('deliveries').select(['contact_id']).where('id', '=', deliveryId).where('campaign_id', '=', campaignId).executeTakeFirst()
    : undefined;
  const data = await requestData(ctx, workspaceId, meta);
  if (d) {
    await insertEvent(ctx, {
      workspaceId, contactId: Number(d.contact_id), campaignId, name: 'clicked',
      properties: { delivery_id: deliveryId, link_id: linkId, url: link.url, ...data }, idempotencyKey: `click:${deliveryId}:${linkId}`,
    });
  } else {
    // Aggregate only: no contact, no IP or user agent, so the click cannot be attributed.
    await insertEvent(ctx, { workspaceId, contactId: null, campaignId, name: 'clicked', properties: { link_id: linkId, url: link.url, aggregate: true }, idempotencyKey: null });
  }
  return link.url;
}
