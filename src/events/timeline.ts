// A contact's event timeline, newest first, keyset-paginated on (occurred_at, id).
import type { AppContext } from '../context.js';
import { fromJson } from '../db/dialect.js';
import { badRequest, notFound } from '../errors.js';

export interface TimelineEvent {
  id: number;
  name: string;
  properties: Record<string, unknown>;
  occurredAt: number;
  source: string;
  campaignId: number | null;
}

function decodeCursor(cursor: string): { t: number; id: number } {
  const m = /^(\d{1,16})_(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw badRequest('invalid cursor');
  return { t: Number(m[1]), id: Number(m[2]) };
}

export async function contactTimeline(
  ctx: Pick<AppContext, 'db'>, workspaceId: number, contactId: number, opts: { limit: number; cursor?: string; name?: string },
): Promise<{ events: TimelineEvent[]; nextCursor: string | null }> {
  const contact = await ctx.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!contact) throw notFound('contact');
  let q = ctx.db.selectFrom('events').select(['id', 'name', 'properties', 'occurred_at', 'source', 'campaign_id'])
    .where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
  if (opts.name) q = q.where('name', '=', opts.name);
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('occurred_at', '<', c.t), eb.and([eb('occurred_at', '=', c.t), eb('id', '<', c.id)])]));
  }
  const rows = await q.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    events: page.map((r) => ({
      id: r.id, name: r.name, properties: fromJson(r.properties, {}), occurredAt: r.occurred_at, source: r.source, campaignId: r.campaign_id,
    })),
    nextCursor: rows.length > opts.limit && last ? Buffer.from(`${last.occurred_at}_${last.id}`).toString('base64url') : null,
  };
}
