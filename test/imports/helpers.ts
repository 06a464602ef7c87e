// Shared setup for import tests: a context with a temp data dir, lists, and an import call
// through the HTTP API that waits for the background job (no sleeps).
import { mkdtempSync } from 'node:fs';
import { sql } from 'kysely';
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

/**
 * Makes every INSERT of `email` into contacts fail like a disk error would, until the returned
 * function removes the trigger: for tests of an import that fails mid-file.
 */
export async function failContactInsert(ctx: TestContext, name: string, email: string): Promise<() => Promise<void>> {
  const lit = sql.lit(email);
  const id = sql.id(name);
  if (ctx.dialect === 'sqlite') {
    await sql`CREATE TRIGGER ${id} BEFORE INSERT ON contacts WHEN NEW.email_lower = ${lit} BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END`.execute(ctx.db);
  } else {
    await sql`CREATE FUNCTION ${id}() RETURNS trigger AS $$ BEGIN IF NEW.email_lower = ${lit} THEN RAISE EXCEPTION 'simulated disk failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(ctx.db);
    await sql`CREATE TRIGGER ${id} BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION ${id}()`.execute(ctx.db);
  }
  return async () => {
    await sql`DROP TRIGGER ${id} ${sql.raw(ctx.dialect === 'postgres' ? 'ON contacts' : '')}`.execute(ctx.db);
  };
}
