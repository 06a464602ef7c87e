// The offline checks (syntax, lists, typo, gibberish): synchronous, no network, memoised per
// domain so a bulk run pays the per-domain work once. The hot path of forms, imports and bulk.
import { parse as parseDomain } from 'tldts';
import { ROLE_LOCAL_PARTS, FREE_PROVIDERS } from './data.js';
import type { SyntaxPolicy } from './diagnosis.js';
import { gibberishScore } from './gibberish.js';
import { isDisposable, loadDisposableList, type DisposableList } from './lists.js';
import { checkSyntax, type SyntaxResult } from './syntax.js';
import { TypoSuggester } from './typo.js';

export interface OfflineFacts {
  syntax: SyntaxResult;
  /** ASCII lower-case domain (null when the syntax is invalid or the domain is a literal). */
  domain: string | null;
  /** Registrable domain per the public suffix list (tldts), e.g. mail.example.co.uk → example.co.uk. */
  registrable: string | null;
  disposable: boolean | null;
  role: boolean | null;
  free: boolean | null;
  suggestion: string | null;
  gibberish: number | null;
  /** The TLD is not on the ICANN list (a typo, an internal name or a reserved one). */
  unknownTld: boolean | null;
}

interface DomainFacts {
  registrable: string | null;
  disposable: boolean;
  free: boolean;
  suggestion: string | null;
  unknownTld: boolean;
}

const MEMO_LIMIT = 100_000;

export class OfflineChecker {
  private readonly memo = new Map<string, DomainFacts>();

  constructor(readonly lists: DisposableList, readonly typos: TypoSuggester = new TypoSuggester()) {}

  check(email: unknown, policy: SyntaxPolicy = 'deliverable'): OfflineFacts {
    const syntax = checkSyntax(email, policy);
    if (!syntax.valid || syntax.domain === null || syntax.local === null) {
      return { syntax, domain: null, registrable: null, disposable: null, role: null, free: null, suggestion: null, gibberish: null, unknownTld: null };
    }
    const literal = syntax.domain.charCodeAt(0) === 91;
    const d = literal ? null : this.domainFacts(syntax.domain);
    return {
      syntax,
      domain: literal ? null : syntax.domain,
      registrable: d?.registrable ?? null,
      disposable: d?.disposable ?? false,
      role: isRoleAccount(syntax.local),
      free: d?.free ?? false,
      suggestion: d?.suggestion ?? null,
      gibberish: gibberishScore(syntax.local),
      unknownTld: d?.unknownTld ?? false,
    };
  }

  domainFacts(domain: string): DomainFacts {
    const hit = this.memo.get(domain);
    if (hit) return hit;
    const p = parseDomain(domain, { allowPrivateDomains: false });
    const registrable = p.domain ?? null;
    const facts: DomainFacts = {
      registrable,
      disposable: isDisposable(this.lists, domain),
      free: FREE_PROVIDERS.has(domain) || (registrable !== null && FREE_PROVIDERS.has(registrable)),
      suggestion: this.typos.suggest(domain),
      unknownTld: p.isIcann !== true,
    };
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(domain, facts);
    return facts;
  }
}

/** Role accounts by local part, ignoring case and a +tag (sales+web@ is still sales@). */
export function isRoleAccount(local: string): boolean {
  let l = local.toLowerCase();
  const plus = l.indexOf('+');
  if (plus > 0) l = l.slice(0, plus);
  return ROLE_LOCAL_PARTS.has(l);
}

const checkers = new Map<string, OfflineChecker>();

/** The shared checker for a data dir (its disposable list), created on first use. */
export function offlineChecker(dataDir: string | null = null): OfflineChecker {
  const key = dataDir ?? '';
  let c = checkers.get(key);
  if (!c) {
    c = new OfflineChecker(loadDisposableList(dataDir));
    checkers.set(key, c);
  }
  return c;
}

/** Drops cached checkers (after update-lists refreshed the list). */
export function resetOfflineCheckers(): void {
  checkers.clear();
}
