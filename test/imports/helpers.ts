// Shared setup for import tests: a context with a temp data dir, lists, and an import call
// through the HTTP API that waits for the background job (no sleeps).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '../../src/db/dialect.js';
import type { App } from '../../src/http/app.js';
import { waitForImport, type ImportJob } from '../../src/imports/index.js';
import { openTestContext, type TestContext } from '../helpers/context.js';

export async function importTestContext(dialect: Dialect): Promise<TestContext> {
  return openTestContext(dialect, { config: { dataDir: mkdtempSync(join(tmpdir(), 'postlane-imports-')) } });
}

export async function createList(ctx: Pick<TestContext, 'db' | 'clock'>, workspaceId: number, name: string, optIn: 'single' | 'double' = 'single'): Promise<number> {
  const now = ctx.clock.now();
  const r = await ctx.db.insertInto('lists').values({ workspace_id: workspaceId, name, description: null, opt_in: optIn, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export interface PostResult {
  status: number;
  body: { job?: { id: number }; error?: { code: string; message: string; details: unknown } };
  job: ImportJob | null;
}

/** POSTs a body to /api/v1/imports and, on 202, waits for the job to finish. */
export async function postImport(
  app: App, ctx: TestContext, workspaceId: number, auth: Record<string, string>,
  body: string | Buffer, query: Record<string, string | number>, contentType = 'text/csv',
): Promise<PostResult> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await app.inject({ method: 'POST', url: `/api/v1/imports?${qs}`, headers: { ...auth, 'content-type': contentType }, payload: body });
  const parsed = res.json() as PostResult['body'];
  const job = res.statusCode === 202 && parsed.job ? await waitForImport(ctx, workspaceId, parsed.job.id) : null;
  return { status: res.statusCode, body: parsed, job };
}

export async function contactsOf(ctx: TestContext, workspaceId: number) {
  return ctx.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
}
