// The contact as domain code sees it, built from rows in batches: one query for the suppression
// state and one for tag names per page, never one per contact.
import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Database } from '../db/index.js';
import { fromBool, fromJson } from '../db/dialect.js';
import type { ContactsTable } from '../db/types.js';
import { AppError } from '../errors.js';
import type { Attributes } from './attributes.js';

export const CONTACT_STATUSES = ['active', 'unsubscribed', 'bounced', 'complained', 'blocked'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export interface Contact {
  id: number;
  workspaceId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  externalId: string | null;
  status: ContactStatus;
  timezone: string | null;
  attributes: Attributes;
  trackingConsent: boolean;
  tags: string[];
  /** On the workspace suppression list: never mailed, whatever the status says. */
  suppressed: boolean;
  suppressionReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export type ContactRow = Selectable<ContactsTable>;

export function isContactStatus(v: unknown): v is ContactStatus {
  return typeof v === 'string' && (CONTACT_STATUSES as readonly string[]).includes(v);
}

/**
 * `column = status`. contacts_ws_status_idx is partial (WHERE status <> 'active': most contacts
 * are active, and they are found by other indexes), and neither database proves `status = ?`
 * implies the index predicate — SQLite needs the predicate's own term in the WHERE — so for any
 * other status the predicate is repeated, as a literal, to make the partial index usable.
 */
export function statusIs(column: 'status' | 'contacts.status', status: ContactStatus): RawBuilder<SqlBool> {
  const col = sql.ref(column);
  return status === 'active' ? sql<SqlBool>`${col} = ${status}` : sql<SqlBool>`(${col} = ${status} AND ${col} <> 'active')`;
}

/** The status a suppressed address carries, by suppression reason; any other reason: "blocked". */
export const SUPPRESSION_STATUS: Readonly<Record<string, ContactStatus>> = {
  hard_bounce: 'bounced', soft_bounce_limit: 'bounced', complaint: 'complained', unsubscribe: 'unsubscribed',
};

export function statusForSuppression(reason: string): ContactStatus {
  return Object.hasOwn(SUPPRESSION_STATUS, reason) ? SUPPRESSION_STATUS[reason]! : 'blocked';
}

let zones: Set<string> | null = null;
/** IANA zone names only (Intl's list plus aliases it resolves, e.g. Europe/Kiev); returns the canonical name. */
export function normalizeTimezone(tz: string): string {
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  const t = tz.trim();
  if (zones.has(t)) return t;
  if (/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+){0,2}$/.test(t)) {
    try {
      const resolved = new Intl.DateTimeFormat('en', { timeZone: t }).resolvedOptions().timeZone;
      if (zones.has(resolved)) return resolved;
    } catch {
      // fall through to the error below
    }
  }
  throw new AppError('bad_request', `timezone "${t.slice(0, 64)}" is not an IANA time zone name (e.g. Europe/Berlin)`, { field: 'timezone' });
}

/** Attaches suppression state and tag names to a page of rows, preserving order. */
export async function hydrateContacts(db: Database, workspaceId: number, rows: ContactRow[]): Promise<Contact[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const keys = [...new Set(rows.map((r) => r.email_lower))];
  const [sup, tagRows] = await Promise.all([
    db.selectFrom('suppressions').select(['email', 'reason']).where('workspace_id', '=', workspaceId).where('email', 'in', keys).execute(),
    db.selectFrom('contact_tags').innerJoin('tags', 'tags.id', 'contact_tags.tag_id')
      .select(['contact_tags.contact_id', 'tags.name'])
      .where('contact_tags.workspace_id', '=', workspaceId).where('contact_tags.contact_id', 'in', ids)
      .orderBy('tags.name').execute(),
  ]);
  const reasons = new Map(sup.map((s) => [s.email, s.reason]));
  const tags = new Map<number, string[]>();
  for (const t of tagRows) {
    const list = tags.get(Number(t.contact_id)) ?? [];
    list.push(t.name);
    tags.set(Number(t.contact_id), list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    workspaceId: Number(r.workspace_id),
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    externalId: r.external_id,
    status: (isContactStatus(r.status) ? r.status : 'blocked'),
    timezone: r.timezone,
    attributes: fromJson<Attributes>(r.attributes, {}),
    trackingConsent: fromBool(r.tracking_consent),
    tags: tags.get(Number(r.id)) ?? [],
    suppressed: reasons.has(r.email_lower),
    suppressionReason: reasons.get(r.email_lower) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }));
}
