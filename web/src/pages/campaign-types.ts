// Campaign shapes as GET /campaigns/:id returns them.
export interface CampaignCounts {
  eligible: number; queued: number; sent: number; deferred: number; failed: number; skipped: number; cancelled: number;
  opened: number; clicked: number; unsubscribed: number; bounced: number; complained: number;
}
export interface Campaign {
  id: number; name: string; status: string; subject: string; from_email: string; from_name: string | null; reply_to: string | null;
  html: string | null; text: string | null; mjml: string | null; list_ids: number[]; segment_ids: number[];
  send_at: string | null; started_at: string | null; finished_at: string | null; paused_reason: string | null;
  parent_campaign_id: number | null; derived_kind: string | null; track_opens: boolean; track_clicks: boolean; rate_limit: number | null;
  created_at: string; updated_at: string; counts?: CampaignCounts;
  /** Pre-send warnings from the server (they never block a send). */
  warnings?: string[];
}
export interface Delivery {
  id: number; contact_id: number; email: string; status: string; attempts: number; smtp_code: number | null; smtp_response: string | null;
  skip_reason: string | null; message_id: string | null; next_attempt_at: string | null; sent_at: string | null; updated_at: string;
}
