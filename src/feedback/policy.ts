// Feedback thresholds: soft-bounce suppression and the reputation circuit breaker. Defaults follow
// mailbox-provider guidance (Gmail/Yahoo: complaints under 0.1 %, never 0.3 %; SES practice: hard
// bounces 5 % review, 10 % pause); a workspace overrides them in settings.feedback.
import type { Database } from '../db/index.js';
import { fromJson } from '../db/dialect.js';

export interface FeedbackPolicy {
  /** Soft bounces (mailbox-side, not sender-side blocks) within softBounceWindowMs that suppress an address. */
  softBounceLimit: number;
  softBounceWindowMs: number;
  complaintWarnRate: number;
  complaintPauseRate: number;
  hardBounceWarnRate: number;
  hardBouncePauseRate: number;
  /** Rates over fewer sends than this are noise: the breaker waits for this many. */
  minSample: number;
  /** Rolling window for the per-sending-domain rates. */
  domainWindowMs: number;
}

export const DEFAULT_POLICY: FeedbackPolicy = {
  softBounceLimit: 3,
  softBounceWindowMs: 30 * 24 * 3600_000,
  complaintWarnRate: 0.001,
  complaintPauseRate: 0.003,
  hardBounceWarnRate: 0.05,
  hardBouncePauseRate: 0.1,
  minSample: 500,
  domainWindowMs: 24 * 3600_000,
};

/** The workspace's policy: defaults overlaid with numeric values from settings.feedback. */
export async function loadPolicy(db: Database, workspaceId: number): Promise<FeedbackPolicy> {
  const row = await db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const settings = fromJson<Record<string, unknown>>(row?.settings, {});
  const overrides = (settings.feedback ?? {}) as Record<string, unknown>;
  const policy = { ...DEFAULT_POLICY };
  for (const key of Object.keys(DEFAULT_POLICY) as Array<keyof FeedbackPolicy>) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) policy[key] = v;
  }
  return policy;
}
