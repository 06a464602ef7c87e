// The reputation circuit breaker: complaint and hard-bounce rates per campaign and per sending
// domain (rolling window). Crossing a warn threshold is audited; crossing a pause threshold pauses
// the campaign(s) with the reason on campaigns.paused_reason. Stops at pausing: resuming is manual.
import { sql } from 'kysely';
import { recordAudit } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { FeedbackCtx } from './effects.js';
import { loadPolicy, type FeedbackPolicy } from './policy.js';

interface Rates {
  sent: number;
  complaints: number;
  hardBounces: number;
}

const PAUSABLE = ['sending', 'scheduled'];

/** Checks the campaign and its sending domain; returns the ids of campaigns it paused. */
export async function checkBreakers(ctx: FeedbackCtx, campaignId: number): Promise<number[]> {
  const campaign = await ctx.db.selectFrom('campaigns').select(['id', 'workspace_id', 'from_email']).where('id', '=', campaignId).executeTakeFirst();
  if (!campaign) return [];
  const workspaceId = Number(campaign.workspace_id);
  const policy = await loadPolicy(ctx.db, workspaceId);
  const paused: number[] = [];
  const own = await campaignRates(ctx.db, campaignId);
  const verdict = judge(own, policy);
  if (verdict) paused.push(...(await act(ctx, workspaceId, [campaignId], `campaign ${campaignId}`, verdict)));
  const domain = campaign.from_email.split('@').pop()!.toLowerCase();
  const since = ctx.clock.now() - policy.domainWindowMs;
  const domainVerdict = judge(await domainRates(ctx.db, workspaceId, domain, since), policy);
  if (domainVerdict) {
    const ids = (await ctx.db.selectFrom('campaigns').select('id').where('workspace_id', '=', workspaceId)
      .where(sql<string>`lower(from_email)`, 'like', `%@${domain}`).execute()).map((r) => Number(r.id));
    paused.push(...(await act(ctx, workspaceId, ids, `sending domain ${domain}`, domainVerdict)));
  }
  return [...new Set(paused)];
}

interface Verdict { level: 'warn' | 'pause'; reason: string }

export function judge(r: Rates, p: FeedbackPolicy): Verdict | null {
  if (r.sent < Math.max(1, p.minSample)) return null;
  const complaint = r.complaints / r.sent;
  const hard = r.hardBounces / r.sent;
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const detail = `complaint rate ${pct(complaint)} (${r.complaints}/${r.sent}), hard-bounce rate ${pct(hard)} (${r.hardBounces}/${r.sent})`;
  if (complaint >= p.complaintPauseRate) return { level: 'pause', reason: `complaint rate ${pct(complaint)} ≥ ${pct(p.complaintPauseRate)}: ${detail}` };
  if (hard >= p.hardBouncePauseRate) return { level: 'pause', reason: `hard-bounce rate ${pct(hard)} ≥ ${pct(p.hardBouncePauseRate)}: ${detail}` };
  if (complaint >= p.complaintWarnRate || hard >= p.hardBounceWarnRate) return { level: 'warn', reason: detail };
  return null;
}

async function act(ctx: FeedbackCtx, workspaceId: number, campaignIds: number[], scope: string, v: Verdict): Promise<number[]> {
  if (campaignIds.length === 0) return [];
  if (v.level === 'warn') {
    ctx.log.warn({ workspaceId, scope, reason: v.reason }, 'reputation warning');
    await recordAudit(ctx.db, ctx.clock, { workspaceId, actor: 'system', action: 'feedback.breaker.warn', targetType: 'campaign', targetId: campaignIds[0]!, details: { scope, reason: v.reason } });
    return [];
  }
  const reason = `Paused by the reputation circuit breaker (${scope}): ${v.reason}`;
  const toPause = (await ctx.db.selectFrom('campaigns').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', campaignIds).where('status', 'in', PAUSABLE).execute()).map((r) => Number(r.id));
  if (toPause.length === 0) return [];
  await ctx.db.updateTable('campaigns').set({ status: 'paused', paused_reason: reason, updated_at: ctx.clock.now() })
    .where('workspace_id', '=', workspaceId).where('id', 'in', toPause).where('status', 'in', PAUSABLE).execute();
  for (const id of toPause) {
    await recordAudit(ctx.db, ctx.clock, { workspaceId, actor: 'system', action: 'feedback.breaker.pause', targetType: 'campaign', targetId: id, details: { scope, reason: v.reason } });
  }
  ctx.log.warn({ workspaceId, scope, campaigns: toPause, reason: v.reason }, 'campaigns paused by the reputation circuit breaker');
  return toPause;
}

async function campaignRates(db: Database, campaignId: number): Promise<Rates> {
  const sent = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaignId).where('sent_at', 'is not', null).executeTakeFirst();
  const fb = await db.selectFrom('feedback_events')
    .select((eb) => [
      eb.fn.sum<number>(sql`case when kind = 'complaint' and coalesce(feedback_type, '') <> 'not-spam' then 1 else 0 end`).as('complaints'),
      eb.fn.sum<number>(sql`case when kind = 'bounce' and hard = 1 then 1 else 0 end`).as('hard'),
    ]).where('campaign_id', '=', campaignId).executeTakeFirst();
  return { sent: Number(sent?.n ?? 0), complaints: Number(fb?.complaints ?? 0), hardBounces: Number(fb?.hard ?? 0) };
}

async function domainRates(db: Database, workspaceId: number, domain: string, since: number): Promise<Rates> {
  const sent = await db.selectFrom('deliveries').innerJoin('campaigns', 'campaigns.id', 'deliveries.campaign_id')
    .select((eb) => eb.fn.countAll<number>().as('n')).where('deliveries.workspace_id', '=', workspaceId)
    .where(sql<string>`lower(campaigns.from_email)`, 'like', `%@${domain}`).where('deliveries.sent_at', '>=', since).executeTakeFirst();
  const fb = await db.selectFrom('feedback_events').innerJoin('campaigns', 'campaigns.id', 'feedback_events.campaign_id')
    .select((eb) => [
      eb.fn.sum<number>(sql`case when feedback_events.kind = 'complaint' and coalesce(feedback_events.feedback_type, '') <> 'not-spam' then 1 else 0 end`).as('complaints'),
      eb.fn.sum<number>(sql`case when feedback_events.kind = 'bounce' and feedback_events.hard = 1 then 1 else 0 end`).as('hard'),
    ]).where('feedback_events.workspace_id', '=', workspaceId).where(sql<string>`lower(campaigns.from_email)`, 'like', `%@${domain}`)
    .where('feedback_events.occurred_at', '>=', since).executeTakeFirst();
  return { sent: Number(sent?.n ?? 0), complaints: Number(fb?.complaints ?? 0), hardBounces: Number(fb?.hard ?? 0) };
}
