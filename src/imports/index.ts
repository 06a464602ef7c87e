// Contact imports (part of the audience domain): streaming CSV/NDJSON into contacts, a list's
// memberships and the consent ledger, as a background job with progress and a rejection report.
// The API and the CLI both call startImport(); the CLI and the benchmark wait on `done`.
import { rm } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import { recordAudit } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { RequestedEncoding } from './decode.js';
import { createImportJob, getImportJob, type ImportFormat, type ImportJob, type ImportParams, type ImportProgress } from './job.js';
import { checkExplicitMapping, type ExplicitMapping } from './mapping.js';
import { preflightImport } from './preflight.js';
import { runImport } from './run.js';
import { IMPORT_VERIFY_MODES, type AttributeType, type ImportVerifyMode } from './validate.js';
import type { ImportMode } from './writers/types.js';

export { getImportJob, listRejections, type ImportJob, type ImportResult, type ImportProgress, type ImportParams } from './job.js';
export { REJECT_REASONS } from './validate.js';
export type { ImportMode } from './writers/types.js';

export const IMPORT_MODES: readonly ImportMode[] = ['add', 'update', 'overwrite'];
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'ndjson'];

export interface StartImportInput {
  workspaceId: number;
  /** "user:12", "api_key:3", "cli". */
  actor: string;
  ip?: string | null;
  /** The file to read; removed when the job ends if `deleteAfter`. */
  path: string;
  deleteAfter?: boolean;
  listId: number | null;
  mode?: ImportMode;
  format?: ImportFormat;
  encoding?: RequestedEncoding;
  delimiter?: string | null;
  mapping?: ExplicitMapping;
  purpose?: string;
  wordingVersion?: string | null;
  fileName?: string | null;
  /** Verification at import: reject | flag | accept (default accept). */
  verify?: ImportVerifyMode;
  onProgress?: (progress: ImportProgress) => void;
}

// Running imports per context: lets tests, the CLI and shutdown wait for a job without polling.
const running = new WeakMap<AppContext, Map<number, Promise<ImportJob>>>();

/**
 * Checks the file and the list, creates the job and starts it in the background. Throws (and
 * writes nothing) on a bad list, mapping, encoding, empty file or missing email column.
 */
export async function startImport(ctx: AppContext, input: StartImportInput): Promise<{ job: ImportJob; done: Promise<ImportJob> }> {
  try {
    const params = normaliseParams(input);
    const list = params.listId === null ? null : await findList(ctx, input.workspaceId, params.listId);
    const preflight = await preflightImport(input.path, params);
    const attributeTypes = await loadAttributeTypes(ctx, input.workspaceId);
    const job = await createImportJob(ctx, { workspaceId: input.workspaceId, params, totalBytes: preflight.totalBytes, actor: input.actor });
    const done = (async () => {
      try {
        const result = await runImport(ctx, job, { path: input.path, preflight, listOptIn: list?.optIn ?? null, attributeTypes, onProgress: input.onProgress });
        await recordAudit(ctx.db, ctx.clock, {
          workspaceId: input.workspaceId, actor: input.actor, action: 'contacts.import', targetType: 'import', targetId: job.id, ip: input.ip ?? null,
          details: {
            list_id: params.listId, mode: params.mode, format: params.format, file_name: params.fileName, failed: result.stopped_at_line !== undefined,
            processed: result.processed, imported: result.imported, updated: result.updated, skipped: result.skipped, invalid: result.invalid,
          },
        }).catch((err: unknown) => ctx.log.error({ err, jobId: job.id }, 'import audit failed'));
      } finally {
        if (input.deleteAfter) await rm(input.path, { force: true }).catch(() => {});
        running.get(ctx)?.delete(job.id);
      }
      return (await getImportJob(ctx, input.workspaceId, job.id)) as ImportJob;
    })();
    let map = running.get(ctx);
    if (!map) running.set(ctx, (map = new Map()));
    map.set(job.id, done);
    return { job, done };
  } catch (err) {
    if (input.deleteAfter) await rm(input.path, { force: true }).catch(() => {});
    throw err;
  }
}

