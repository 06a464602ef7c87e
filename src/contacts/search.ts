// Contact search: built-in fields, list membership, tag, saved segment, email prefix and typed
// attribute equality, paged by keyset on contacts.id so page N costs the same as page 1.
import { sql, type SqlBool, type Expression } from 'kysely';
import type { Database } from '../db/index.js';
import { dialectOf, jsonText } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { startsWith } from '../lib/like.js';
import { clampLimit, decodeCursor, toPage, type Page } from '../lib/cursor.js';
import { systemClock } from '../clock.js';
import { getSegment, segmentContactIds } from '../segments/index.js';
import { findTagId } from '../tags/index.js';
import { coerceAttribute, loadAttributeDefinitions, type AttributeType } from './attributes.js';
import { normalizeEmail } from './email.js';
import { hydrateContacts, isContactStatus, statusIs, type Contact } from './model.js';

export const MEMBERSHIP_STATUSES = ['unconfirmed', 'confirmed', 'unsubscribed'] as const;

export interface ContactSearch {
  email?: string;
  /** Prefix of the (lower-cased) address. */
  q?: string;
  status?: string;
  listId?: number;
  membershipStatus?: string;
  tag?: string;
  /** A saved segment of the workspace, evaluated by the same compiler as counts and campaigns. */
  segmentId?: number;
  /** "Now" for time-relative segment conditions (the caller's clock). */
  now?: number;
  /** Attribute equality, values as received (coerced to each attribute's type). */
  attributes?: Record<string, string>;
  cursor?: string;
  limit?: number;
}

function attributeCondition(db: Database, name: string, type: AttributeType, raw: string): Expression<SqlBool> {
  const value = coerceAttribute(name, type, raw);
  const pg = dialectOf(db) === 'postgres';
  const col = sql.ref('contacts.attributes');
  // json_extract yields typed SQLite values; ->> yields text on PostgreSQL, so numbers are cast there.
  if (type === 'number') return pg ? sql<SqlBool>`(${col} ->> ${name})::numeric = ${value}` : sql<SqlBool>`${jsonText('sqlite', col, name)} = ${value}`;
  if (type === 'boolean') return pg ? sql<SqlBool>`(${col} ->> ${name}) = ${String(value)}` : sql<SqlBool>`${jsonText('sqlite', col, name)} = ${value ? 1 : 0}`;
  return sql<SqlBool>`${jsonText(pg ? 'postgres' : 'sqlite', col, name)} = ${value}`;
}

export async function searchContacts(db: Database, workspaceId: number, f: ContactSearch): Promise<Page<Contact>> {
  const limit = clampLimit(f.limit);
  const after = decodeCursor(f.cursor);
  let q = db.selectFrom('contacts').selectAll('contacts').where('contacts.workspace_id', '=', workspaceId);
  // The keyset column: with a list, list_memberships' (list_id, contact_id) key drives the walk.
  let keyCol = 'contacts.id';

  if (f.email !== undefined) {
    const n = normalizeEmail(f.email);
    if (!n) return { data: [], nextCursor: null };
    q = q.where('contacts.email_lower', '=', n.key);
  }
  if (f.q) q = q.where(startsWith('contacts.email_lower', f.q.trim().toLowerCase()));
  if (f.status !== undefined) {
    if (!isContactStatus(f.status)) throw new AppError('bad_request', 'status must be one of active, unsubscribed, bounced, complained, blocked');
    q = q.where(statusIs('contacts.status', f.status));
  }
  if (f.listId !== undefined) {
    const list = await db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('id', '=', f.listId).executeTakeFirst();
    if (!list) throw notFound('list');
    q = q.innerJoin('list_memberships as lm', (j) => j.onRef('lm.contact_id', '=', 'contacts.id').on('lm.list_id', '=', f.listId as number).on('lm.workspace_id', '=', workspaceId));
    keyCol = 'lm.contact_id';
    if (f.membershipStatus !== undefined) {
      if (!(MEMBERSHIP_STATUSES as readonly string[]).includes(f.membershipStatus)) throw new AppError('bad_request', 'membership status must be unconfirmed, confirmed or unsubscribed');
      const ms = f.membershipStatus;
      q = q.where(() => sql<SqlBool>`lm.status = ${ms}`);
    }
  }
  if (f.tag !== undefined) {
    const tagId = await findTagId(db, workspaceId, f.tag);
    if (tagId === null) return { data: [], nextCursor: null };
    q = q.where((eb) => eb.exists(eb.selectFrom('contact_tags').select('contact_tags.tag_id')
      .whereRef('contact_tags.contact_id', '=', 'contacts.id').where('contact_tags.tag_id', '=', tagId)));
  }
  if (f.segmentId !== undefined) {
    const segment = await getSegment({ db, clock: systemClock }, workspaceId, f.segmentId);
    // Correlated on the walked row: the keyset walk stops after `limit` members, and the
    // segment's relational IN-sets are still built once per statement (docs/segments.md).
    const members = segmentContactIds(db, workspaceId, segment.definition, { now: f.now }).where(sql<SqlBool>`c.id = contacts.id`);
    q = q.where(() => sql<SqlBool>`EXISTS ${members}`);
  }
  const attrs = Object.entries(f.attributes ?? {});
  if (attrs.length) {
    const defs = await loadAttributeDefinitions(db, workspaceId);
    for (const [name, raw] of attrs) {
      const type = defs.get(name);
      if (!type) throw new AppError('bad_request', `unknown attribute "${name.slice(0, 64)}"`, { attribute: name });
      const cond = attributeCondition(db, name, type, raw);
      q = q.where(() => cond);
    }
  }
  const key = sql.ref(keyCol);
  const rows = await q.where(() => sql<SqlBool>`${key} > ${after}`).orderBy(key).limit(limit + 1).execute();
  const page = toPage(rows, limit, (r) => Number(r.id));
  return { data: await hydrateContacts(db, workspaceId, page.data), nextCursor: page.nextCursor };
}
