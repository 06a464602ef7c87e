// Campaign records: validation of what a marketer assigns (addresses and header text are
// CR/LF-checked here, where they are assigned), create/read/update/delete and the API shape.
import type { AppContext } from '../context.js';
import { fromBool, fromJson, toJson } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { assertAddress, assertHeaderSafe } from '../delivery/mime.js';
import type { CampaignRow } from '../delivery/prepare.js';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'finished', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface CampaignInput {
  name?: string;
  subject?: string;
  from_email?: string;
  from_name?: string | null;
  reply_to?: string | null;
  html?: string | null;
  text?: string | null;
  mjml?: string | null;
  list_ids?: number[];
  segment_ids?: number[];
  send_at?: string | number | null;
  track_opens?: boolean;
  track_clicks?: boolean;
  rate_limit?: number | null;
}

export interface Campaign {
  id: number;
  name: string;
  status: CampaignStatus;
  subject: string;
  from_email: string;
  from_name: string | null;
  reply_to: string | null;
  html: string | null;
  text: string | null;
  mjml: string | null;
  list_ids: number[];
  segment_ids: number[];
  send_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  paused_reason: string | null;
  parent_campaign_id: number | null;
  derived_kind: string | null;
  track_opens: boolean;
  track_clicks: boolean;
  rate_limit: number | null;
  created_at: string;
  updated_at: string;
}

const iso = (t: number | null) => (t === null || t === undefined ? null : new Date(Number(t)).toISOString());

export function toCampaign(r: CampaignRow & Record<string, unknown>): Campaign {
  return {
    id: Number(r.id), name: r.name, status: r.status as CampaignStatus, subject: r.subject, from_email: r.from_email,
    from_name: r.from_name, reply_to: r.reply_to, html: r.html, text: r.text, mjml: r.mjml,
    list_ids: fromJson<number[]>(r.list_ids, []), segment_ids: fromJson<number[]>(r.segment_ids, []),
    send_at: iso(r.send_at as number | null), started_at: iso(r.started_at as number | null), finished_at: iso(r.finished_at as number | null),
    paused_reason: (r.paused_reason as string | null) ?? null,
    parent_campaign_id: r.parent_campaign_id === null ? null : Number(r.parent_campaign_id),
    derived_kind: (r.derived_kind as string | null) ?? null,
    track_opens: fromBool(r.track_opens), track_clicks: fromBool(r.track_clicks), rate_limit: r.rate_limit ?? null,
    created_at: iso(r.created_at as number) as string, updated_at: iso(r.updated_at as number) as string,
  };
}

function parseTime(v: string | number | null | undefined): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t)) throw new AppError('bad_request', 'send_at must be an ISO 8601 time', [{ field: 'send_at', message: 'invalid time' }]);
  return t;
}

async function checkLists(ctx: AppContext, workspaceId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await ctx.db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
  const have = new Set(found.map((r) => Number(r.id)));
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length) throw new AppError('bad_request', `unknown list ids: ${missing.join(', ')}`, [{ field: 'list_ids', message: 'not in this workspace' }]);
}

async function checkSegments(ctx: AppContext, workspaceId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await ctx.db.selectFrom('segments').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
  const have = new Set(found.map((r) => Number(r.id)));
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length) throw new AppError('bad_request', `unknown segment ids: ${missing.join(', ')}`, [{ field: 'segment_ids', message: 'not in this workspace' }]);
}

/** Validates and normalises the assignable fields into column values. */
async function columnsOf(ctx: AppContext, workspaceId: number, input: CampaignInput) {
  const cols: Record<string, unknown> = {};
  if (input.name !== undefined) {
    if (!input.name.trim() || input.name.length > 200) throw new AppError('bad_request', 'name must be 1–200 characters', [{ field: 'name', message: 'length' }]);
    cols.name = input.name.trim();
  }
  if (input.subject !== undefined) {
    assertHeaderSafe('subject', input.subject);
    if (!input.subject.trim()) throw new AppError('bad_request', 'subject is required', [{ field: 'subject', message: 'required' }]);
    cols.subject = input.subject;
  }
  if (input.from_email !== undefined) cols.from_email = assertAddress('from_email', input.from_email);
  if (input.from_name !== undefined) {
    if (input.from_name !== null) assertHeaderSafe('from_name', input.from_name);
    cols.from_name = input.from_name || null;
  }
  if (input.reply_to !== undefined) cols.reply_to = input.reply_to ? assertAddress('reply_to', input.reply_to) : null;
  for (const k of ['html', 'text', 'mjml'] as const) if (input[k] !== undefined) cols[k] = input[k] || null;
  if (input.list_ids !== undefined) {
    await checkLists(ctx, workspaceId, input.list_ids);
    cols.list_ids = toJson([...new Set(input.list_ids)]);
  }
  if (input.segment_ids !== undefined) {
    await checkSegments(ctx, workspaceId, input.segment_ids);
    cols.segment_ids = toJson([...new Set(input.segment_ids)]);
  }
  const sendAt = parseTime(input.send_at);
  if (sendAt !== undefined) cols.send_at = sendAt;
  if (input.track_opens !== undefined) cols.track_opens = input.track_opens ? 1 : 0;
  if (input.track_clicks !== undefined) cols.track_clicks = input.track_clicks ? 1 : 0;
  if (input.rate_limit !== undefined) cols.rate_limit = input.rate_limit;
  return cols;
}

