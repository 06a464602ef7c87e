// Campaign state changes: send (now or scheduled), pause, resume, cancel. Starting a send
// validates compliance and templates, then snapshots the audience into the ledger.
import type { AppContext } from '../context.js';
import { fromJson } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { snapshotAudience, type AudienceSpec } from '../delivery/ledger.js';
import { compileCampaignContent, effectivePostalAddress } from '../delivery/prepare.js';
import { returnMailWarnings } from '../delivery/return-addresses.js';
import { getCampaignRow, toCampaign, type Campaign } from './model.js';
import { segmentAudiences } from './segments.js';

/** Checks that block a send: postal address, an audience, templates that compile (with line/col). */
export async function assertSendable(ctx: AppContext, workspaceId: number, row: Awaited<ReturnType<typeof getCampaignRow>>): Promise<void> {
  const ws = await effectivePostalAddress(ctx, workspaceId);
  if (!ws.postalAddress) {
    throw new AppError('unprocessable', 'sending is refused while the workspace postal address is empty (CAN-SPAM)', [{ field: 'postal_address', message: 'set it with PATCH /api/v1/workspace' }]);
  }
  // Adopt the bootstrap address (POSTLANE_POSTAL_ADDRESS) so the workspace shows what is used.
  const own = await ctx.db.selectFrom('workspaces').select('postal_address').where('id', '=', workspaceId).executeTakeFirst();
  if (!own?.postal_address?.trim()) {
    await ctx.db.updateTable('workspaces').set({ postal_address: ws.postalAddress, updated_at: ctx.clock.now() }).where('id', '=', workspaceId).execute();
  }
  const lists = fromJson<number[]>(row.list_ids, []);
  const segments = fromJson<number[]>(row.segment_ids, []);
  if (!row.derived_kind && lists.length === 0 && segments.length === 0) {
    throw new AppError('unprocessable', 'the campaign has no audience: set list_ids or segment_ids', [{ field: 'list_ids', message: 'required' }]);
  }
  await compileCampaignContent(ctx, row); // throws AppError('unprocessable', …, [{ field, line, col, message }])
}

/**
 * What warns but does not block a send: today the server's return-mail setup (no unsubscribe by
 * email, bounces that never come back). The same for every campaign, so callers need no row.
 */
export function sendWarnings(ctx: Pick<AppContext, 'config'>): string[] {
  return returnMailWarnings(ctx.config).map((w) => w.message);
}

async function audienceOf(ctx: AppContext, row: Awaited<ReturnType<typeof getCampaignRow>>, workspaceId: number): Promise<AudienceSpec> {
  const segments = fromJson<number[]>(row.segment_ids, []);
  return {
    workspaceId,
    campaignId: Number(row.id),
    listIds: fromJson<number[]>(row.list_ids, []),
    extraContactSql: await segmentAudiences(ctx, workspaceId, segments),
    fromParent: row.derived_kind && row.parent_campaign_id
      ? { campaignId: Number(row.parent_campaign_id), kind: row.derived_kind as 'resend_failed' | 'non_openers' }
      : undefined,
  };
}

/**
 * POST /campaigns/:id/send. With a future send_at the campaign is scheduled; otherwise (or when a
 * missed schedule is being confirmed) the audience is snapshotted and the status flips to sending.
 * The snapshot is idempotent (ON CONFLICT DO NOTHING) and the flip conditional, so two racing
 * starts cannot double the ledger.
 */
export async function startCampaignSend(ctx: AppContext, workspaceId: number, id: number, opts: { fromSchedule?: boolean } = {}): Promise<Campaign> {
  const row = await getCampaignRow(ctx, workspaceId, id);
  if (row.status !== 'draft' && row.status !== 'scheduled') throw new AppError('conflict', `a ${row.status} campaign cannot be sent`);
  await assertSendable(ctx, workspaceId, row);
  const now = ctx.clock.now();
  const sendAt = row.send_at === null ? null : Number(row.send_at);
  if (!opts.fromSchedule && row.status === 'draft' && sendAt !== null && sendAt > now) {
    await ctx.db.updateTable('campaigns').set({ status: 'scheduled', paused_reason: null, updated_at: now })
      .where('id', '=', id).where('status', '=', 'draft').execute();
    return toCampaign(await getCampaignRow(ctx, workspaceId, id));
  }
  const eligible = await snapshotAudience(ctx, await audienceOf(ctx, row, workspaceId));
  const res = await ctx.db.updateTable('campaigns').set({ status: 'sending', started_at: now, paused_reason: null, updated_at: now })
    .where('id', '=', id).where('status', 'in', ['draft', 'scheduled']).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new AppError('conflict', 'the campaign was started concurrently');
  ctx.log.info({ campaignId: id, eligible }, 'campaign send started');
  return toCampaign(await getCampaignRow(ctx, workspaceId, id));
}

async function transition(ctx: AppContext, workspaceId: number, id: number, from: string[], to: string, reason: string | null): Promise<Campaign> {
  const row = await getCampaignRow(ctx, workspaceId, id);
  if (!from.includes(row.status)) throw new AppError('conflict', `cannot change a ${row.status} campaign to ${to}`);
  const res = await ctx.db.updateTable('campaigns').set({ status: to, paused_reason: reason, updated_at: ctx.clock.now() })
    .where('id', '=', id).where('workspace_id', '=', workspaceId).where('status', 'in', from).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new AppError('conflict', 'the campaign changed concurrently; reload and retry');
  return toCampaign(await getCampaignRow(ctx, workspaceId, id));
}

/** Running workers notice within their status-check interval and hand back unsent leases. */
export const pauseCampaign = (ctx: AppContext, ws: number, id: number) => transition(ctx, ws, id, ['sending'], 'paused', 'paused by user');
export const resumeCampaign = (ctx: AppContext, ws: number, id: number) => transition(ctx, ws, id, ['paused'], 'sending', null);

/** Cancels; not-yet-sent ledger rows become 'cancelled' so nothing more goes out. */
export async function cancelCampaign(ctx: AppContext, workspaceId: number, id: number): Promise<Campaign> {
  const c = await transition(ctx, workspaceId, id, ['draft', 'scheduled', 'sending', 'paused'], 'cancelled', 'cancelled by user');
  await ctx.db.updateTable('deliveries').set({ status: 'cancelled', updated_at: ctx.clock.now() })
    .where('campaign_id', '=', id).where('status', 'in', ['queued', 'deferred']).execute();
  return c;
}
