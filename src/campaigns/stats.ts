// Campaign numbers: ledger counts (the truth about delivery) plus engagement from `events`,
// and the per-recipient ledger listing (who failed and why).
import type { AppContext } from '../context.js';
import { ledgerCounts } from '../delivery/ledger.js';
import { getCampaignRow } from './model.js';

export interface CampaignCounts {
  eligible: number; queued: number; sent: number; deferred: number; failed: number; skipped: number; cancelled: number;
  opened: number; clicked: number; unsubscribed: number; bounced: number; complained: number;
}

const ENGAGEMENT = ['opened', 'clicked', 'unsubscribed', 'bounced', 'complained'] as const;

export async function campaignCounts(ctx: AppContext, workspaceId: number, campaignId: number): Promise<CampaignCounts> {
  const ledger = await ledgerCounts(ctx, campaignId);
  // Distinct people for attributed events; events without a contact (no tracking consent) count once each.
  const rows = await ctx.db.selectFrom('events')
    .select(['name', (eb) => eb.fn.count<number>('contact_id').distinct().as('people'), (eb) => eb.fn.countAll<number>().as('total'), (eb) => eb.fn.count<number>('contact_id').as('attributed')])
    .where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('name', 'in', [...ENGAGEMENT])
    .groupBy('name').execute();
  const eng = Object.fromEntries(ENGAGEMENT.map((n) => [n, 0])) as Record<(typeof ENGAGEMENT)[number], number>;
  for (const r of rows) eng[r.name as (typeof ENGAGEMENT)[number]] = Number(r.people) + (Number(r.total) - Number(r.attributed));
  return { ...ledger, ...eng };
}

export interface DeliveryRow {
  id: number; contact_id: number; email: string; status: string; attempts: number; smtp_code: number | null;
  smtp_response: string | null; skip_reason: string | null; message_id: string | null; next_attempt_at: string | null;
  sent_at: string | null; updated_at: string;
}

type LedgerPage = { status?: string; after_id?: number; limit?: number };

/** One keyset page of a campaign's ledger; deliveries_campaign_id_idx (campaign_id, id) serves the order. */
export function ledgerPageQuery(ctx: AppContext, workspaceId: number, campaignId: number, q: LedgerPage) {
  let query = ctx.db.selectFrom('deliveries')
    .select(['id', 'contact_id', 'email', 'status', 'attempts', 'smtp_code', 'smtp_response', 'skip_reason', 'message_id', 'next_attempt_at', 'sent_at', 'updated_at'])
    .where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.after_id) query = query.where('id', '>', q.after_id);
  return query.orderBy('id').limit(Math.min(q.limit ?? 100, 1000));
}

export async function listDeliveries(ctx: AppContext, workspaceId: number, campaignId: number, q: LedgerPage): Promise<DeliveryRow[]> {
  await getCampaignRow(ctx, workspaceId, campaignId);
  const rows = await ledgerPageQuery(ctx, workspaceId, campaignId, q).execute();
  return rows.map((r) => ({
    id: Number(r.id), contact_id: Number(r.contact_id), email: r.email, status: r.status, attempts: Number(r.attempts),
    smtp_code: r.smtp_code === null ? null : Number(r.smtp_code), smtp_response: r.smtp_response, skip_reason: r.skip_reason,
    message_id: r.message_id,
    next_attempt_at: r.status === 'deferred' ? new Date(Number(r.next_attempt_at)).toISOString() : null,
    sent_at: r.sent_at === null ? null : new Date(Number(r.sent_at)).toISOString(),
    updated_at: new Date(Number(r.updated_at)).toISOString(),
  }));
}
