// Schemas shared by the audience routes (contacts, lists, tags, suppressions, consent, exports):
// one TypeBox schema per resource shape, with the mapper from domain object to API JSON.
import { Type, type Static } from '@sinclair/typebox';
import type { Contact } from '../../contacts/index.js';
import type { Membership } from '../../lists/index.js';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const isoReq = (ms: number): string => new Date(ms).toISOString();

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

// Unknown rather than a union: with AJV's type coercion a string|number union would turn 42 into
// "42" before the domain sees it, and the first value's JSON type is what fixes an attribute's type.
export const AttributeValue = Type.Unknown({ description: 'string, number, boolean or null' });

export const ContactSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  external_id: Nullable(Type.String()),
  status: Type.String({ enum: ['active', 'unsubscribed', 'bounced', 'complained', 'blocked'] }),
  timezone: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), AttributeValue),
  tags: Type.Array(Type.String()),
  suppressed: Type.Boolean({ description: 'On the workspace suppression list: never mailed, whatever the status.' }),
  suppression_reason: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
}, {
  examples: [{
    id: 42, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', external_id: 'crm-7', status: 'active',
    timezone: 'Europe/London', attributes: { plan: 'pro', seats: 5 }, tags: ['vip'], suppressed: false, suppression_reason: null,
    created_at: '2026-01-01T10:00:00.000Z', updated_at: '2026-01-02T10:00:00.000Z',
  }],
});
export type ContactJson = Static<typeof ContactSchema>;

export function contactJson(c: Contact): ContactJson {
  return {
    id: c.id, email: c.email, first_name: c.firstName, last_name: c.lastName, external_id: c.externalId, status: c.status,
    timezone: c.timezone, attributes: c.attributes, tags: c.tags, suppressed: c.suppressed, suppression_reason: c.suppressionReason,
    created_at: isoReq(c.createdAt), updated_at: isoReq(c.updatedAt),
  };
}

export const MembershipSchema = Type.Object({
  list_id: Type.Integer(),
  contact_id: Type.Integer(),
  status: Type.String({ enum: ['unconfirmed', 'confirmed', 'unsubscribed'] }),
  created_at: Type.String({ format: 'date-time' }),
  confirmed_at: Nullable(Type.String({ format: 'date-time' })),
  unsubscribed_at: Nullable(Type.String({ format: 'date-time' })),
}, { examples: [{ list_id: 3, contact_id: 42, status: 'unconfirmed', created_at: '2026-01-01T10:00:00.000Z', confirmed_at: null, unsubscribed_at: null }] });

export function membershipJson(m: Membership) {
  return { list_id: m.listId, contact_id: m.contactId, status: m.status, created_at: isoReq(m.createdAt), confirmed_at: iso(m.confirmedAt), unsubscribed_at: iso(m.unsubscribedAt) };
}

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 100, description: 'next_cursor from the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};

export const pageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });

export const DeletedSchema = Type.Object({ deleted: Type.Boolean() });
