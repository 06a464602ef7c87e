// Per-item validation of an ingestion batch: one bad item is rejected by index while the others are
// stored, so this runs in code (not in the route schema, which would fail the whole request).
import { normalizeEmail } from '../contacts/email.js';

/** Delivery-engine event names: written only by delivery/tracking/feedback, never through the API. */
export const RESERVED_EVENT_NAMES = new Set(['sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed']);

export const LIMITS = {
  batchItems: 1000,
  nameLength: 100,
  idLength: 200,
  propertiesBytes: 16_384,
  attributeKeys: 100,
  attributeValueLength: 1000,
  futureSkewMs: 24 * 3600_000,
} as const;

export const ATTRIBUTE_KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9_ .:-]{0,99}$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface Identity {
  email?: { email: string; key: string };
  externalId?: string;
  contactId?: number;
  anonymousId?: string;
}

export interface TrackItem extends Identity {
  type: 'track';
  index: number;
  event: string;
  properties: Record<string, unknown>;
  occurredAt: number;
  idempotencyKey: string | null;
}

export interface IdentifyItem extends Identity {
  type: 'identify';
  index: number;
  attributes: Record<string, string | number | boolean | null>;
}

export type BatchItem = TrackItem | IdentifyItem;

export interface ItemRejection {
  index: number;
  code: 'invalid' | 'unknown_contact' | 'reserved_event' | 'suppressed';
  message: string;
}

class ItemError extends Error {
  constructor(readonly code: ItemRejection['code'], message: string) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalString(raw: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max || badText(v)) {
    throw new ItemError('invalid', `${key} must be a non-empty string of at most ${max} characters`);
  }
  return v;
}

function parseIdentity(raw: Record<string, unknown>): Identity {
  const id: Identity = {};
  if (raw.email !== undefined && raw.email !== null) {
    const n = normalizeEmail(raw.email);
    if (!n) throw new ItemError('invalid', 'email is not a valid address');
    id.email = n;
  }
  id.externalId = optionalString(raw, 'external_id', LIMITS.idLength);
  id.anonymousId = optionalString(raw, 'anonymous_id', LIMITS.idLength);
  if (raw.contact_id !== undefined && raw.contact_id !== null) {
    if (!Number.isSafeInteger(raw.contact_id) || (raw.contact_id as number) <= 0) throw new ItemError('invalid', 'contact_id must be a positive integer');
    id.contactId = raw.contact_id as number;
  }
  return id;
}

function parseTimestamp(v: unknown, now: number): number {
  if (v === undefined || v === null) return now;
  if (typeof v !== 'string' || !ISO_RE.test(v)) throw new ItemError('invalid', 'timestamp must be an ISO 8601 date-time');
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new ItemError('invalid', 'timestamp is not a real date');
  if (t > now + LIMITS.futureSkewMs) throw new ItemError('invalid', 'timestamp is more than 24 hours in the future');
  return t;
}

function parseAttributes(v: unknown): IdentifyItem['attributes'] {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new ItemError('invalid', 'attributes must be an object');
  const keys = Object.keys(v);
  if (keys.length > LIMITS.attributeKeys) throw new ItemError('invalid', `at most ${LIMITS.attributeKeys} attributes`);
  const out: IdentifyItem['attributes'] = {};
  for (const k of keys) {
    if (!ATTRIBUTE_KEY_RE.test(k)) throw new ItemError('invalid', `attribute name "${k.slice(0, 50)}" is not allowed (letters, digits, _ . : - and spaces)`);
    const val = v[k];
    if (typeof val === 'string') {
      if (val.length > LIMITS.attributeValueLength || badText(val)) throw new ItemError('invalid', `attribute ${k} is too long or not valid text`);
    } else if (typeof val === 'number') {
      if (!Number.isFinite(val)) throw new ItemError('invalid', `attribute ${k} must be a finite number`);
    } else if (typeof val !== 'boolean' && val !== null) {
      throw new ItemError('invalid', `attribute ${k} must be a string, number, boolean or null`);
    }
    out[k] = val as string | number | boolean | null;
  }
  return out;
}

const badText = (s: string): boolean => !s.isWellFormed() || s.includes('\u0000');

/** Iterative walk (no recursion on hostile nesting): depth, text validity, then size. */
function parseProperties(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new ItemError('invalid', 'properties must be an object');
  const stack: Array<{ x: unknown; depth: number }> = [{ x: v, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { x, depth } = stack.pop()!;
    if (++visited > 2000) throw new ItemError('invalid', `properties exceed ${LIMITS.propertiesBytes} bytes`);
    if (typeof x === 'string' && badText(x)) throw new ItemError('invalid', 'properties contain invalid text (NUL or lone surrogates)');
    if (typeof x !== 'object' || x === null) continue;
    if (depth >= 8) throw new ItemError('invalid', 'properties are nested deeper than 8 levels');
    for (const [k, child] of Object.entries(x)) {
      if (badText(k)) throw new ItemError('invalid', 'properties contain invalid text (NUL or lone surrogates)');
      stack.push({ x: child, depth: depth + 1 });
    }
  }
  if (JSON.stringify(v).length > LIMITS.propertiesBytes) throw new ItemError('invalid', `properties exceed ${LIMITS.propertiesBytes} bytes`);
  return v;
}

function parseItem(raw: unknown, index: number, now: number): BatchItem {
  if (!isObject(raw)) throw new ItemError('invalid', 'item must be an object');
  const identity = parseIdentity(raw);
  if (raw.type === 'track') {
    if (!identity.email && !identity.externalId && !identity.contactId && !identity.anonymousId) {
      throw new ItemError('invalid', 'track needs one of email, external_id, contact_id, anonymous_id');
    }
    const event = optionalString(raw, 'event', LIMITS.nameLength);
    if (!event) throw new ItemError('invalid', 'event is required');
    if (RESERVED_EVENT_NAMES.has(event)) throw new ItemError('reserved_event', `"${event}" is recorded by the delivery engine and cannot be tracked through the API`);
    return {
      type: 'track', index, ...identity, event,
      properties: parseProperties(raw.properties),
      occurredAt: parseTimestamp(raw.timestamp, now),
      idempotencyKey: optionalString(raw, 'idempotency_key', LIMITS.idLength) ?? null,
    };
  }
  if (raw.type === 'identify') {
    if (!identity.email && !identity.externalId && !identity.contactId) {
      throw new ItemError('invalid', 'identify needs one of email, external_id, contact_id');
    }
    return { type: 'identify', index, ...identity, attributes: parseAttributes(raw.attributes) };
  }
  throw new ItemError('invalid', 'type must be "track" or "identify"');
}

/** Splits a raw batch into valid items and rejections (by index). */
export function parseBatch(raw: unknown[], now: number): { items: BatchItem[]; rejected: ItemRejection[] } {
  const items: BatchItem[] = [];
  const rejected: ItemRejection[] = [];
  raw.forEach((r, index) => {
    try {
      items.push(parseItem(r, index, now));
    } catch (err) {
      if (err instanceof ItemError) rejected.push({ index, code: err.code, message: err.message });
      else throw err;
    }
  });
  return { items, rejected };
}

export { ItemError };
