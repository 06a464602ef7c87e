// Batch re-check before sending: contact status, suppressions and list membership are read
// again when a batch is loaded, so an unsubscribe or bounce since the snapshot stops the mail.
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { fromBool, fromJson } from '../db/dialect.js';
import type { ClaimedDelivery } from './ledger.js';
import type { PreparedCampaign, RecipientContact } from './prepare.js';

export interface BatchRecipients {
  send: Array<{ delivery: ClaimedDelivery; contact: RecipientContact }>;
  skip: Array<{ delivery: ClaimedDelivery; reason: string }>;
}

interface RecheckRow {
  id: number | string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  timezone: string | null;
  attributes: unknown;
  tracking_consent: unknown;
  status: string;
  suppressed: unknown;
  member_ok: unknown;
  member_unsubscribed: unknown;
}

/*
 * One statement per batch whose text does not depend on the batch: the contact ids travel as one
 * parameter (a JSON array on SQLite, a bigint[] on PostgreSQL) and suppression and membership are
 * correlated EXISTS probes on their unique keys. The first version ran three queries with
 * `IN (…1,000 parameters…)` each; preparing and binding those cost the event loop ~20 µs per
 * message in the send bench (10 % of its time).
 */
export async function loadBatchRecipients(ctx: AppContext, p: PreparedCampaign, batch: ClaimedDelivery[]): Promise<BatchRecipients> {
  const ids = batch.map((d) => d.contact_id);
  const inIds = ctx.dialect === 'postgres' ? sql`= ANY(${ids}::bigint[])` : sql`IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  const lists = p.listIds.length ? sql.join(p.listIds) : sql`NULL`;
  const rows = (await sql<RecheckRow>`SELECT c.id, c.email, c.first_name, c.last_name, c.timezone, c.attributes, c.tracking_consent, c.status,
      EXISTS (SELECT 1 FROM suppressions s WHERE s.workspace_id = c.workspace_id AND s.email = c.email_lower) AS suppressed,
      EXISTS (SELECT 1 FROM list_memberships m JOIN lists l ON l.id = m.list_id
              WHERE m.contact_id = c.id AND m.list_id IN (${lists}) AND m.workspace_id = c.workspace_id
                AND (m.status = 'confirmed' OR (m.status = 'unconfirmed' AND l.opt_in = 'single'))) AS member_ok,
      EXISTS (SELECT 1 FROM list_memberships m
              WHERE m.contact_id = c.id AND m.list_id IN (${lists}) AND m.workspace_id = c.workspace_id
                AND m.status = 'unsubscribed') AS member_unsubscribed
    FROM contacts c WHERE c.workspace_id = ${p.workspaceId} AND c.id ${inIds}`.execute(ctx.db)).rows;
  const byId = new Map(rows.map((c) => [Number(c.id), c]));
  // Membership: for list-only campaigns a still-valid membership is required; with segments (or
  // a derived campaign), an explicit unsubscribe from one of the campaign's lists still wins.
  const membershipRequired = p.listIds.length > 0 && p.segmentIds.length === 0 && !p.derived;
  const out: BatchRecipients = { send: [], skip: [] };
  for (const d of batch) {
    const c = byId.get(d.contact_id);
    let reason: string | null = null;
    if (!c) reason = 'contact_deleted';
    else if (c.status !== 'active') reason = c.status; // unsubscribed|bounced|complained|blocked
    else if (fromBool(c.suppressed)) reason = 'suppressed';
    else if (!fromBool(c.member_ok) && fromBool(c.member_unsubscribed)) reason = 'unsubscribed';
    else if (membershipRequired && !fromBool(c.member_ok)) reason = 'not_subscribed';
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
