// Per-row validation: a parsed record becomes an ImportRow (normalised email, names, typed
// attributes) or a Rejection with its line and a stable reason code.
import { normalizeEmail } from '../contacts/email.js';
import { verifyForImport } from '../verify/index.js';
import { attributeKey, type CompiledMapping, type ContactField, type KeyMapper } from './mapping.js';

export const REJECT_REASONS = {
  missing_email: 'the email cell is empty',
  invalid_email: 'the email is not a valid address',
  too_many_fields: 'the row has more fields than the header',
  field_too_long: 'a value exceeds its maximum length',
  invalid_timezone: 'the timezone is not an IANA name (e.g. Europe/Berlin)',
  invalid_attribute: 'an attribute value does not match its defined type',
  invalid_json: 'the line is not a JSON object',
  nul_character: 'a value contains a NUL character (binary data)',
  row_too_large: 'the row exceeds the maximum row size',
  unterminated_quote: 'a quoted field is never closed before the end of the file',
  duplicate: 'the address appears on an earlier line of this file (the first occurrence wins)',
  suppressed: 'the address is on the suppression list (never re-activated by an import)',
  not_found: 'update mode: no contact with this address exists',
  undeliverable_email: 'verification (verify=reject): the address cannot receive mail',
  risky_email: 'verification (verify=reject): the address is disposable, a role account, a likely typo or otherwise risky',
} as const;
export type RejectReason = keyof typeof REJECT_REASONS;
/** Reasons that count as skipped (a valid row not written) rather than invalid. */
export const SKIP_REASONS: ReadonlySet<RejectReason> = new Set(['duplicate', 'suppressed', 'not_found']);

export interface Rejection {
  line: number;
  reason: RejectReason;
  detail: string | null;
  email: string | null;
}

export interface ImportRow {
  line: number;
  email: string;
  key: string;
  firstName: string | null;
  lastName: string | null;
  externalId: string | null;
  timezone: string | null;
  /** Non-empty attributes only: an empty cell never blanks a stored value in update mode. */
  attrJson: string;
}

const MAX_LEN: Record<Exclude<ContactField, 'email'>, number> = { first_name: 200, last_name: 200, external_id: 200, timezone: 64 };
const MAX_ATTRIBUTE_CHARS = 10_000;

export type AttributeType = 'string' | 'number' | 'boolean' | 'date';

/**
 * Verification at import (offline: syntax, disposable, role, typo): reject rows whose verdict is
 * not deliverable, flag them (attribute email_verdict = risky|undeliverable), or accept as is.
 */
export const IMPORT_VERIFY_MODES = ['reject', 'flag', 'accept'] as const;
export type ImportVerifyMode = (typeof IMPORT_VERIFY_MODES)[number];
export const VERDICT_ATTRIBUTE = 'email_verdict';

class AttrError {
  constructor(readonly reason: 'field_too_long' | 'invalid_attribute', readonly detail: string) {}
}

export const isRejection = (r: ImportRow | Rejection): r is Rejection => (r as Rejection).reason !== undefined;

export class RowBuilder {
  private readonly zones = new Map<string, boolean>();
  private readonly json: string[] = [];

  constructor(private readonly attributeTypes: ReadonlyMap<string, AttributeType>, private readonly verify: ImportVerifyMode = 'accept') {}

  fromCsv(fields: string[], line: number, mapping: CompiledMapping): ImportRow | Rejection {
    const cols = mapping.columns;
    const rawEmail = (fields[mapping.emailIndex] ?? '').trim();
    if (fields.length > cols.length) {
      // A trailing empty field (a line ending with the delimiter) is tolerated.
      if (fields.slice(cols.length).some((f) => f.trim() !== '')) return reject(line, 'too_many_fields', `${fields.length} fields, the header has ${cols.length}`, rawEmail);
    }
    const row = newRow(line);
    // The attribute object is written as JSON text directly (no per-row object): keys are
    // pre-encoded per column, values JSON-encoded one by one, joined once into a flat string (a
    // `+=` chain leaves a tree of ~15 string pieces per row alive until the batch is sent, which
    // the parser thread's GC then copies at every scavenge).
    const json = this.json;
    json.length = 0;
    for (let i = 0; i < cols.length; i++) {
      const col = cols[i] as CompiledMapping['columns'][number];
      const t = col.target;
      if (t.kind === 'ignore') continue;
      const v = (fields[i] ?? '').trim();
      if (v.includes('\u0000')) return reject(line, 'nul_character', null, null);
      if (t.kind === 'field') {
        const err = this.setField(row, t.field, v);
        if (err) return reject(line, err.reason, err.detail, rawEmail);
      } else if (v !== '') {
        const r = this.attribute(t.name, v);
        if (r instanceof AttrError) return reject(line, r.reason, r.detail, rawEmail);
        json.push(json.length ? ',' : '{', col.jsonKey, ':', JSON.stringify(r));
      }
    }
    const done = this.finish(row, null, 0, rawEmail);
    if (!isRejection(done) && json.length) {
      json.push('}');
      done.attrJson = json.join('');
    }
    return this.verified(done, rawEmail);
  }

