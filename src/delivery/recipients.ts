// Batch re-check before sending: contact status, suppressions and list membership are read
// again when a batch is loaded, so an unsubscribe or bounce since the snapshot stops the mail.
import type { AppContext } from '../context.js';
import { fromBool, fromJson } from '../db/dialect.js';
import type { ClaimedDelivery } from './ledger.js';
import type { PreparedCampaign, RecipientContact } from './prepare.js';

export interface BatchRecipients {
  send: Array<{ delivery: ClaimedDelivery; contact: RecipientContact }>;
  skip: Array<{ delivery: ClaimedDelivery; reason: string }>;
}

export async function loadBatchRecipients(ctx: AppContext, p: PreparedCampaign, batch: ClaimedDelivery[]): Promise<BatchRecipients> {
  const ids = batch.map((d) => d.contact_id);
  const contacts = await ctx.db.selectFrom('contacts')
    .select(['id', 'email', 'email_lower', 'first_name', 'last_name', 'timezone', 'attributes', 'tracking_consent', 'status'])
    .where('workspace_id', '=', p.workspaceId).where('id', 'in', ids).execute();
  const byId = new Map(contacts.map((c) => [Number(c.id), c]));
  const emails = contacts.map((c) => c.email_lower);
  const suppressed = new Set(emails.length
    ? (await ctx.db.selectFrom('suppressions').select('email').where('workspace_id', '=', p.workspaceId).where('email', 'in', emails).execute()).map((r) => r.email)
    : []);
  // Membership re-check: for list-only campaigns a still-valid membership is required; with
  // segments, an explicit unsubscribe from one of the campaign's lists still wins.
  let eligible: Set<number> | null = null;
  let unsubscribed = new Set<number>();
  if (p.listIds.length) {
    const rows = await ctx.db.selectFrom('list_memberships as m').innerJoin('lists as l', 'l.id', 'm.list_id')
      .select(['m.contact_id', 'm.status', 'l.opt_in']).where('m.workspace_id', '=', p.workspaceId)
      .where('m.list_id', 'in', p.listIds).where('m.contact_id', 'in', ids).execute();
    const ok = new Set<number>();
    for (const r of rows) {
      if (r.status === 'confirmed' || (r.status === 'unconfirmed' && r.opt_in === 'single')) ok.add(Number(r.contact_id));
      else if (r.status === 'unsubscribed') unsubscribed.add(Number(r.contact_id));
    }
    unsubscribed = new Set([...unsubscribed].filter((id) => !ok.has(id)));
    if (p.segmentIds.length === 0 && !p.derived) eligible = ok;
  }
  const out: BatchRecipients = { send: [], skip: [] };
  for (const d of batch) {
    const c = byId.get(d.contact_id);
    let reason: string | null = null;
    if (!c) reason = 'contact_deleted';
    else if (c.status !== 'active') reason = c.status; // unsubscribed|bounced|complained|blocked
    else if (suppressed.has(c.email_lower)) reason = 'suppressed';
    else if (unsubscribed.has(d.contact_id)) reason = 'unsubscribed';
    else if (eligible && !eligible.has(d.contact_id)) reason = 'not_subscribed';
    if (reason || !c) {
      out.skip.push({ delivery: d, reason: reason ?? 'contact_deleted' });
      continue;
    }
    out.send.push({
      delivery: d,
      contact: {
        id: Number(c.id), email: c.email, first_name: c.first_name, last_name: c.last_name, timezone: c.timezone,
        attributes: fromJson<Record<string, unknown>>(c.attributes, {}), tracking_consent: fromBool(c.tracking_consent),
      },
    });
  }
  return out;
}
