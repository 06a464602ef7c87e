// Header mapping: which column (CSV) or key (NDJSON) feeds which contact field; every other
// column becomes a custom attribute. Auto-detection matches aliases ignoring case, spaces and
// punctuation ("E-mail", "Email Address"); an explicit mapping overrides it per header.
import { AppError } from '../errors.js';

export const CONTACT_FIELDS = ['email', 'first_name', 'last_name', 'external_id', 'timezone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export type Target = { kind: 'field'; field: ContactField } | { kind: 'attribute'; name: string } | { kind: 'ignore' };

/** Explicit mapping as given by the caller: header → "email" | "first_name" | … | "ignore" | "attribute:NAME". */
export type ExplicitMapping = Record<string, string>;

const ALIASES: Record<string, ContactField> = {};
const addAliases = (field: ContactField, names: string[]) => { for (const n of names) ALIASES[squash(n)] = field; };
addAliases('email', ['email', 'e-mail', 'email address', 'e-mail address', 'mail', 'email_address', 'emails', 'courriel', 'e-mail-adresse', 'correo', 'correo electronico']);
addAliases('first_name', ['first name', 'firstname', 'first', 'given name', 'givenname', 'forename', 'prenom', 'prénom', 'vorname', 'nombre']);
addAliases('last_name', ['last name', 'lastname', 'last', 'surname', 'family name', 'familyname', 'nom', 'nachname', 'apellido']);
addAliases('external_id', ['external id', 'externalid', 'external_id', 'ext id', 'customer id', 'user id', 'uid']);
addAliases('timezone', ['timezone', 'time zone', 'tz']);

/** "E-Mail Address " → "emailaddress": case, spaces and punctuation do not matter for aliases. */
function squash(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The attribute key a header becomes: lower snake_case, at most 100 characters. */
export function attributeKey(header: string): string {
  return header.normalize('NFKC').trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '').slice(0, 100);
}

function parseExplicitTarget(header: string, target: string): Target {
  const t = target.trim();
  if ((CONTACT_FIELDS as readonly string[]).includes(t)) return { kind: 'field', field: t as ContactField };
  if (t === 'ignore' || t === '') return { kind: 'ignore' };
  const m = /^(?:attribute[:.]|attributes\.)(.+)$/.exec(t);
  const name = m ? attributeKey(m[1] as string) : '';
  if (!name) {
    throw new AppError('bad_request', `mapping for "${header}" must be one of ${CONTACT_FIELDS.join(', ')}, ignore or attribute:NAME (got "${target}")`, { header, target });
  }
  return { kind: 'attribute', name };
}

export interface ColumnMapping {
  header: string;
  target: Target;
  /** The attribute name JSON-encoded once (the import writes attribute JSON by concatenation). */
  jsonKey: string;
}

export interface CompiledMapping {
  columns: ColumnMapping[];
  /** Index of the email column (CSV). */
  emailIndex: number;
  warnings: string[];
}

/** Maps a CSV header row; throws 422 with the headers found when no column holds the email. */
export function compileHeaderMapping(headers: string[], explicit: ExplicitMapping = {}): CompiledMapping {
  const explicitSquashed = new Map<string, string>();
  for (const [h, t] of Object.entries(explicit)) explicitSquashed.set(squash(h), t);
  const seenField = new Set<ContactField>();
  const seenAttr = new Set<string>();
  const warnings: string[] = [];
  const columns: ColumnMapping[] = headers.map((raw, i) => {
    const header = raw.trim();
    const given = explicit[header] ?? explicitSquashed.get(squash(header));
    let target: Target;
    if (given !== undefined) target = parseExplicitTarget(header, given);
    else {
      const alias = ALIASES[squash(header)];
      target = alias ? { kind: 'field', field: alias } : { kind: 'attribute', name: attributeKey(header) || `column_${i + 1}` };
    }
    if (target.kind === 'field') {
      if (seenField.has(target.field)) {
        warnings.push(`column "${header}" ignored: ${target.field} already comes from an earlier column`);
        target = { kind: 'ignore' };
      } else seenField.add(target.field);
    } else if (target.kind === 'attribute') {
      let name = target.name;
      for (let k = 2; seenAttr.has(name) || (CONTACT_FIELDS as readonly string[]).includes(name); k++) name = `${target.name}_${k}`;
      seenAttr.add(name);
      target = { kind: 'attribute', name };
    }
    return { header, target, jsonKey: target.kind === 'attribute' ? JSON.stringify(target.name) : '' };
  });
  for (const h of Object.keys(explicit)) {
    if (!headers.some((x) => squash(x) === squash(h))) warnings.push(`mapping names a column "${h}" that the file does not have`);
  }
  const emailIndex = columns.findIndex((c) => c.target.kind === 'field' && c.target.field === 'email');
  if (emailIndex < 0) {
    throw new AppError('unprocessable', `no email column: found ${headers.length ? headers.map((h) => JSON.stringify(h.trim())).join(', ') : 'no headers'}; name one "email" or pass a mapping`, {
      reason: 'no_email_column', headers: headers.map((h) => h.trim()),
    });
  }
  return { columns, emailIndex, warnings };
}

/** Maps NDJSON keys one at a time (keys vary per line), caching each decision. */
export class KeyMapper {
  private cache = new Map<string, Target>();
  private readonly explicitSquashed = new Map<string, string>();

  constructor(private readonly explicit: ExplicitMapping = {}) {
    for (const [h, t] of Object.entries(explicit)) this.explicitSquashed.set(squash(h), t);
  }

  target(key: string): Target {
    let t = this.cache.get(key);
    if (t) return t;
    const given = this.explicit[key] ?? this.explicitSquashed.get(squash(key));
    if (given !== undefined) t = parseExplicitTarget(key, given);
    else {
      const alias = ALIASES[squash(key)];
      t = alias ? { kind: 'field', field: alias } : { kind: 'attribute', name: attributeKey(key) };
      if (t.kind === 'attribute' && !t.name) t = { kind: 'ignore' };
    }
    if (this.cache.size < 10_000) this.cache.set(key, t);
    return t;
  }
}

/** Validates an explicit mapping up front (a typo is a 400, not a silently ignored column). */
export function checkExplicitMapping(explicit: ExplicitMapping): void {
  for (const [h, t] of Object.entries(explicit)) {
    if (typeof t !== 'string') throw new AppError('bad_request', `mapping for "${h}" must be a string`);
    parseExplicitTarget(h, t);
  }
}
