// Contacts: create, upsert by address, read, update, delete. The suppression list outranks every
// write here: an upsert never turns a suppressed or opted-out address back to "active".
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { fromJson, toJson } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit } from '../audit/index.js';
import { getSuppression } from '../suppressions/index.js';
import { tagContact } from '../tags/index.js';
import { prepareAttributes, type Attributes } from './attributes.js';
import { normalizeEmail } from './email.js';
import { hydrateContacts, isContactStatus, normalizeTimezone, statusForSuppression, type Contact, type ContactRow, type ContactStatus } from './model.js';

export * from './model.js';
export { normalizeEmail, emailKey, emailDomain } from './email.js';
export { prepareAttributes, coerceAttribute, loadAttributeDefinitions, type Attributes, type AttributeType } from './attributes.js';
export { searchContacts, type ContactSearch } from './search.js';

type Ctx = { db: Database; clock: Clock };

export interface ContactInput {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  externalId?: string | null;
  timezone?: string | null;
  status?: string;
  attributes?: Record<string, unknown>;
  tags?: string[];
}

export interface UpsertResult {
  contact: Contact;
  created: boolean;
  /** Why a requested value did not take effect (suppression, opt-out kept). */
  warnings: string[];
}

function cleanName(field: string, v: string | null | undefined): string | null | undefined {
  if (v === undefined || v === null) return v;
  const s = v.trim();
  if (s.length > 200 || !s.isWellFormed() || /[\u0000-\u001f\u007f]/.test(s)) throw new AppError('bad_request', `${field} must be at most 200 printable characters`, { field });
  return s === '' ? null : s;
}

function checkStatus(status: string | undefined): ContactStatus | undefined {
  if (status === undefined) return undefined;
  if (!isContactStatus(status)) throw new AppError('bad_request', `status must be one of active, unsubscribed, bounced, complained, blocked`, { field: 'status' });
  return status;
}

function requireEmail(email: unknown) {
  const n = normalizeEmail(email);
  if (!n) throw new AppError('bad_request', 'email is not a valid address', { field: 'email' });
  return n;
}

