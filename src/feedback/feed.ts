// The bounce and complaint feed: newest first, workspace-scoped, keyset-paged on the id (the
// (workspace_id, occurred_at) index serves the filter; id order tracks arrival order).
import type { AppContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';

export const FEED_KINDS = ['bounce', 'complaint', 'auto_reply', 'delivery_report', 'unsubscribe'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export interface FeedbackEvent {
  id: number; source: string; kind: string; email: string | null; reason: string; hard: boolean;
  status: string | null; replyCode: number | null; diagnostic: string | null; feedbackType: string | null;
  campaignId: number | null; contactId: number | null; occurredAt: number;
}

export interface FeedQuery { kind?: FeedKind; email?: string; cursor?: string; limit?: number }

export async function listFeedbackEvents(ctx: AppContext, workspaceId: number, q: FeedQuery): Promise<{ data: FeedbackEvent[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const before = decodeCursor(q.cursor); // 0 = first page
  let query = ctx.db.selectFrom('feedback_events').selectAll().where('workspace_id', '=', workspaceId);
  if (before > 0) query = query.where('id', '<', before);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.email) query = query.where('email', '=', q.email.trim().toLowerCase());
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => ({
      id: Number(r.id), source: r.source, kind: r.kind, email: r.email, reason: r.reason, hard: Number(r.hard) === 1,
      status: r.status, replyCode: r.reply_code === null ? null : Number(r.reply_code), diagnostic: r.diagnostic, feedbackType: r.feedback_type,
      campaignId: r.campaign_id === null ? null : Number(r.campaign_id), contactId: r.contact_id === null ? null : Number(r.contact_id), occurredAt: Number(r.occurred_at),
    })),
    nextCursor: more && page.length ? encodeCursor(Number(page[page.length - 1]!.id)) : null,
  };
}
