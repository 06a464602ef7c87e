// Typed custom attributes: the first value seen for a name fixes its type in attribute_definitions;
// later values are coerced to that type or rejected with a message naming the attribute and type.
import type { Database } from '../db/index.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export type AttributeValue = string | number | boolean | null;
export type Attributes = Record<string, AttributeValue>;

/** Built-in contact columns: an attribute may not shadow them (exports and templates use both). */
const RESERVED = new Set(['id', 'email', 'email_lower', 'first_name', 'last_name', 'external_id', 'status', 'timezone',
  'attributes', 'tags', 'created_at', 'updated_at', 'suppressed', 'workspace_id']);
// Names become JSON paths and CSV headers: keep them to a safe identifier alphabet.
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAX_STRING = 10_000;

export function validateAttributeName(name: string): void {
  if (!NAME_RE.test(name)) throw new AppError('bad_request', `attribute name "${name.slice(0, 80)}" must be 1-64 letters, digits or _ and not start with a digit`);
  if (RESERVED.has(name.toLowerCase())) throw new AppError('bad_request', `"${name}" is a built-in contact field, not an attribute`);
}

/** The type a first value fixes: JSON numbers and booleans keep theirs; ISO-8601 strings are dates. */
export function inferAttributeType(value: Exclude<AttributeValue, null>): AttributeType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return ISO_DATE_RE.test(value) && !Number.isNaN(Date.parse(value)) ? 'date' : 'string';
}

function reject(name: string, type: AttributeType, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : String(value);
  throw new AppError('bad_request', `attribute "${name}" is a ${type}; ${shown} cannot be converted to a ${type}`, { attribute: name, type });
}

/** Converts a value to the attribute's type, or throws a bad_request naming the attribute. */
export function coerceAttribute(name: string, type: AttributeType, value: unknown): AttributeValue {
  if (value === null) return null;
  if (typeof value === 'object' || typeof value === 'undefined' || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new AppError('bad_request', `attribute "${name}" must be a string, number, boolean or null`, { attribute: name });
  }
  switch (type) {
    case 'string': {
      const s = String(value);
      if (s.length > MAX_STRING) throw new AppError('bad_request', `attribute "${name}" is longer than ${MAX_STRING} characters`, { attribute: name });
      if (!s.isWellFormed()) reject(name, type, value);
      return s;
    }
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : reject(name, type, value);
      if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return Number(value.trim());
      return reject(name, type, value);
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const s = String(value).trim().toLowerCase();
      if (['true', '1', 'yes', 'y'].includes(s)) return true;
      if (['false', '0', 'no', 'n'].includes(s)) return false;
      return reject(name, type, value);
    }
    case 'date': {
      if (typeof value !== 'string' || !ISO_DATE_RE.test(value.trim())) return reject(name, type, value);
      const s = value.trim();
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) return reject(name, type, value);
      // Date-only values stay dates (no timezone shift); date-times are stored in UTC ISO form.
      return s.length === 10 ? s : new Date(ms).toISOString();
    }
  }
}

export type AttributeDefinitions = Map<string, AttributeType>;

export async function loadAttributeDefinitions(db: Database, workspaceId: number): Promise<AttributeDefinitions> {
  const rows = await db.selectFrom('attribute_definitions').select(['name', 'type']).where('workspace_id', '=', workspaceId).orderBy('name').execute();
  return new Map(rows.map((r) => [r.name, r.type as AttributeType]));
}

/**
 * Validates and coerces incoming attributes against the workspace's definitions, defining the
 * type of any new name from its first non-null value. Concurrent first values race on the
 * primary key: the loser re-reads the winner's type and coerces to it.
 */
export async function prepareAttributes(ctx: { db: Database; clock: Clock }, workspaceId: number, input: Record<string, unknown>): Promise<Attributes> {
  const entries = Object.entries(input);
  if (entries.length === 0) return {};
  if (entries.length > 200) throw new AppError('bad_request', 'at most 200 attributes per contact');
  const defs = await loadAttributeDefinitions(ctx.db, workspaceId);
  const out: Attributes = {};
  for (const [name, value] of entries) {
    validateAttributeName(name);
    let type = defs.get(name);
    if (!type && value !== null && value !== undefined) {
      if (typeof value === 'object') coerceAttribute(name, 'string', value); // throws the shape error
      type = await defineAttribute(ctx, workspaceId, name, inferAttributeType(value as string | number | boolean));
      defs.set(name, type);
    }
    out[name] = type ? coerceAttribute(name, type, value ?? null) : null;
  }
  return out;
}

/** Defines an attribute type if it is new; returns the type that holds (the first writer's). */
export async function defineAttribute(ctx: { db: Database; clock: Clock }, workspaceId: number, name: string, type: AttributeType): Promise<AttributeType> {
  validateAttributeName(name);
  await ctx.db.insertInto('attribute_definitions')
    .values({ workspace_id: workspaceId, name, type, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
    .execute();
  const row = await ctx.db.selectFrom('attribute_definitions').select('type').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirstOrThrow();
  return row.type as AttributeType;
}
