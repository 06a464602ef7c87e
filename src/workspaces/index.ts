// Workspaces: the tenant boundary. Every tenant table carries workspace_id and every query filters on it.
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { fromJson, toJson } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { recordAudit } from '../audit/index.js';

export interface WorkspaceSettings {
  /** Store full client IPs for opens/clicks (default false: truncated). */
  storeFullIp?: boolean;
  [key: string]: unknown;
}

export interface Workspace {
  id: number;
  name: string;
  slug: string;
  postalAddress: string | null;
  settings: WorkspaceSettings;
  createdAt: number;
}

function slugify(name: string): string {
  const s = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return s || 'workspace';
}

export async function createWorkspace(
  db: Database,
  clock: Clock,
  input: { name: string; postalAddress?: string | null; slug?: string },
): Promise<Workspace> {
  const name = input.name.trim();
  if (!name) throw new AppError('bad_request', 'workspace name is required');
  const base = input.slug ?? slugify(name);
  let slug = base;
  for (let i = 2; await db.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirst(); i++) slug = `${base}-${i}`;
  const now = clock.now();
  const row = await db
    .insertInto('workspaces')
    .values({ name, slug, postal_address: input.postalAddress ?? null, settings: toJson({}), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), name, slug, postalAddress: input.postalAddress ?? null, settings: {}, createdAt: now };
}

export async function getWorkspace(db: Database, id: number): Promise<Workspace | null> {
  const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return {
    id: Number(row.id),
    name: row.name,
    slug: row.slug,
    postalAddress: row.postal_address,
    settings: fromJson<WorkspaceSettings>(row.settings, {}),
    createdAt: Number(row.created_at),
  };
}

/** The first workspace: single-tenant installs and the CLI act on it unless told otherwise. */
export async function getDefaultWorkspace(db: Database): Promise<Workspace | null> {
  const row = await db.selectFrom('workspaces').select('id').orderBy('id').limit(1).executeTakeFirst();
  return row ? getWorkspace(db, Number(row.id)) : null;
}

export async function updateWorkspace(
  ctx: { db: Database; clock: Clock },
  actor: { workspaceId: number; actor: string },
  patch: { name?: string; postalAddress?: string | null; settings?: WorkspaceSettings },
): Promise<Workspace> {
  const current = await getWorkspace(ctx.db, actor.workspaceId);
  if (!current) throw new AppError('not_found', 'workspace not found');
  const values: Record<string, unknown> = { updated_at: ctx.clock.now() };
  if (patch.name !== undefined) values.name = patch.name.trim();
  if (patch.postalAddress !== undefined) values.postal_address = patch.postalAddress?.trim() || null;
  if (patch.settings !== undefined) values.settings = toJson({ ...current.settings, ...patch.settings });
  await ctx.db.updateTable('workspaces').set(values).where('id', '=', actor.workspaceId).execute();
  await recordAudit(ctx.db, ctx.clock, {
    workspaceId: actor.workspaceId, actor: actor.actor, action: 'settings.update', targetType: 'workspace', targetId: actor.workspaceId,
    details: { fields: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined) },
  });
  return (await getWorkspace(ctx.db, actor.workspaceId)) as Workspace;
}
