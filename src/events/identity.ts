// Resolves the people named in an ingestion batch to contact ids with a few set queries, and
// upserts contacts for identify calls. It never changes a contact's status: a suppressed or
// unsubscribed address stays so, and a new contact for a suppressed address starts suppressed.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';
import { fromJson, toJson } from '../db/dialect.js';
import type { BatchItem, IdentifyItem, Identity } from './validate.js';
import { ItemError } from './validate.js';

type Trx = Transaction<DB> | Kysely<DB>;

/** Contact status for a new contact whose address is already on the suppression list. */
const STATUS_FOR_SUPPRESSION: Record<string, string> = {
  hard_bounce: 'bounced', complaint: 'complained', unsubscribe: 'unsubscribed',
};

const COLUMN_ATTRIBUTES = new Set(['first_name', 'last_name', 'timezone']);
const CHUNK = 500;

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export class IdentityResolver {
  private byEmail = new Map<string, number>();
  private byExternal = new Map<string, number>();
  private knownIds = new Set<number>();
  private byAnonymous = new Map<string, number>();

  constructor(private trx: Trx, private workspaceId: number, private now: number) {}

  /** Loads every identity the batch mentions with one query per kind (chunked). */
  async preload(items: BatchItem[]): Promise<void> {
    const emails = new Set<string>(), externals = new Set<string>(), ids = new Set<number>(), anons = new Set<string>();
    for (const it of items) {
      if (it.email) emails.add(it.email.key);
      if (it.externalId) externals.add(it.externalId);
      if (it.contactId) ids.add(it.contactId);
      if (it.anonymousId) anons.add(it.anonymousId);
    }
    const ws = this.workspaceId;
    for (const c of chunks([...emails])) {
      const rows = await this.trx.selectFrom('contacts').select(['id', 'email_lower']).where('workspace_id', '=', ws).where('email_lower', 'in', c).execute();
      for (const r of rows) this.byEmail.set(r.email_lower, r.id);
    }
    for (const c of chunks([...externals])) {
      const rows = await this.trx.selectFrom('contacts').select(['id', 'external_id']).where('workspace_id', '=', ws).where('external_id', 'in', c).orderBy('id').execute();
      for (const r of rows) if (r.external_id !== null && !this.byExternal.has(r.external_id)) this.byExternal.set(r.external_id, r.id);
    }
    for (const c of chunks([...ids])) {
      const rows = await this.trx.selectFrom('contacts').select('id').where('workspace_id', '=', ws).where('id', 'in', c).execute();
      for (const r of rows) this.knownIds.add(r.id);
    }
    for (const c of chunks([...anons])) {
      const rows = await this.trx.selectFrom('anonymous_ids').select(['anonymous_id', 'contact_id']).where('workspace_id', '=', ws).where('anonymous_id', 'in', c).execute();
      for (const r of rows) this.byAnonymous.set(r.anonymous_id, r.contact_id);
    }
  }

  /** The contact an identity names, without creating one; undefined when unknown. */
  lookup(id: Identity): number | undefined {
    if (id.contactId !== undefined) return this.knownIds.has(id.contactId) ? id.contactId : undefined;
    if (id.externalId !== undefined) {
      const c = this.byExternal.get(id.externalId);
      if (c !== undefined) return c;
    }
    if (id.email) return this.byEmail.get(id.email.key);
    return undefined;
  }

  /** For track: the known contact, a new contact for an unknown email, or null for an anonymous id alone. */
  async resolveForTrack(id: Identity): Promise<number | null> {
    const found = this.lookup(id);
    if (found !== undefined) return found;
    if (id.contactId !== undefined || (id.externalId !== undefined && !id.email)) {
      throw new ItemError('unknown_contact', 'no contact with that contact_id or external_id in this workspace');
    }
    if (id.email) return this.createContact(id, {});
    return id.anonymousId !== undefined ? (this.byAnonymous.get(id.anonymousId) ?? null) : null;
  }

  /** identify: upsert the contact, merge attributes, map the anonymous id. Returns the contact id. */
  async identify(item: IdentifyItem): Promise<number> {
    let contactId = this.lookup(item);
    if (contactId === undefined) {
      if (!item.email) throw new ItemError('unknown_contact', 'no contact with that contact_id or external_id; send an email to create one');
      contactId = await this.createContact(item, item.attributes);
    } else {
      await this.updateContact(contactId, item);
    }
    if (item.anonymousId !== undefined) await this.mapAnonymous(item.anonymousId, contactId);
    return contactId;
  }

  private async createContact(id: Identity, attributes: IdentifyItem['attributes']): Promise<number> {
    const email = id.email;
    if (!email) throw new ItemError('invalid', 'an email is required to create a contact');
    const suppression = await this.trx.selectFrom('suppressions').select('reason')
      .where('workspace_id', '=', this.workspaceId).where('email', '=', email.key).executeTakeFirst();
    const status = suppression ? (STATUS_FOR_SUPPRESSION[suppression.reason] ?? 'blocked') : 'active';
    const { columns, json } = splitAttributes(attributes);
    await this.trx.insertInto('contacts').values({
      workspace_id: this.workspaceId, email: email.email, email_lower: email.key,
      first_name: columns.first_name ?? null, last_name: columns.last_name ?? null, timezone: columns.timezone ?? null,
      external_id: id.externalId ?? null, status, attributes: toJson(json), tracking_consent: 1,
      created_at: this.now, updated_at: this.now,
    }).onConflict((oc) => oc.columns(['workspace_id', 'email_lower']).doNothing()).execute();
    const row = await this.trx.selectFrom('contacts').select('id').where('workspace_id', '=', this.workspaceId)
      .where('email_lower', '=', email.key).executeTakeFirstOrThrow();
    this.byEmail.set(email.key, row.id);
    if (id.externalId !== undefined && !this.byExternal.has(id.externalId)) this.byExternal.set(id.externalId, row.id);
    return row.id;
  }

  private async updateContact(contactId: number, item: IdentifyItem): Promise<void> {
    const row = await this.trx.selectFrom('contacts').select(['attributes', 'external_id']).where('id', '=', contactId)
      .where('workspace_id', '=', this.workspaceId).executeTakeFirstOrThrow();
    const { columns, json } = splitAttributes(item.attributes);
    const merged: Record<string, unknown> = { ...fromJson<Record<string, unknown>>(row.attributes, {}) };
    for (const [k, v] of Object.entries(json)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    await this.trx.updateTable('contacts').set({
      attributes: toJson(merged), updated_at: this.now,
      ...columns,
      // external_id is set once; an identify never steals another contact's id by overwriting it.
      ...(row.external_id === null && item.externalId !== undefined ? { external_id: item.externalId } : {}),
    }).where('id', '=', contactId).where('workspace_id', '=', this.workspaceId).execute();
  }

  private async mapAnonymous(anonymousId: string, contactId: number): Promise<void> {
    await this.trx.insertInto('anonymous_ids').values({
      workspace_id: this.workspaceId, anonymous_id: anonymousId, contact_id: contactId, created_at: this.now, updated_at: this.now,
    }).onConflict((oc) => oc.columns(['workspace_id', 'anonymous_id']).doUpdateSet({ contact_id: contactId, updated_at: this.now })).execute();
    this.byAnonymous.set(anonymousId, contactId);
  }
}

function splitAttributes(attrs: IdentifyItem['attributes']): { columns: { first_name?: string | null; last_name?: string | null; timezone?: string | null }; json: IdentifyItem['attributes'] } {
  const columns: Record<string, string | null> = {};
  const json: IdentifyItem['attributes'] = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (COLUMN_ATTRIBUTES.has(k)) columns[k] = v === null ? null : String(v).slice(0, k === 'timezone' ? 64 : 200);
    else json[k] = v;
  }
  return { columns, json };
}
