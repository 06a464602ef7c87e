// The disposable-domain list: the bundled npm package, or a refreshed copy in the data dir
// written by `postlane verify update-lists`. Loading is synchronous and cached per path.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DisposableList {
  source: string;
  version: string | null;
  updatedAt: number | null;
  domains: ReadonlySet<string>;
  /** Domains whose every subdomain is disposable too. */
  wildcards: ReadonlySet<string>;
}

interface StoredList {
  source: string;
  version: string | null;
  updated_at: number;
  domains: string[];
  wildcards: string[];
}

const require = createRequire(import.meta.url);
const cache = new Map<string, DisposableList>();

export function storedListPath(dataDir: string): string {
  return join(dataDir, 'verify', 'disposable-domains.json');
}

function bundled(): DisposableList {
  const hit = cache.get('bundled');
  if (hit) return hit;
  const domains = require('disposable-email-domains') as string[];
  const wildcards = require('disposable-email-domains/wildcard.json') as string[];
  const version = (require('disposable-email-domains/package.json') as { version?: string }).version ?? null;
  const list: DisposableList = {
    source: 'bundled:disposable-email-domains', version, updatedAt: null,
    domains: new Set(domains.map((d) => d.toLowerCase())), wildcards: new Set(wildcards.map((d) => d.toLowerCase())),
  };
  cache.set('bundled', list);
  return list;
}

/** The list in force: the data-dir copy when present and readable, else the bundled package. */
export function loadDisposableList(dataDir: string | null): DisposableList {
  if (!dataDir) return bundled();
  const path = storedListPath(dataDir);
  const hit = cache.get(path);
  if (hit) return hit;
  let list = bundled();
  if (existsSync(path)) {
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredList;
      if (Array.isArray(stored.domains) && stored.domains.length > 0) {
        list = {
          source: stored.source, version: stored.version, updatedAt: stored.updated_at,
          domains: new Set(stored.domains), wildcards: new Set(stored.wildcards ?? []),
        };
      }
    } catch {
      // A corrupt refreshed copy must not take verification down: the bundled list still works.
    }
  }
  cache.set(path, list);
  return list;
}

/** True when the domain or one of its parents is on the list (parents only for wildcard entries). */
export function isDisposable(list: DisposableList, domain: string): boolean {
  if (list.domains.has(domain)) return true;
  let i = domain.indexOf('.');
  while (i >= 0) {
    const parent = domain.slice(i + 1);
    if (list.wildcards.has(parent) || list.domains.has(parent)) return true;
    i = domain.indexOf('.', i + 1);
  }
  return false;
}

const DOMAIN_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Parses a list given as a JSON array or one domain per line (comments with #); drops junk lines. */
export function parseDomainList(text: string): string[] {
  const trimmed = text.trim();
  let raw: unknown[];
  if (trimmed.startsWith('[')) raw = JSON.parse(trimmed) as unknown[];
  else raw = trimmed.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim());
  const out = new Set<string>();
  for (const v of raw) {
    if (typeof v !== 'string') continue;
    const d = v.trim().toLowerCase();
    if (DOMAIN_RE.test(d)) out.add(d);
  }
  return [...out];
}

/** Writes a refreshed list atomically into the data dir and drops the cached copy. */
export function saveDisposableList(dataDir: string, list: { source: string; version: string | null; domains: string[]; wildcards: string[] }, now: number): string {
  const path = storedListPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const body: StoredList = { source: list.source, version: list.version, updated_at: now, domains: list.domains, wildcards: list.wildcards };
  writeFileSync(`${path}.tmp`, JSON.stringify(body));
  renameSync(`${path}.tmp`, path);
  cache.delete(path);
  return path;
}
