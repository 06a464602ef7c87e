// What using an unsubscribe link does. A token from a campaign sent to lists removes the contact
// from those lists (membership → unsubscribed); a token without lists, or the "all mail" choice,
// sets the contact's status to unsubscribed. Either way the contact's not-yet-sent deliveries
// that would still reach them are skipped, a consent withdrawal is recorded and an event written.
import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { DB } from '../db/types.js';
import { fromJson, toJson } from '../db/dialect.js';
import { truncateIp } from '../tracking/ip.js';
import type { UnsubscribeClaim } from './unsubscribe.js';

export type UnsubscribeScope = 'lists' | 'all';

export interface UnsubscribeOutcome {
  scope: UnsubscribeScope;
  listIds: number[];
  /** False when the contact was already out (a repeated click): nothing was recorded again. */
  changed: boolean;
  skippedDeliveries: number;
  contactFound: boolean;
}

const PENDING = ['queued', 'deferred'];

/**
 * The lists a token speaks for: those its campaign was sent to (the recipient got the message
 * through any of them, whichever list the sender put in the token), else the token's own list.
 */
export async function claimLists(ctx: Pick<AppContext, 'db'>, claim: UnsubscribeClaim): Promise<number[]> {
  if (claim.campaignId) {
    const c = await ctx.db.selectFrom('campaigns').select('list_ids').where('id', '=', claim.campaignId).where('workspace_id', '=', claim.workspaceId).executeTakeFirst();
    const lists = fromJson<unknown[]>(c?.list_ids, []).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    if (lists.length > 0) return lists;
  }
  return claim.listId > 0 ? [claim.listId] : [];
}

/** Pending deliveries that must not go out any more: all of them, or those of campaigns whose lists the contact has now left. */
async function deliveriesToSkip(trx: Transaction<DB>, claim: UnsubscribeClaim, scope: UnsubscribeScope): Promise<number[]> {
  const pending = await trx.selectFrom('deliveries').select(['id', 'campaign_id'])
    .where('workspace_id', '=', claim.workspaceId).where('contact_id', '=', claim.contactId).where('status', 'in', PENDING).execute();
  if (scope === 'all' || pending.length === 0) return pending.map((d) => Number(d.id));
  const campaignIds = [...new Set(pending.map((d) => Number(d.campaign_id)))];
  const campaigns = await trx.selectFrom('campaigns').select(['id', 'list_ids']).where('id', 'in', campaignIds).execute();
  const memberships = await trx.selectFrom('list_memberships').select(['list_id', 'status'])
    .where('workspace_id', '=', claim.workspaceId).where('contact_id', '=', claim.contactId).execute();
  const stillIn = new Set(memberships.filter((m) => m.status !== 'unsubscribed').map((m) => Number(m.list_id)));
  const stop = new Set<number>();
  for (const c of campaigns) {
    const lists = fromJson<unknown[]>(c.list_ids, []).map(Number);
    if (Number(c.id) === claim.campaignId || (lists.length > 0 && !lists.some((l) => stillIn.has(l)))) stop.add(Number(c.id));
  }
  return pending.filter((d) => stop.has(Number(d.campaign_id))).map((d) => Number(d.id));
}

async function leave(trx: Transaction<DB>, claim: UnsubscribeClaim, scope: UnsubscribeScope, listIds: number[], now: number): Promise<boolean> {
  if (scope === 'all') {
    // bounced/complained/blocked stay as they are: they already stop all mail and say more.
    const r = await trx.updateTable('contacts').set({ status: 'unsubscribed', updated_at: now })
      .where('id', '=', claim.contactId).where('workspace_id', '=', claim.workspaceId).where('status', '=', 'active').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  const r = await trx.updateTable('list_memberships').set({ status: 'unsubscribed', unsubscribed_at: now, updated_at: now })
    .where('workspace_id', '=', claim.workspaceId).where('contact_id', '=', claim.contactId)
    .where('list_id', 'in', listIds).where('status', '!=', 'unsubscribed').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function unsubscribeContact(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  claim: UnsubscribeClaim,
  opts: { scope?: UnsubscribeScope; method: 'one-click' | 'page' | 'mail'; ip?: string | null; userAgent?: string | null },
): Promise<UnsubscribeOutcome> {
  const listIds = await claimLists(ctx, claim);
  const scope: UnsubscribeScope = opts.scope === 'all' || listIds.length === 0 ? 'all' : 'lists';
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const contact = await trx.selectFrom('contacts').select('id').where('id', '=', claim.contactId).where('workspace_id', '=', claim.workspaceId).executeTakeFirst();
    if (!contact) return { scope, listIds, changed: false, skippedDeliveries: 0, contactFound: false };
    const changed = await leave(trx, claim, scope, listIds, now);
    const skip = await deliveriesToSkip(trx, claim, scope);
    let skipped = 0;
    for (let i = 0; i < skip.length; i += 500) {
      const r = await trx.updateTable('deliveries').set({ status: 'skipped', skip_reason: 'unsubscribed', updated_at: now })
        .where('id', 'in', skip.slice(i, i + 500)).where('status', 'in', PENDING).executeTakeFirst();
      skipped += Number(r.numUpdatedRows);
    }
    if (changed) {
      const ip = truncateIp(opts.ip);
      const ua = opts.userAgent ? opts.userAgent.slice(0, 512) : null;
      await trx.insertInto('consent_ledger').values({
        workspace_id: claim.workspaceId, contact_id: claim.contactId, purpose: 'marketing_email', action: 'withdrawn', source_type: 'form',
        source_id: `unsubscribe:campaign:${claim.campaignId}`, wording_version: null, ip, user_agent: ua, created_at: now,
      }).execute();
      await trx.insertInto('events').values({
        workspace_id: claim.workspaceId, contact_id: claim.contactId, anonymous_id: null, name: 'unsubscribed',
        properties: toJson({ scope, list_ids: scope === 'lists' ? listIds : [], method: opts.method, skipped_deliveries: skipped }),
        occurred_at: now, received_at: now, idempotency_key: null, source: 'tracking', campaign_id: claim.campaignId || null,
      }).execute();
    }
    return { scope, listIds, changed, skippedDeliveries: skipped, contactFound: true };
  });
}
