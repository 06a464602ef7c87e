// Top links of one campaign: each stored link (the `links` table is the only source of click
// targets) with its clicks from `events`. Attributed clicks are counted per person; clicks from
// contacts without tracking consent carry no contact and are only ever summed, never attributed.
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { getCampaignRow } from '../campaigns/index.js';
import { jsonText } from '../db/dialect.js';

export interface LinkClicks {
  id: number;
  url: string;
  /** Every recorded click: once per recipient and link, plus each anonymous click. */
  clicks: number;
  /** Distinct contacts who clicked (only those with tracking consent can be told apart). */
  uniqueClickers: number;
  /** Clicks without a contact (no tracking consent, or tracking off for the campaign). */
  anonymousClicks: number;
}

/**
 * One GROUP BY over the campaign's `clicked` events (events_campaign_idx: campaign_id, name),
 * so the cost follows the campaign's clicks, not the size of `events`; the link id is read from
 * the event's JSON properties, which recordClick always writes.
 */
export async function campaignLinkClicks(ctx: AppContext, workspaceId: number, campaignId: number, limit = 100): Promise<LinkClicks[]> {
  await getCampaignRow(ctx, workspaceId, campaignId); // 404 for another workspace's campaign
  const linkId = jsonText(ctx.dialect, 'properties', 'link_id');
  const [links, counts] = await Promise.all([
    ctx.db.selectFrom('links').select(['id', 'url']).where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).execute(),
    ctx.db.selectFrom('events')
      .select([
        linkId.as('link_id'),
        sql<number>`count(*)`.as('clicks'),
        sql<number>`count(DISTINCT contact_id)`.as('people'),
        sql<number>`count(*) - count(contact_id)`.as('anonymous'),
      ])
      .where('campaign_id', '=', campaignId).where('name', '=', 'clicked').where('workspace_id', '=', workspaceId)
      // By position: PostgreSQL does not match `properties ->> $1` to `->> $2` as the same expression.
      .groupBy(sql`1`).execute(),
  ]);
  const byLink = new Map(counts.map((r) => [Number(r.link_id), r]));
  return links
    .map((l) => {
      const c = byLink.get(Number(l.id));
      return { id: Number(l.id), url: l.url, clicks: Number(c?.clicks ?? 0), uniqueClickers: Number(c?.people ?? 0), anonymousClicks: Number(c?.anonymous ?? 0) };
    })
    .sort((a, b) => b.clicks - a.clicks || b.uniqueClickers - a.uniqueClickers || a.id - b.id)
    .slice(0, limit);
}
