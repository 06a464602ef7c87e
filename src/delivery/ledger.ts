// The delivery ledger: audience snapshot, leased batches, durable outcomes and derived counts.
// It is the truth about every recipient of a send; it stops at SQL (no rendering, no SMTP).
import { sql, type Expression } from 'kysely';
import type { AppContext } from '../context.js';

/** A query selecting contact ids (e.g. a compiled segment). */
export type AudienceSource = Expression<unknown>;

export const ACTIVE_STATUSES = ['queued', 'deferred'] as const;

export interface AudienceSpec {
  workspaceId: number;
  campaignId: number;
  listIds: number[];
  /** Extra contact-id sources (segments): sub-selects returning one column of contact ids. */
  extraContactSql?: AudienceSource[];
  /** Derived campaigns: the contacts to target instead of lists. */
  fromParent?: { campaignId: number; kind: 'resend_failed' | 'non_openers' };
}

const SNAPSHOT_CHUNK = 10_000;

/**
 * Audience membership condition for contact `c`. A confirmed membership always counts; an
 * unconfirmed one counts only on single-opt-in lists (double-opt-in waits for confirmation).
 */
function membershipSql(listIds: number[]) {
  if (listIds.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`EXISTS (SELECT 1 FROM list_memberships m JOIN lists l ON l.id = m.list_id
    WHERE m.contact_id = c.id AND m.list_id IN (${sql.join(listIds)}) AND l.workspace_id = c.workspace_id
      AND (m.status = 'confirmed' OR (m.status = 'unconfirmed' AND l.opt_in = 'single')))`;
}

function audienceCondition(spec: AudienceSpec) {
  if (spec.fromParent) {
    const p = spec.fromParent;
    const parentRows = p.kind === 'resend_failed'
      ? sql`SELECT pd.contact_id FROM deliveries pd WHERE pd.campaign_id = ${p.campaignId} AND pd.status = 'failed'`
      : sql`SELECT pd.contact_id FROM deliveries pd WHERE pd.campaign_id = ${p.campaignId} AND pd.status = 'sent'
              AND NOT EXISTS (SELECT 1 FROM events e WHERE e.workspace_id = pd.workspace_id AND e.contact_id = pd.contact_id
                              AND e.name = 'opened' AND e.campaign_id = ${p.campaignId})`;
    return sql<boolean>`c.id IN (${parentRows})`;
  }
  const parts = [membershipSql(spec.listIds), ...(spec.extraContactSql ?? []).map((q) => sql<boolean>`c.id IN (${q})`)];
  return sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

/**
 * Snapshots the audience into ledger rows, keyset-batched by contact id so each transaction is
 * bounded (listmonk's lesson: OFFSET scans grow with the table; id ranges do not). The
 * INSERT … SELECT runs inside the database; ON CONFLICT keeps it idempotent if a start is retried.
 */
export async function snapshotAudience(ctx: AppContext, spec: AudienceSpec): Promise<number> {
  const now = ctx.clock.now();
  let after = 0;
  for (;;) {
    // The upper id bound of the next chunk, read from contacts_ws_status_idx.
    const bound = await ctx.db.selectFrom('contacts').select('id').where('workspace_id', '=', spec.workspaceId)
      .where('status', '=', 'active').where('id', '>', after).orderBy('id').offset(SNAPSHOT_CHUNK - 1).limit(1).executeTakeFirst();
    const upper = bound ? Number(bound.id) : null;
    await sql`INSERT INTO deliveries (workspace_id, campaign_id, contact_id, email, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT c.workspace_id, ${spec.campaignId}, c.id, c.email, 'queued', 0, ${now}, ${now}, ${now}
      FROM contacts c
      WHERE c.workspace_id = ${spec.workspaceId} AND c.status = 'active' AND c.id > ${after}
        ${upper === null ? sql`` : sql`AND c.id <= ${upper}`}
        AND ${audienceCondition(spec)}
        AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.workspace_id = c.workspace_id AND s.email = c.email_lower)
      ON CONFLICT (campaign_id, contact_id) DO NOTHING`.execute(ctx.db);
    if (upper === null) break;
    after = upper;
  }
  const row = await ctx.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', spec.campaignId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ClaimedDelivery {
  id: number;
  contact_id: number;
  email: string;
  attempts: number;
  first_attempt_at: number | null;
}

/**
 * Leases up to `limit` due rows of a campaign to `owner`. Ordered by (next_attempt_at, id) so
 * the deliveries_due_idx range is read in index order with no sort. On PostgreSQL, SKIP LOCKED
 * lets concurrent workers take disjoint batches; SQLite has a single writer anyway.
 */
export async function claimBatch(ctx: AppContext, campaignId: number, owner: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const now = ctx.clock.now();
  const out: ClaimedDelivery[] = [];
  for (const status of ACTIVE_STATUSES) {
    if (out.length >= limit) break;
    const lock = ctx.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const res = await sql<ClaimedDelivery>`UPDATE deliveries SET lease_owner = ${owner}, lease_expires_at = ${now + leaseMs}
      WHERE id IN (SELECT id FROM deliveries WHERE campaign_id = ${campaignId} AND status = ${status}
                   AND next_attempt_at <= ${now} AND (lease_expires_at IS NULL OR lease_expires_at < ${now})
                   ORDER BY next_attempt_at, id LIMIT ${limit - out.length} ${lock})
      RETURNING id, contact_id, email, attempts, first_attempt_at`.execute(ctx.db);
    for (const r of res.rows) out.push({ id: Number(r.id), contact_id: Number(r.contact_id), email: r.email, attempts: Number(r.attempts), first_attempt_at: r.first_attempt_at === null ? null : Number(r.first_attempt_at) });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** Extends the leases `owner` still holds on these rows (rows it lost or finished are untouched). */
export async function renewLeases(ctx: AppContext, owner: string, ids: number[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db.updateTable('deliveries').set({ lease_expires_at: ctx.clock.now() + leaseMs })
    .where('id', 'in', ids).where('lease_owner', '=', owner).execute();
}

/** Gives back leases without an attempt (pause/cancel/shutdown before sending). */
export async function releaseLeases(ctx: AppContext, owner: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db.updateTable('deliveries').set({ lease_owner: null, lease_expires_at: null })
    .where('id', 'in', ids).where('lease_owner', '=', owner).execute();
}

export interface DeliveryOutcome {
  id: number;
  status: 'sent' | 'deferred' | 'failed' | 'skipped';
  attempted: boolean;
  smtpCode: number | null;
  smtpResponse: string | null;
  messageId: string | null;
  skipReason: string | null;
  nextAttemptAt: number;
  sentAt: number | null;
}

/** The outcome UPDATE, prepared once per SQLite connection (preparing costs more than running it). */
const outcomeStatements = new WeakMap<object, { run(...params: unknown[]): unknown }>();

/**
 * Writes a group of outcomes in ONE transaction (group commit). Each update is guarded by the
 * lease owner, so a worker whose lease expired cannot overwrite the row another worker now owns.
 */
export async function recordOutcomes(ctx: AppContext, owner: string, outcomes: DeliveryOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const now = ctx.clock.now();
  if (ctx.dbHandle.sqlite) {
    const db = ctx.dbHandle.sqlite;
    let stmt = outcomeStatements.get(db);
    if (!stmt) {
      stmt = db.prepare(`UPDATE deliveries SET status = ?, attempts = attempts + ?, smtp_code = ?, smtp_response = ?,
      message_id = COALESCE(?, message_id), skip_reason = ?, next_attempt_at = ?,
      sent_at = COALESCE(?, sent_at), first_attempt_at = CASE WHEN ? = 1 THEN COALESCE(first_attempt_at, ?) ELSE first_attempt_at END,
      lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?`);
      outcomeStatements.set(db, stmt);
    }
    const run = stmt;
    db.transaction(() => {
      for (const o of outcomes) {
        run.run(o.status, o.attempted ? 1 : 0, o.smtpCode, o.smtpResponse, o.messageId, o.skipReason, o.nextAttemptAt,
          o.sentAt, o.attempted ? 1 : 0, now, now, o.id, owner);
      }
    })();
    return;
  }
  // PostgreSQL: one statement for the whole group, joined against unnest()ed arrays.
  const col = <T>(f: (o: DeliveryOutcome) => T) => outcomes.map(f);
  await sql`UPDATE deliveries d SET status = v.status, attempts = d.attempts + v.att, smtp_code = v.code, smtp_response = v.resp,
      message_id = COALESCE(v.mid, d.message_id), skip_reason = v.skip,
      next_attempt_at = v.nxt, sent_at = COALESCE(v.sent, d.sent_at),
      first_attempt_at = CASE WHEN v.att = 1 THEN COALESCE(d.first_attempt_at, ${now}::bigint) ELSE d.first_attempt_at END,
      lease_owner = NULL, lease_expires_at = NULL, updated_at = ${now}::bigint
    FROM unnest(${col((o) => o.id)}::bigint[], ${col((o) => o.status)}::text[], ${col((o) => (o.attempted ? 1 : 0))}::int[],
                ${col((o) => o.smtpCode)}::int[], ${col((o) => o.smtpResponse)}::text[], ${col((o) => o.messageId)}::text[],
                ${col((o) => o.skipReason)}::text[], ${col((o) => o.nextAttemptAt)}::bigint[],
                ${col((o) => o.sentAt)}::bigint[])
      AS v(id, status, att, code, resp, mid, skip, nxt, sent)
    WHERE d.id = v.id AND d.lease_owner = ${owner}`.execute(ctx.db);
}

export interface LedgerCounts {
  eligible: number;
  queued: number;
  sent: number;
  deferred: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

/** Counts derived from the ledger (never from counters that a crash could leave stale). */
export async function ledgerCounts(ctx: AppContext, campaignId: number): Promise<LedgerCounts> {
  const rows = await ctx.db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId).groupBy('status').execute();
  const c: LedgerCounts = { eligible: 0, queued: 0, sent: 0, deferred: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    c.eligible += n;
    if (r.status in c) c[r.status as keyof LedgerCounts] += n;
  }
  return c;
}

/** Whether rows remain that a worker may still send (queued or deferred). */
export async function hasPendingDeliveries(ctx: AppContext, campaignId: number): Promise<boolean> {
  const row = await ctx.db.selectFrom('deliveries').select('id').where('campaign_id', '=', campaignId)
    .where('status', 'in', [...ACTIVE_STATUSES]).limit(1).executeTakeFirst();
  return !!row;
}

/** Earliest time a pending row becomes due (for the worker's next poll). */
export async function nextDueAt(ctx: AppContext, campaignId: number): Promise<number | null> {
  const row = await ctx.db.selectFrom('deliveries').select((eb) => eb.fn.min('next_attempt_at').as('t')).where('campaign_id', '=', campaignId)
    .where('status', 'in', [...ACTIVE_STATUSES]).executeTakeFirst();
  return row?.t == null ? null : Number(row.t);
}
