// Shapes returned by classifyFeedback(): one result per message, one entry per recipient.
// Pure data: no database ids here (the effects layer links results to ledger rows).

export const REASONS = [
  'user_unknown', 'mailbox_full', 'host_unknown', 'has_moved', 'not_accept', 'suspend', 'rejected',
  'blocked', 'bad_reputation', 'require_ptr', 'auth_failure', 'spam_detected', 'virus_detected',
  'policy_violation', 'filtered', 'security_error', 'content_error', 'not_compliant_rfc', 'mesg_too_big',
  'exceed_limit', 'too_many_conn', 'speeding', 'expired', 'network_error', 'failed_starttls', 'no_relaying',
  'syntax_error', 'mailer_error', 'system_error', 'system_full', 'suppressed', 'on_hold', 'vacation',
  'delivered', 'feedback', 'undefined',
] as const;
export type Reason = (typeof REASONS)[number];

export type FeedbackKind = 'bounce' | 'complaint' | 'auto_reply' | 'delivery_report' | 'not_feedback';

export interface RecipientResult {
  address: string;
  /** RFC 3464 Action: failed|delayed|delivered|relayed|expanded (null when the source has none). */
  action: string | null;
  /** Enhanced status code (RFC 3463), e.g. "5.1.1". */
  status: string | null;
  /** SMTP reply code, e.g. 550. */
  reply_code: number | null;
  diagnostic: string | null;
  reason: Reason;
  hard: boolean;
}

export interface FeedbackResult {
  kind: FeedbackKind;
  recipients: RecipientResult[];
  /** ARF Feedback-Type (abuse, fraud, virus, not-spam, other…) for complaints, else null. */
  feedback_type: string | null;
  /** Which parser recognised the message (dsn, arf, qmail, exim, …): for debugging and the corpus. */
  source: string;
  /** Message-ID of the embedded original message, used to find the ledger row when VERP is absent. */
  original_message_id: string | null;
  /** Envelope/header recipient of the notification itself (the VERP address when we sent it). */
  notification_to: string | null;
}