export async function getContactRow(db: Database, workspaceId: number, id: number): Promise<ContactRow | undefined> {
  return db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function getContact(db: Database, workspaceId: number, id: number): Promise<Contact> {
  const row = await getContactRow(db, workspaceId, id);
  if (!row) throw notFound('contact');
  return (await hydrateContacts(db, workspaceId, [row]))[0] as Contact;
}

export async function findContactByEmail(db: Database, workspaceId: number, email: string): Promise<Contact | null> {
  const n = normalizeEmail(email);
  if (!n) return null;
  const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('email_lower', '=', n.key).executeTakeFirst();
  return row ? ((await hydrateContacts(db, workspaceId, [row]))[0] as Contact) : null;
}

/**
 * The status an upsert may write. A suppressed address keeps a non-active status (or gets the
 * one its suppression reason implies); an opted-out contact is never re-activated implicitly.
 */
function upsertStatus(existing: ContactStatus | null, requested: ContactStatus | undefined, suppressionReason: string | null, warnings: string[]): ContactStatus {
  if (suppressionReason !== null) {
    const kept = requested && requested !== 'active' ? requested : existing && existing !== 'active' ? existing : statusForSuppression(suppressionReason);
    if (requested === 'active' || existing === 'active' || existing === null) warnings.push(`address is suppressed (${suppressionReason}); status is ${kept}, not active`);
    return kept;
  }
  if (existing === null) return requested ?? 'active';
  if (requested === 'active' && existing !== 'active') {
    warnings.push(`contact is ${existing}; an upsert does not re-activate it (PATCH the status explicitly)`);
    return existing;
  }
  return requested ?? existing;
}

function mergeAttributes(current: Attributes, incoming: Attributes): Attributes {
  const out = { ...current };
  for (const [k, v] of Object.entries(incoming)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Creates the contact, or updates the one with this address (mode "create" refuses with 409). */
export async function upsertContact(ctx: Ctx, workspaceId: number, input: ContactInput, opts: { mode?: 'upsert' | 'create' } = {}): Promise<UpsertResult> {
  const email = requireEmail(input.email);
  const firstName = cleanName('first_name', input.firstName);
  const lastName = cleanName('last_name', input.lastName);
  const externalId = cleanName('external_id', input.externalId);
  const timezone = input.timezone ? normalizeTimezone(input.timezone) : input.timezone;
  const requested = checkStatus(input.status);
  const attributes = await prepareAttributes(ctx, workspaceId, input.attributes ?? {});
  const suppression = await getSuppression(ctx.db, workspaceId, email.key);
  const warnings: string[] = [];
  const now = ctx.clock.now();

  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await ctx.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('email_lower', '=', email.key).executeTakeFirst();
    if (existing) {
      if (opts.mode === 'create') throw new AppError('conflict', 'a contact with this email already exists', { id: Number(existing.id) });
      const status = upsertStatus(existing.status as ContactStatus, requested, suppression?.reason ?? null, warnings);
      await ctx.db.updateTable('contacts').set({
        email: email.email,
        ...(firstName !== undefined ? { first_name: firstName } : {}),
        ...(lastName !== undefined ? { last_name: lastName } : {}),
        ...(externalId !== undefined ? { external_id: externalId } : {}),
        ...(timezone !== undefined ? { timezone } : {}),
        status,
        attributes: toJson(mergeAttributes(fromJson<Attributes>(existing.attributes, {}), attributes)),
        updated_at: now,
      }).where('workspace_id', '=', workspaceId).where('id', '=', existing.id).execute();
      if (input.tags?.length) await tagContact(ctx, workspaceId, Number(existing.id), input.tags);
      return { contact: await getContact(ctx.db, workspaceId, Number(existing.id)), created: false, warnings };
    }
    const status = upsertStatus(null, requested, suppression?.reason ?? null, warnings);
    // A concurrent create of the same address loses on the unique index and retries as an update.
    const inserted = await ctx.db.insertInto('contacts').values({
      workspace_id: workspaceId, email: email.email, email_lower: email.key, first_name: firstName ?? null, last_name: lastName ?? null,
      external_id: externalId ?? null, status, attributes: toJson(mergeAttributes({}, attributes)), timezone: timezone ?? null,
      tracking_consent: 1, created_at: now, updated_at: now,
    }).onConflict((oc) => oc.columns(['workspace_id', 'email_lower']).doNothing()).returning('id').executeTakeFirst();
    if (inserted) {
      if (input.tags?.length) await tagContact(ctx, workspaceId, Number(inserted.id), input.tags);
      return { contact: await getContact(ctx.db, workspaceId, Number(inserted.id)), created: true, warnings };
    }
    warnings.length = 0;
  }
  throw new AppError('conflict', 'the contact changed concurrently; retry');
}

/** Changes fields of one contact. Setting a suppressed address to "active" is refused. */
export async function updateContact(ctx: Ctx, workspaceId: number, id: number, input: ContactInput): Promise<Contact> {
  const row = await getContactRow(ctx.db, workspaceId, id);
  if (!row) throw notFound('contact');
  const email = input.email !== undefined ? requireEmail(input.email) : { email: row.email, key: row.email_lower };
  const status = checkStatus(input.status);
  const suppression = await getSuppression(ctx.db, workspaceId, email.key);
  let nextStatus = status ?? (row.status as ContactStatus);
  if (suppression && nextStatus === 'active') {
    if (status === 'active') throw new AppError('suppressed', `${email.key} is on the suppression list (${suppression.reason}); remove the suppression first`, { reason: suppression.reason });
    nextStatus = statusForSuppression(suppression.reason);
  }
  if (email.key !== row.email_lower) {
    const taken = await ctx.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('email_lower', '=', email.key).executeTakeFirst();
    if (taken) throw new AppError('conflict', 'another contact has this email', { id: Number(taken.id) });
  }
  const firstName = cleanName('first_name', input.firstName);
  const lastName = cleanName('last_name', input.lastName);
  const externalId = cleanName('external_id', input.externalId);
  const timezone = input.timezone ? normalizeTimezone(input.timezone) : input.timezone;
  const attributes = await prepareAttributes(ctx, workspaceId, input.attributes ?? {});
  await ctx.db.updateTable('contacts').set({
    email: email.email, email_lower: email.key, status: nextStatus,
    ...(firstName !== undefined ? { first_name: firstName } : {}),
    ...(lastName !== undefined ? { last_name: lastName } : {}),
    ...(externalId !== undefined ? { external_id: externalId } : {}),
    ...(timezone !== undefined ? { timezone } : {}),
    attributes: toJson(mergeAttributes(fromJson<Attributes>(row.attributes, {}), attributes)),
    updated_at: ctx.clock.now(),
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  if (input.tags?.length) await tagContact(ctx, workspaceId, id, input.tags);
  return getContact(ctx.db, workspaceId, id);
}

/**
 * Deletes a contact with its memberships and tags (audited). The suppression entry, keyed by
 * address, stays: re-creating the contact later finds it suppressed again.
 */
export async function deleteContact(ctx: Ctx, workspaceId: number, id: number, actor: string, ip?: string | null): Promise<void> {
  const row = await getContactRow(ctx.db, workspaceId, id);
  if (!row) throw notFound('contact');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('list_memberships').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
    await trx.deleteFrom('contact_tags').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
    await trx.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  });
  await recordAudit(ctx.db, ctx.clock, { workspaceId, actor, action: 'contacts.delete', targetType: 'contact', targetId: id, details: { email: row.email_lower }, ip: ip ?? null });
}
