// Row types of the verification tables (migration 0300-verify).

export interface VerificationsTable {
  workspace_id: number;
  /** Lower-case normalized address: one cached result per address per workspace. */
  email_key: string;
  email: string;
  verdict: string;
  score: number;
  checks: string; // comma-separated checks that ran, e.g. "syntax,dns"
  policy: string;
  result: string | unknown; // VerifyResult as JSON
  /** Last real delivery outcome from feedback: hard_bounce | delivered. */
  outcome: string | null;
  outcome_at: number | null;
  checked_at: number;
}

export interface VerifyJobItemsTable {
  job_id: number;
  seq: number;
  email: string;
  verdict: string | null;
  result: string | unknown | null; // VerifyResult as JSON, null while pending
}
