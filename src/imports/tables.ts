// Row types of the imports domain (jobs themselves live in the shared `jobs` table).

/** One row of a job's rejection report: every invalid or skipped line, up to a cap per job. */
export interface ImportRejectionsTable {
  workspace_id: number;
  job_id: number;
  line: number;
  reason: string;
  detail: string | null;
  email: string | null;
}
