// Reusable, versioned template fragments (`{% render 'footer' %}`): every save is a new version
// row; templates always use the latest version. Stops at storage — rendering is in compile.ts.
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { recordAudit } from '../audit/index.js';
import { AppError, notFound } from '../errors.js';
import { parseOrIssue, sandboxedLiquid, templateError, type TemplateIssue } from './liquid.js';

export const FRAGMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/i;
export const FRAGMENT_MAX_BYTES = 256 * 1024;

export interface FragmentSummary { name: string; version: number; body: string; createdAt: number }
export interface FragmentDetail extends FragmentSummary { versions: Array<{ version: number; createdAt: number }> }

type Actor = { workspaceId: number; actor: string };

function checkName(name: string): void {
  if (!FRAGMENT_NAME.test(name)) throw new AppError('bad_request', 'fragment name must be 1-100 letters, digits, "-" or "_"', { field: 'name' });
}

/** Latest version of every fragment of a workspace (the correlated max is served by the (ws, name, version) index). */
export async function listFragments(ctx: AppContext, workspaceId: number): Promise<FragmentSummary[]> {
  const rows = await ctx.db
    .selectFrom('fragments as f')
    .select(['f.name', 'f.version', 'f.body', 'f.created_at'])
    .where('f.workspace_id', '=', workspaceId)
    .where('f.version', '=', (eb) =>
      eb.selectFrom('fragments as g').select((e) => e.fn.max('g.version').as('v')).whereRef('g.workspace_id', '=', 'f.workspace_id').whereRef('g.name', '=', 'f.name'),
    )
    .orderBy('f.name')
    .execute();
  return rows.map((r) => ({ name: r.name, version: Number(r.version), body: r.body, createdAt: Number(r.created_at) }));
}

/** name → latest body, the map the Liquid sandbox resolves `render`/`include` against. */
export async function loadFragmentBodies(ctx: AppContext, workspaceId: number): Promise<Record<string, string>> {
  const map: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const f of await listFragments(ctx, workspaceId)) map[f.name] = f.body;
  return map;
}

export async function getFragment(ctx: AppContext, workspaceId: number, name: string): Promise<FragmentDetail> {
  const rows = await ctx.db
    .selectFrom('fragments')
    .select(['version', 'body', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .orderBy('version', 'desc')
    .execute();
  const latest = rows[0];
  if (!latest) throw notFound('fragment');
  return {
    name, version: Number(latest.version), body: latest.body, createdAt: Number(latest.created_at),
    versions: rows.map((r) => ({ version: Number(r.version), createdAt: Number(r.created_at) })),
  };
}

/** One stored version of a fragment, older ones included (read-only: versions are never edited). */
export async function getFragmentVersion(ctx: AppContext, workspaceId: number, name: string, version: number): Promise<FragmentSummary> {
  const row = await ctx.db
    .selectFrom('fragments')
    .select(['version', 'body', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw notFound('fragment version');
  return { name, version: Number(row.version), body: row.body, createdAt: Number(row.created_at) };
}

/**
 * Restoring copies an old version's body into a new version: history stays append-only, so the
 * version a campaign rendered with can still be read, and the restore itself is audited.
 */
export async function restoreFragmentVersion(ctx: AppContext, actor: Actor, name: string, version: number): Promise<FragmentDetail> {
  const old = await getFragmentVersion(ctx, actor.workspaceId, name, version);
  return saveFragment(ctx, actor, name, old.body, { restoredFrom: old.version });
}

/** Creates the fragment or adds a version; the unique (ws, name, version) key settles concurrent saves. */
export async function saveFragment(ctx: AppContext, actor: Actor, name: string, body: string, opts: { restoredFrom?: number } = {}): Promise<FragmentDetail> {
  checkName(name);
  if (Buffer.byteLength(body) > FRAGMENT_MAX_BYTES) throw new AppError('payload_too_large', `a fragment is limited to ${FRAGMENT_MAX_BYTES} bytes`);
  // A broken fragment would surface later as an error in every template using it: refuse it here.
  const issues: TemplateIssue[] = [];
  parseOrIssue(sandboxedLiquid({}, false), 'fragment', body, issues);
  if (issues.length > 0) throw templateError(issues);
  for (let attempt = 0; ; attempt++) {
    const cur = await ctx.db
      .selectFrom('fragments')
      .select(sql<number | null>`max(version)`.as('v'))
      .where('workspace_id', '=', actor.workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    const version = Number(cur?.v ?? 0) + 1;
    try {
      await ctx.db.insertInto('fragments').values({ workspace_id: actor.workspaceId, name, version, body, created_at: ctx.clock.now() }).execute();
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const saved = await getFragment(ctx, actor.workspaceId, name);
  await recordAudit(ctx.db, ctx.clock, {
    workspaceId: actor.workspaceId, actor: actor.actor, action: opts.restoredFrom === undefined ? 'fragments.save' : 'fragments.restore', targetType: 'fragment', targetId: name,
    details: opts.restoredFrom === undefined ? { version: saved.version } : { version: saved.version, restored_from: opts.restoredFrom },
  });
  return saved;
}

export async function deleteFragment(ctx: AppContext, actor: Actor, name: string): Promise<void> {
  const res = await ctx.db.deleteFrom('fragments').where('workspace_id', '=', actor.workspaceId).where('name', '=', name).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw notFound('fragment');
  await recordAudit(ctx.db, ctx.clock, { workspaceId: actor.workspaceId, actor: actor.actor, action: 'fragments.delete', targetType: 'fragment', targetId: name });
}
