// Tags: free-form labels on contacts, unique by name per workspace, created on first use.
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { AppError, notFound } from '../errors.js';

type Ctx = { db: Database; clock: Clock };

export interface Tag {
  id: number;
  name: string;
  contactCount: number;
  createdAt: number;
}

export function normalizeTagName(name: unknown): string {
  if (typeof name !== 'string') throw new AppError('bad_request', 'tag name must be a string');
  const n = name.trim().normalize('NFC');
  if (n.length === 0 || n.length > 100 || !n.isWellFormed() || /[\u0000-\u001f\u007f]/.test(n)) {
    throw new AppError('bad_request', 'tag name must be 1-100 printable characters', { field: 'tag' });
  }
  return n;
}

async function ensureTag(ctx: Ctx, workspaceId: number, name: string): Promise<number> {
  await ctx.db.insertInto('tags').values({ workspace_id: workspaceId, name, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing()).execute();
  const row = await ctx.db.selectFrom('tags').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirstOrThrow();
  return Number(row.id);
}

async function requireContact(db: Database, workspaceId: number, contactId: number): Promise<void> {
  const row = await db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!row) throw notFound('contact');
}

/** Adds tags to a contact (idempotent). The contact must belong to the workspace. */
export async function tagContact(ctx: Ctx, workspaceId: number, contactId: number, names: string[]): Promise<void> {
  await requireContact(ctx.db, workspaceId, contactId);
  for (const raw of names) {
    const tagId = await ensureTag(ctx, workspaceId, normalizeTagName(raw));
    await ctx.db.insertInto('contact_tags').values({ workspace_id: workspaceId, contact_id: contactId, tag_id: tagId, created_at: ctx.clock.now() })
      .onConflict((oc) => oc.columns(['contact_id', 'tag_id']).doNothing()).execute();
  }
}

/** Removes a tag from a contact; false when the contact did not carry it. */
export async function untagContact(ctx: Ctx, workspaceId: number, contactId: number, name: string): Promise<boolean> {
  await requireContact(ctx.db, workspaceId, contactId);
  const tag = await ctx.db.selectFrom('tags').select('id').where('workspace_id', '=', workspaceId).where('name', '=', normalizeTagName(name)).executeTakeFirst();
  if (!tag) return false;
  const res = await ctx.db.deleteFrom('contact_tags').where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId).where('tag_id', '=', Number(tag.id)).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function findTagId(db: Database, workspaceId: number, name: string): Promise<number | null> {
  const row = await db.selectFrom('tags').select('id').where('workspace_id', '=', workspaceId).where('name', '=', normalizeTagName(name)).executeTakeFirst();
  return row ? Number(row.id) : null;
}

export async function listTags(db: Database, workspaceId: number): Promise<Tag[]> {
  const rows = await db.selectFrom('tags')
    .leftJoin('contact_tags', 'contact_tags.tag_id', 'tags.id')
    .select((eb) => ['tags.id', 'tags.name', 'tags.created_at', eb.fn.count<number>('contact_tags.contact_id').as('n')])
    .where('tags.workspace_id', '=', workspaceId)
    .groupBy(['tags.id', 'tags.name', 'tags.created_at'])
    .orderBy('tags.name')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, contactCount: Number(r.n), createdAt: Number(r.created_at) }));
}
