// Lists and memberships. Double opt-in lists start a subscription "unconfirmed" until confirmed;
// a suppressed address can never be subscribed (the suppression list outranks every list).
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import type { ListMembershipsTable } from '../db/types.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import { findContactByEmail, getContactRow, upsertContact } from '../contacts/index.js';
import { getSuppression } from '../suppressions/index.js';
import { clampLimit, decodeCursor, toPage, type Page } from '../lib/cursor.js';

type Ctx = { db: Database; clock: Clock };

export const OPT_IN_MODES = ['single', 'double'] as const;
export type OptIn = (typeof OPT_IN_MODES)[number];

export interface List {
  id: number;
  name: string;
  description: string | null;
  optIn: OptIn;
  createdAt: number;
  updatedAt: number;
}

export interface Membership {
  listId: number;
  contactId: number;
  status: 'unconfirmed' | 'confirmed' | 'unsubscribed';
  createdAt: number;
  confirmedAt: number | null;
  unsubscribedAt: number | null;
  updatedAt: number;
}

function toList(r: { id: number; name: string; description: string | null; opt_in: string; created_at: number; updated_at: number }): List {
  return { id: Number(r.id), name: r.name, description: r.description, optIn: r.opt_in === 'double' ? 'double' : 'single', createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

export function toMembership(r: Selectable<ListMembershipsTable>): Membership {
  return {
    listId: Number(r.list_id), contactId: Number(r.contact_id), status: r.status as Membership['status'], createdAt: Number(r.created_at),
    confirmedAt: r.confirmed_at === null ? null : Number(r.confirmed_at), unsubscribedAt: r.unsubscribed_at === null ? null : Number(r.unsubscribed_at),
    updatedAt: Number(r.updated_at),
  };
}

function cleanListName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 200 || /[\u0000-\u001f\u007f]/.test(n) || !n.isWellFormed()) throw new AppError('bad_request', 'list name must be 1-200 printable characters', { field: 'name' });
  return n;
}

async function nameTaken(db: Database, workspaceId: number, name: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return !!(await q.executeTakeFirst());
}

export async function createList(ctx: Ctx, workspaceId: number, input: { name: string; description?: string | null; optIn?: OptIn }): Promise<List> {
  const name = cleanListName(input.name);
  if (await nameTaken(ctx.db, workspaceId, name)) throw new AppError('conflict', `a list named "${name}" already exists`);
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('lists')
    .values({ workspace_id: workspaceId, name, description: input.description ?? null, opt_in: input.optIn ?? 'single', created_at: now, updated_at: now })
    .returningAll().executeTakeFirstOrThrow();
  return toList(row);
}

export async function getList(db: Database, workspaceId: number, id: number): Promise<List> {
  const row = await db.selectFrom('lists').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('list');
  return toList(row);
}

export async function findListByName(db: Database, workspaceId: number, name: string): Promise<List | null> {
  const row = await db.selectFrom('lists').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name.trim()).executeTakeFirst();
  return row ? toList(row) : null;
}

export async function listLists(db: Database, workspaceId: number, f: { cursor?: string; limit?: number } = {}): Promise<Page<List>> {
  const limit = clampLimit(f.limit);
  const rows = await db.selectFrom('lists').selectAll().where('workspace_id', '=', workspaceId).where('id', '>', decodeCursor(f.cursor))
    .orderBy('id').limit(limit + 1).execute();
  const page = toPage(rows, limit, (r) => Number(r.id));
  return { data: page.data.map(toList), nextCursor: page.nextCursor };
}

/** Member counts per membership status for one list. */
export async function countMembers(db: Database, workspaceId: number, listId: number): Promise<Record<Membership['status'], number>> {
  const rows = await db.selectFrom('list_memberships').select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId).where('list_id', '=', listId).groupBy('status').execute();
  const out = { unconfirmed: 0, confirmed: 0, unsubscribed: 0 };
  for (const r of rows) if (r.status in out) out[r.status as Membership['status']] = Number(r.n);
  return out;
}