export async function getCampaignRow(ctx: AppContext, workspaceId: number, id: number): Promise<CampaignRow & Record<string, unknown>> {
  const row = await ctx.db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('campaign');
  return { ...row, id: Number(row.id), workspace_id: Number(row.workspace_id) } as CampaignRow & Record<string, unknown>;
}

export async function createCampaign(ctx: AppContext, workspaceId: number, input: CampaignInput & { parent_campaign_id?: number; derived_kind?: string }): Promise<Campaign> {
  for (const f of ['name', 'subject', 'from_email'] as const) {
    if (input[f] === undefined) throw new AppError('bad_request', `${f} is required`, [{ field: f, message: 'required' }]);
  }
  if (!input.html && !input.text && !input.mjml) throw new AppError('bad_request', 'one of html, text or mjml is required', [{ field: 'html', message: 'required' }]);
  const cols = await columnsOf(ctx, workspaceId, input);
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('campaigns').values({
    workspace_id: workspaceId, status: 'draft', list_ids: toJson([]), segment_ids: toJson([]), settings: toJson({}),
    track_opens: 1, track_clicks: 1, created_at: now, updated_at: now,
    parent_campaign_id: input.parent_campaign_id ?? null, derived_kind: input.derived_kind ?? null,
    ...(cols as { name: string; subject: string; from_email: string }),
  }).returning('id').executeTakeFirstOrThrow();
  return toCampaign(await getCampaignRow(ctx, workspaceId, Number(row.id)));
}

const EDITABLE: ReadonlySet<string> = new Set(['draft', 'scheduled', 'paused']);

export async function updateCampaign(ctx: AppContext, workspaceId: number, id: number, input: CampaignInput): Promise<Campaign> {
  const row = await getCampaignRow(ctx, workspaceId, id);
  if (!EDITABLE.has(row.status)) throw new AppError('conflict', `a ${row.status} campaign cannot be edited`);
  // The audience is fixed once the ledger exists; content may still change while paused.
  if (row.status === 'paused' && (input.list_ids !== undefined || input.segment_ids !== undefined)) {
    throw new AppError('conflict', 'the audience of a started campaign cannot change');
  }
  const cols = await columnsOf(ctx, workspaceId, input);
  await ctx.db.updateTable('campaigns').set({ ...cols, updated_at: ctx.clock.now() }).where('id', '=', id).where('workspace_id', '=', workspaceId).execute();
  return toCampaign(await getCampaignRow(ctx, workspaceId, id));
}

export async function deleteCampaign(ctx: AppContext, workspaceId: number, id: number): Promise<void> {
  const row = await getCampaignRow(ctx, workspaceId, id);
  if (row.status === 'sending') throw new AppError('conflict', 'pause or cancel the campaign before deleting it');
  await ctx.db.deleteFrom('campaigns').where('id', '=', id).where('workspace_id', '=', workspaceId).execute();
}

export async function listCampaigns(ctx: AppContext, workspaceId: number, q: { status?: string; limit?: number; after_id?: number }): Promise<Campaign[]> {
  let query = ctx.db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.after_id) query = query.where('id', '<', q.after_id);
  const rows = await query.orderBy('id', 'desc').limit(Math.min(q.limit ?? 50, 200)).execute();
  return rows.map((r) => toCampaign({ ...r, id: Number(r.id), workspace_id: Number(r.workspace_id) } as CampaignRow & Record<string, unknown>));
}
