// Saved segments (CRUD) and the read paths over any definition: count, preview sample and a
// keyset-paged contact list. All of them select through segmentContactIds().
import type { AppContext } from '../context.js';
import { fromJson, toJson } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import type { Principal } from '../auth/principal.js';
import { segmentContactIds } from './compile.js';
import { validateDefinition, type SegmentDefinition } from './schema.js';

type Ctx = Pick<AppContext, 'db' | 'clock'>;

export interface Segment {
  id: number;
  name: string;
  definition: SegmentDefinition;
  createdAt: number;
  updatedAt: number;
}

export interface SegmentContact {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  status: string;
  attributes: Record<string, unknown>;
  created_at: number;
}

const toSegment = (r: { id: number; name: string; definition: unknown; created_at: number; updated_at: number }): Segment => ({
  id: r.id, name: r.name, definition: fromJson(r.definition, { version: 1, root: { all: [] } }) as SegmentDefinition, createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function listSegments(ctx: Ctx, workspaceId: number): Promise<Segment[]> {
  const rows = await ctx.db.selectFrom('segments').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
  return rows.map(toSegment);
}

export async function getSegment(ctx: Ctx, workspaceId: number, id: number): Promise<Segment> {
  const row = await ctx.db.selectFrom('segments').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('segment');
  return toSegment(row);
}

async function nameTaken(ctx: Ctx, workspaceId: number, name: string, exceptId?: number): Promise<boolean> {
  let q = ctx.db.selectFrom('segments').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function createSegment(ctx: Ctx, p: Principal, input: { name: string; definition: unknown }): Promise<Segment> {
  const definition = validateDefinition(input.definition);
  if (await nameTaken(ctx, p.workspaceId, input.name)) throw new AppError('conflict', 'a segment with that name exists');
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('segments').values({
    workspace_id: p.workspaceId, name: input.name, definition: toJson(definition), created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(ctx.db, ctx.clock, { workspaceId: p.workspaceId, actor: p.actor, action: 'segments.create', targetType: 'segment', targetId: String(row.id) });
  return getSegment(ctx, p.workspaceId, row.id);
}

export async function updateSegment(ctx: Ctx, p: Principal, id: number, input: { name?: string; definition?: unknown }): Promise<Segment> {
  await getSegment(ctx, p.workspaceId, id);
  const set: { name?: string; definition?: string; updated_at: number } = { updated_at: ctx.clock.now() };
  if (input.definition !== undefined) set.definition = toJson(validateDefinition(input.definition));
  if (input.name !== undefined) {
    if (await nameTaken(ctx, p.workspaceId, input.name, id)) throw new AppError('conflict', 'a segment with that name exists');
    set.name = input.name;
  }
  await ctx.db.updateTable('segments').set(set).where('workspace_id', '=', p.workspaceId).where('id', '=', id).execute();
  await recordAudit(ctx.db, ctx.clock, { workspaceId: p.workspaceId, actor: p.actor, action: 'segments.update', targetType: 'segment', targetId: String(id) });
  return getSegment(ctx, p.workspaceId, id);
}

export async function deleteSegment(ctx: Ctx, p: Principal, id: number): Promise<void> {
  const res = await ctx.db.deleteFrom('segments').where('workspace_id', '=', p.workspaceId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw notFound('segment');
  await recordAudit(ctx.db, ctx.clock, { workspaceId: p.workspaceId, actor: p.actor, action: 'segments.delete', targetType: 'segment', targetId: String(id) });
}

/** The number of contacts in a segment. */
export async function countSegment(ctx: Ctx, workspaceId: number, definition: SegmentDefinition): Promise<number> {
  const ids = segmentContactIds(ctx, workspaceId, definition).as('s');
  const row = await ctx.db.selectFrom(ids).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One keyset page of a segment's contacts in id order (exports and the contacts endpoint). */
export async function segmentContactsPage(
  ctx: Ctx, workspaceId: number, definition: SegmentDefinition, opts: { afterId?: number; limit: number },
): Promise<{ contacts: SegmentContact[]; nextAfterId: number | null }> {
  let ids = segmentContactIds(ctx, workspaceId, definition);
  if (opts.afterId !== undefined) ids = ids.where('c.id', '>', opts.afterId);
  const page = await ids.orderBy('c.id').limit(opts.limit + 1).execute();
  const chosen = page.slice(0, opts.limit).map((r) => r.id);
  const rows = chosen.length === 0 ? [] : await ctx.db.selectFrom('contacts')
    .select(['id', 'email', 'first_name', 'last_name', 'status', 'attributes', 'created_at'])
    .where('workspace_id', '=', workspaceId).where('id', 'in', chosen).orderBy('id').execute();
  return {
    contacts: rows.map((r) => ({ ...r, attributes: fromJson<Record<string, unknown>>(r.attributes, {}) })),
    nextAfterId: page.length > opts.limit ? (chosen[chosen.length - 1] ?? null) : null,
  };
}

/** Count and a sample (the first contacts by id) of an unsaved definition. */
export async function previewSegment(ctx: Ctx, workspaceId: number, input: unknown, sampleSize = 10): Promise<{ count: number; sample: SegmentContact[] }> {
  const definition = validateDefinition(input);
  const [count, page] = await Promise.all([
    countSegment(ctx, workspaceId, definition),
    segmentContactsPage(ctx, workspaceId, definition, { limit: sampleSize }),
  ]);
  return { count, sample: page.contacts };
}

/** Contact ids of a saved segment, for campaign audiences (campaigns.segment_ids). */
export async function savedSegmentContactIds(ctx: Ctx, workspaceId: number, segmentId: number) {
  const s = await getSegment(ctx, workspaceId, segmentId);
  return segmentContactIds(ctx, workspaceId, s.definition);
}
