// Derived campaigns: "resend to failed recipients" and "send to non-openers with a new
// subject". They copy the parent's content and target the parent's ledger, not the lists.
import type { AppContext } from '../context.js';
import { fromJson } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { createCampaign, getCampaignRow, type Campaign } from './model.js';

export async function createDerivedCampaign(ctx: AppContext, workspaceId: number, parentId: number, kind: 'resend_failed' | 'non_openers', opts: { subject?: string; name?: string } = {}): Promise<Campaign> {
  const p = await getCampaignRow(ctx, workspaceId, parentId);
  if (!p.started_at) throw new AppError('conflict', 'the campaign has not been sent yet');
  if (kind === 'non_openers' && !opts.subject) throw new AppError('bad_request', 'subject is required', [{ field: 'subject', message: 'required' }]);
  return createCampaign(ctx, workspaceId, {
    name: opts.name ?? `${p.name} (${kind === 'resend_failed' ? 'resend to failed' : 'non-openers'})`.slice(0, 200),
    subject: opts.subject ?? p.subject,
    from_email: p.from_email, from_name: p.from_name, reply_to: p.reply_to, html: p.html, text: p.text, mjml: p.mjml,
    list_ids: fromJson<number[]>(p.list_ids, []), segment_ids: fromJson<number[]>(p.segment_ids, []),
    track_opens: Number(p.track_opens) === 1, track_clicks: Number(p.track_clicks) === 1, rate_limit: p.rate_limit,
    parent_campaign_id: parentId, derived_kind: kind,
  });
}