  fromJson(text: string, line: number, mapper: KeyMapper): ImportRow | Rejection {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      return reject(line, 'invalid_json', (err as Error).message.slice(0, 200), null);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return reject(line, 'invalid_json', 'each line must be a JSON object', null);
    const row = newRow(line);
    const attrs: Record<string, unknown> = {};
    let nAttrs = 0;
    let rawEmail = '';
    const entries = Object.entries(obj as Record<string, unknown>);
    // An "attributes" object holds attributes by name, next to top-level keys.
    const nested = (obj as Record<string, unknown>).attributes;
    const hasNested = !!nested && typeof nested === 'object' && !Array.isArray(nested);
    if (hasNested) for (const [k, v] of Object.entries(nested as Record<string, unknown>)) entries.push([`attribute:${k}`, v]);
    for (const [key, value] of entries) {
      if (key === 'attributes' && hasNested) continue;
      const t = key.startsWith('attribute:') ? { kind: 'attribute' as const, name: attributeKey(key.slice(10)) } : mapper.target(key);
      if (t.kind === 'ignore' || value === null || value === undefined) continue;
      if (typeof value === 'object') return reject(line, 'invalid_attribute', `"${key}" holds a nested object or array`, rawEmail || null);
      const v = typeof value === 'string' ? value.trim() : value;
      if (typeof v === 'string' && v.includes('\u0000')) return reject(line, 'nul_character', null, null);
      if (t.kind === 'field') {
        const err = this.setField(row, t.field, String(v));
        if (t.field === 'email') rawEmail = String(v);
        if (err) return reject(line, err.reason, err.detail, rawEmail || null);
      } else if (v !== '') {
        const r = typeof v === 'string' ? this.attribute(t.name, v) : this.typedAttribute(t.name, v as number | boolean);
        if (r instanceof AttrError) return reject(line, r.reason, r.detail, rawEmail || null);
        attrs[t.name] = r;
        nAttrs++;
      }
    }
    return this.verified(this.finish(row, attrs, nAttrs, rawEmail), rawEmail);
  }

  /** Applies the import's verification mode to a row that passed validation. */
  private verified(row: ImportRow | Rejection, rawEmail: string): ImportRow | Rejection {
    if (this.verify === 'accept' || isRejection(row)) return row;
    const v = verifyForImport(rawEmail, 'deliverable');
    if (v.verdict === 'deliverable') return row;
    if (this.verify === 'reject') {
      return reject(row.line, v.verdict === 'undeliverable' ? 'undeliverable_email' : 'risky_email', [v.diagnosis, ...v.reasons].join(' '), rawEmail);
    }
    const flag = `${JSON.stringify(VERDICT_ATTRIBUTE)}:${JSON.stringify(v.verdict)}`;
    row.attrJson = row.attrJson === '{}' ? `{${flag}}` : `${row.attrJson.slice(0, -1)},${flag}}`;
    return row;
  }

  private finish(row: ImportRow, attrs: Record<string, unknown> | null, nAttrs: number, rawEmail: string): ImportRow | Rejection {
    if (!rawEmail) return reject(row.line, 'missing_email', null, null);
    const norm = normalizeEmail(rawEmail);
    if (!norm) return reject(row.line, 'invalid_email', null, rawEmail);
    row.email = norm.email;
    row.key = norm.key;
    row.attrJson = nAttrs ? JSON.stringify(attrs) : '{}';
    return row;
  }

  private setField(row: ImportRow, field: ContactField, v: string): { reason: 'field_too_long' | 'invalid_timezone'; detail: string } | null {
    if (field === 'email') return null; // read from rawEmail by the caller
    if (v === '') return null;
    if (v.length > MAX_LEN[field]) return { reason: 'field_too_long', detail: `${field} is longer than ${MAX_LEN[field]} characters` };
    if (field === 'first_name') row.firstName = v;
    else if (field === 'last_name') row.lastName = v;
    else if (field === 'external_id') row.externalId = v;
    else {
      if (!this.validZone(v)) return { reason: 'invalid_timezone', detail: v.slice(0, 64) };
      row.timezone = v;
    }
    return null;
  }

  private validZone(tz: string): boolean {
    let ok = this.zones.get(tz);
    if (ok === undefined) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        ok = true;
      } catch {
        ok = false;
      }
      if (this.zones.size < 5000) this.zones.set(tz, ok);
    }
    return ok;
  }

  /** A text cell converted to the attribute's defined type (strings when undefined). */
  private attribute(name: string, v: string): unknown {
    if (v.length > MAX_ATTRIBUTE_CHARS) return new AttrError('field_too_long', `${name} is longer than ${MAX_ATTRIBUTE_CHARS} characters`);
    const type = this.attributeTypes.get(name);
    if (!type || type === 'string') return v;
    if (type === 'number') {
      const n = Number(v.replace(/_/g, ''));
      return Number.isFinite(n) ? n : new AttrError('invalid_attribute', `${name} must be a number`);
    }
    if (type === 'boolean') {
      if (/^(true|yes|y|1)$/i.test(v)) return true;
      if (/^(false|no|n|0)$/i.test(v)) return false;
      return new AttrError('invalid_attribute', `${name} must be true or false`);
    }
    const t = Date.parse(v);
    return Number.isFinite(t) ? new Date(t).toISOString() : new AttrError('invalid_attribute', `${name} must be a date`);
  }

  private typedAttribute(name: string, v: number | boolean): unknown {
    const type = this.attributeTypes.get(name);
    if (!type || type === typeof v) return v;
    return this.attribute(name, String(v));
  }
}

function newRow(line: number): ImportRow {
  return { line, email: '', key: '', firstName: null, lastName: null, externalId: null, timezone: null, attrJson: '{}' };
}

function reject(line: number, reason: RejectReason, detail: string | null, email: string | null): Rejection {
  return { line, reason, detail, email: email ? email.slice(0, 320) : null };
}
