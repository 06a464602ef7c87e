// The per-address result cache (table `verifications`) and the feedback hook that corrects it
// with real delivery outcomes. Every query is scoped by workspace.
import { systemClock } from '../clock.js';
import type { Database } from '../db/index.js';
import { fromJson, toJson } from '../db/dialect.js';
import { offlineChecker } from './offline.js';
import type { Check, DeliveryOutcome, VerifyResult } from './types.js';
import { applyOutcome, decideVerdict } from './verdict.js';

export interface CachedVerification {
  result: VerifyResult;
  checks: Check[];
  policy: string;
  outcome: DeliveryOutcome | null;
  checkedAt: number;
}

/** The cache key: the lower-cased normalized address (null for an invalid one: never cached). */
export function emailKey(result: Pick<VerifyResult, 'normalized'>): string | null {
  return result.normalized ? result.normalized.toLowerCase().slice(0, 320) : null;
}

export async function readCached(db: Database, workspaceId: number, key: string): Promise<CachedVerification | null> {
  const row = await db.selectFrom('verifications').select(['result', 'checks', 'policy', 'outcome', 'checked_at'])
    .where('workspace_id', '=', workspaceId).where('email_key', '=', key).executeTakeFirst();
  if (!row) return null;
  return {
    result: fromJson<VerifyResult>(row.result, null as unknown as VerifyResult),
    checks: row.checks.split(',').filter(Boolean) as Check[],
    policy: row.policy,
    outcome: (row.outcome as DeliveryOutcome | null) ?? null,
    checkedAt: Number(row.checked_at),
  };
}

/** Stores a fresh result, keeping any delivery outcome already recorded for the address. */
export async function writeCached(db: Database, workspaceId: number, result: VerifyResult, checks: readonly Check[], policy: string, now: number): Promise<void> {
  const key = emailKey(result);
  if (!key) return;
  const values = {
    email: result.normalized ?? result.email.slice(0, 320), verdict: result.verdict, score: result.score,
    checks: checks.join(','), policy, result: toJson(result), checked_at: now,
  };
  await db.insertInto('verifications').values({ workspace_id: workspaceId, email_key: key, ...values, outcome: null, outcome_at: null })
    .onConflict((oc) => oc.columns(['workspace_id', 'email_key']).doUpdateSet(values))
    .execute();
}

/**
 * Feedback hook (called by the bounce handler and the delivery ledger): a hard bounce marks the
 * address undeliverable, a delivered message raises confidence. Creates the row if needed.
 */
export async function recordDeliveryOutcome(
  db: Database, workspaceId: number, email: string, outcome: DeliveryOutcome, opts: { now?: number } = {},
): Promise<VerifyResult | null> {
  const now = opts.now ?? systemClock.now();
  const base = decideVerdict({ email, facts: offlineChecker().check(email, 'rfc'), dns: null, smtp: null });
  const key = emailKey(base);
  if (!key) return null;
  const cached = await readCached(db, workspaceId, key);
  const result = applyOutcome(cached?.result ?? base, outcome);
  const values = { verdict: result.verdict, score: result.score, result: toJson(result), outcome, outcome_at: now };
  await db.insertInto('verifications')
    .values({ workspace_id: workspaceId, email_key: key, email: base.normalized ?? email, checks: 'syntax', policy: 'rfc', checked_at: now, ...values })
    .onConflict((oc) => oc.columns(['workspace_id', 'email_key']).doUpdateSet(values))
    .execute();
  return result;
}

/** Addresses whose result is older than `before`, stalest first (re-verification batches). */
export async function listStale(db: Database, workspaceId: number, before: number, limit: number): Promise<Array<{ email: string; checks: Check[]; policy: string }>> {
  const rows = await db.selectFrom('verifications').select(['email', 'checks', 'policy'])
    .where('workspace_id', '=', workspaceId).where('checked_at', '<', before)
    .orderBy('checked_at').limit(limit).execute();
  return rows.map((r) => ({ email: r.email, checks: r.checks.split(',').filter(Boolean) as Check[], policy: r.policy }));
}
