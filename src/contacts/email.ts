// Email address normalisation for storage and matching. Stored form: trimmed, domain lower-cased
// and converted to its ASCII (punycode) form; the local part keeps its case (RFC 5321 §2.4) but
// uniqueness and suppression use the fully lower-cased key, as every real mailbox provider does.
import { domainToASCII } from 'node:url';

export interface NormalizedEmail {
  /** For display and sending: local part as given, ASCII domain in lower case. */
  email: string;
  /** For uniqueness, lookups and suppression. */
  key: string;
}

// A pragmatic shape check for storage; full RFC diagnosis lives in verify/. Rejects whitespace,
// control characters, missing parts and over-long addresses.
const LOCAL_RE = /^[^\s@"(),:;<>[\\\]\u0000-\u001f\u007f]{1,64}$/u;

export function normalizeEmail(input: unknown): NormalizedEmail | null {
  if (typeof input !== 'string') return null;
  const trimmed = input.trim();
  // Lone UTF-16 surrogates cannot be encoded in a header or a database row: not an address.
  if (trimmed.length === 0 || trimmed.length > 254 || !trimmed.isWellFormed()) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const local = trimmed.slice(0, at);
  const rawDomain = trimmed.slice(at + 1);
  if (!LOCAL_RE.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  const domain = asciiDomain(rawDomain);
  if (domain === null) return null;
  const email = `${local}@${domain}`;
  if (email.length > 254) return null;
  return { email, key: email.toLowerCase() };
}

// Domains repeat heavily in real lists (imports normalise millions of addresses): the checked
// ASCII form of each recent domain is cached; the cache is bounded and simply reset when full.
const domainCache = new Map<string, string | null>();

function asciiDomain(rawDomain: string): string | null {
  const hit = domainCache.get(rawDomain);
  if (hit !== undefined) return hit;
  const domain = checkDomain(rawDomain);
  if (domainCache.size >= 10_000) domainCache.clear();
  domainCache.set(rawDomain, domain);
  return domain;
}

function checkDomain(rawDomain: string): string | null {
  if (/[\s\u0000-\u001f\u007f]/.test(rawDomain)) return null;
  let domain: string;
  try {
    domain = domainToASCII(rawDomain.toLowerCase());
  } catch {
    return null;
  }
  if (!domain || domain.length > 253 || !domain.includes('.') || domain.endsWith('.')) return null;
  if (!/^[a-z0-9.-]+$/.test(domain) || domain.split('.').some((l) => l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-'))) return null;
  return domain;
}

/** The lower-cased key of an address, or null when it is not an address. */
export function emailKey(input: unknown): string | null {
  return normalizeEmail(input)?.key ?? null;
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