export async function updateList(ctx: Ctx, workspaceId: number, id: number, input: { name?: string; description?: string | null; optIn?: OptIn }): Promise<List> {
  await getList(ctx.db, workspaceId, id);
  const name = input.name !== undefined ? cleanListName(input.name) : undefined;
  if (name !== undefined && (await nameTaken(ctx.db, workspaceId, name, id))) throw new AppError('conflict', `a list named "${name}" already exists`);
  await ctx.db.updateTable('lists').set({
    ...(name !== undefined ? { name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.optIn !== undefined ? { opt_in: input.optIn } : {}),
    updated_at: ctx.clock.now(),
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  return getList(ctx.db, workspaceId, id);
}

/** Deletes a list and its memberships (contacts stay); audited. */
export async function deleteList(ctx: Ctx, workspaceId: number, id: number, actor: string): Promise<void> {
  const list = await getList(ctx.db, workspaceId, id);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('list_memberships').where('workspace_id', '=', workspaceId).where('list_id', '=', id).execute();
    await trx.deleteFrom('lists').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  });
  await recordAudit(ctx.db, ctx.clock, { workspaceId, actor, action: 'lists.delete', targetType: 'list', targetId: id, details: { name: list.name } });
}

export type MemberRef = { contactId: number } | { email: string };

/** Resolves the contact a subscribe call names; an unknown email creates the contact. */
async function resolveContact(ctx: Ctx, workspaceId: number, ref: MemberRef, create: boolean): Promise<number> {
  if ('contactId' in ref) {
    const row = await getContactRow(ctx.db, workspaceId, ref.contactId);
    if (!row) throw notFound('contact');
    return Number(row.id);
  }
  const found = await findContactByEmail(ctx.db, workspaceId, ref.email);
  if (found) return found.id;
  if (!create) throw notFound('contact');
  return (await upsertContact(ctx, workspaceId, { email: ref.email })).contact.id;
}

async function getMembership(db: Database, workspaceId: number, listId: number, contactId: number): Promise<Membership | null> {
  const row = await db.selectFrom('list_memberships').selectAll().where('workspace_id', '=', workspaceId)
    .where('list_id', '=', listId).where('contact_id', '=', contactId).executeTakeFirst();
  return row ? toMembership(row) : null;
}

/**
 * Subscribes a contact: confirmed at once on single opt-in lists, "unconfirmed" on double opt-in
 * lists until confirmMembership. A confirmed membership stays confirmed. Suppressed: refused.
 */
export async function subscribe(ctx: Ctx, workspaceId: number, listId: number, ref: MemberRef): Promise<Membership> {
  const list = await getList(ctx.db, workspaceId, listId);
  const contactId = await resolveContact(ctx, workspaceId, ref, true);
  const contact = (await getContactRow(ctx.db, workspaceId, contactId))!;
  const suppression = await getSuppression(ctx.db, workspaceId, contact.email_lower);
  if (suppression) throw new AppError('suppressed', `${contact.email_lower} is on the suppression list (${suppression.reason}) and cannot be subscribed`, { reason: suppression.reason });
  const now = ctx.clock.now();
  const current = await getMembership(ctx.db, workspaceId, listId, contactId);
  if (current?.status === 'confirmed') return current;
  const status = list.optIn === 'double' ? 'unconfirmed' : 'confirmed';
  const confirmedAt = status === 'confirmed' ? now : null;
  await ctx.db.insertInto('list_memberships')
    .values({ workspace_id: workspaceId, list_id: listId, contact_id: contactId, status, created_at: now, confirmed_at: confirmedAt, unsubscribed_at: null, updated_at: now })
    .onConflict((oc) => oc.columns(['list_id', 'contact_id']).doUpdateSet({ status, confirmed_at: confirmedAt, unsubscribed_at: null, updated_at: now }))
    .execute();
  return (await getMembership(ctx.db, workspaceId, listId, contactId))!;
}

/** Confirms a double opt-in membership (the confirmation link or an admin did it). */
export async function confirmMembership(ctx: Ctx, workspaceId: number, listId: number, ref: MemberRef): Promise<Membership> {
  await getList(ctx.db, workspaceId, listId);
  const contactId = await resolveContact(ctx, workspaceId, ref, false);
  const current = await getMembership(ctx.db, workspaceId, listId, contactId);
  if (!current) throw notFound('membership');
  if (current.status === 'unsubscribed') throw new AppError('conflict', 'the contact unsubscribed from this list; subscribe again first');
  if (current.status === 'confirmed') return current;
  const contact = (await getContactRow(ctx.db, workspaceId, contactId))!;
  if (await getSuppression(ctx.db, workspaceId, contact.email_lower)) throw new AppError('suppressed', 'the address is on the suppression list');
  const now = ctx.clock.now();
  await ctx.db.updateTable('list_memberships').set({ status: 'confirmed', confirmed_at: now, updated_at: now })
    .where('workspace_id', '=', workspaceId).where('list_id', '=', listId).where('contact_id', '=', contactId).execute();
  return (await getMembership(ctx.db, workspaceId, listId, contactId))!;
}

export async function unsubscribe(ctx: Ctx, workspaceId: number, listId: number, ref: MemberRef): Promise<Membership> {
  await getList(ctx.db, workspaceId, listId);
  const contactId = await resolveContact(ctx, workspaceId, ref, false);
  const current = await getMembership(ctx.db, workspaceId, listId, contactId);
  if (!current) throw notFound('membership');
  if (current.status === 'unsubscribed') return current;
  const now = ctx.clock.now();
  await ctx.db.updateTable('list_memberships').set({ status: 'unsubscribed', unsubscribed_at: now, updated_at: now })
    .where('workspace_id', '=', workspaceId).where('list_id', '=', listId).where('contact_id', '=', contactId).execute();
  return (await getMembership(ctx.db, workspaceId, listId, contactId))!;
}

/** Memberships of the given contacts on one list (to annotate a page of members). */
export async function membershipsFor(db: Database, workspaceId: number, listId: number, contactIds: number[]): Promise<Map<number, Membership>> {
  if (contactIds.length === 0) return new Map();
  const rows = await db.selectFrom('list_memberships').selectAll().where('workspace_id', '=', workspaceId)
    .where('list_id', '=', listId).where('contact_id', 'in', contactIds).execute();
  return new Map(rows.map((r) => [Number(r.contact_id), toMembership(r)]));
}

/** Every list a contact has a membership in (any status), by list name. */
export async function listsOfContact(db: Database, workspaceId: number, contactId: number): Promise<Array<{ list: List; membership: Membership }>> {
  const rows = await db.selectFrom('list_memberships as m').innerJoin('lists as l', 'l.id', 'm.list_id')
    .selectAll('m').select(['l.name', 'l.description', 'l.opt_in', 'l.created_at as list_created_at', 'l.updated_at as list_updated_at'])
    .where('m.workspace_id', '=', workspaceId).where('l.workspace_id', '=', workspaceId).where('m.contact_id', '=', contactId)
    .orderBy('l.name').limit(1000).execute();
  return rows.map((r) => ({
    list: toList({ id: Number(r.list_id), name: r.name, description: r.description, opt_in: r.opt_in, created_at: Number(r.list_created_at), updated_at: Number(r.list_updated_at) }),
    membership: toMembership(r),
  }));
}