/** Resolves when the job (started by this process) ends; immediately if it is not running here. */
export async function waitForImport(ctx: AppContext, workspaceId: number, id: number): Promise<ImportJob | null> {
  const p = running.get(ctx)?.get(id);
  if (p) await p.catch(() => {});
  return getImportJob(ctx, workspaceId, id);
}

/** Every import still running in this process (for a graceful shutdown). */
export async function drainImports(ctx: AppContext): Promise<void> {
  await Promise.allSettled([...(running.get(ctx)?.values() ?? [])]);
}

function normaliseParams(input: StartImportInput): ImportParams {
  const mode = input.mode ?? 'add';
  if (!IMPORT_MODES.includes(mode)) throw new AppError('bad_request', `mode must be one of ${IMPORT_MODES.join(', ')}`);
  const format = input.format ?? 'csv';
  if (!IMPORT_FORMATS.includes(format)) throw new AppError('bad_request', `format must be one of ${IMPORT_FORMATS.join(', ')}`);
  const encoding = input.encoding ?? 'auto';
  if (!['auto', 'utf8', 'latin1'].includes(encoding)) throw new AppError('bad_request', 'encoding must be auto, utf8 or latin1');
  const delimiter = input.delimiter ?? null;
  if (delimiter !== null && ![',', ';', '\t', '|'].includes(delimiter)) throw new AppError('bad_request', 'delimiter must be one of , ; tab |');
  const mapping = input.mapping ?? {};
  checkExplicitMapping(mapping);
  const purpose = (input.purpose ?? 'marketing_email').trim();
  if (!/^[a-z0-9_.-]{1,100}$/i.test(purpose)) throw new AppError('bad_request', 'purpose must be 1-100 letters, digits, _ . -');
  const wordingVersion = input.wordingVersion?.trim() || null;
  if (wordingVersion && wordingVersion.length > 100) throw new AppError('bad_request', 'wording_version is at most 100 characters');
  const verify = input.verify ?? 'accept';
  if (!IMPORT_VERIFY_MODES.includes(verify)) throw new AppError('bad_request', `verify must be one of ${IMPORT_VERIFY_MODES.join(', ')}`);
  return { listId: input.listId, mode, format, encoding, delimiter, mapping, purpose, wordingVersion, fileName: input.fileName?.slice(0, 255) ?? null, verify };
}

/** The list, only in the caller's workspace: another tenant's list id is a 404, not a write. */
async function findList(ctx: AppContext, workspaceId: number, listId: number): Promise<{ id: number; optIn: 'single' | 'double' }> {
  const row = await ctx.db.selectFrom('lists').select(['id', 'opt_in']).where('id', '=', listId).where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) throw new AppError('not_found', `list ${listId} not found`);
  return { id: Number(row.id), optIn: row.opt_in === 'double' ? 'double' : 'single' };
}

async function loadAttributeTypes(ctx: AppContext, workspaceId: number): Promise<Map<string, AttributeType>> {
  const rows = await ctx.db.selectFrom('attribute_definitions').select(['name', 'type']).where('workspace_id', '=', workspaceId).execute();
  return new Map(rows.map((r) => [r.name, r.type as AttributeType]));
}

/** The list named `name` in the workspace (CLI --list), created as single opt-in when asked. */
export async function listByName(ctx: AppContext, workspaceId: number, name: string, create: boolean): Promise<number> {
  const row = await ctx.db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  if (row) return Number(row.id);
  if (!create) throw new AppError('not_found', `list "${name}" not found (pass --create-list to create it)`);
  const now = ctx.clock.now();
  const created = await ctx.db
    .insertInto('lists')
    .values({ workspace_id: workspaceId, name, description: null, opt_in: 'single', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(created.id);
}
