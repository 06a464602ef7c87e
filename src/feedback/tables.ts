// Row types of the feedback tables (see db/migrations/0200-feedback.ts).
import type { Generated } from 'kysely';

export interface FeedbackEventsTable {
  id: Generated<number>;
  workspace_id: number | null;
  dedupe_key: string;
  source: string;
  kind: string; // bounce|complaint|auto_reply|delivery_report
  email: string | null;
  reason: string;
  hard: number; // 0/1
  action: string | null;
  status: string | null;
  reply_code: number | null;
  diagnostic: string | null;
  feedback_type: string | null;
  delivery_id: number | null;
  campaign_id: number | null;
  contact_id: number | null;
  occurred_at: number;
  created_at: number;
}
