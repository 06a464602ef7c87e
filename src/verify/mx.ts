// Mail-host lookup for a domain: MX, falling back to A/AAAA (RFC 5321 §5.1), null MX (RFC 7505),
// with NXDOMAIN, SERVFAIL and timeouts told apart. Cached per domain with a TTL; stops at DNS.
import { Resolver } from 'node:dns/promises';
import type { Clock } from '../clock.js';
import type { DnsFacts, DnsStatus } from './types.js';

/** The slice of dns.promises.Resolver the verifier uses (tests inject one pointed at loopback). */
export interface MailResolver {
  resolveMx(hostname: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

export function systemResolver(opts: { servers?: string[]; timeoutMs?: number } = {}): MailResolver {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 3000, tries: 2 });
  if (opts.servers?.length) r.setServers(opts.servers);
  return r;
}

export interface MxCacheOptions {
  /** How long a found mail host (or a null MX) is trusted. */
  positiveTtlMs?: number;
  /** How long "the domain does not exist / has no mail host" is trusted. */
  negativeTtlMs?: number;
  /** How long a DNS failure is remembered (short: it says nothing about the domain). */
  failureTtlMs?: number;
  maxEntries?: number;
}

function statusOf(err: unknown): DnsStatus | 'nodata' {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOTFOUND': return 'nxdomain';
    case 'ENODATA': return 'nodata';
    case 'ESERVFAIL': return 'servfail';
    case 'ETIMEOUT': return 'timeout';
    default: return 'error';
  }
}

type Lookup<T> = { ok: true; value: T } | { ok: false; status: DnsStatus | 'nodata' };

async function attempt<T>(p: Promise<T>): Promise<Lookup<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, status: statusOf(err) };
  }
}

/** Resolves the mail hosts of one domain (uncached). */
export async function lookupMailHosts(resolver: MailResolver, domain: string): Promise<DnsFacts> {
  const mx = await attempt(resolver.resolveMx(domain));
  if (mx.ok && mx.value.length > 0) {
    // RFC 7505: a single MX with the root as exchange ("." → '') says the domain takes no mail.
    if (mx.value.some((r) => r.exchange === '' || r.exchange === '.')) return { status: 'null_mx', mx: [] };
    const hosts = [...mx.value].sort((a, b) => a.priority - b.priority).map((r) => r.exchange.toLowerCase().replace(/\.$/, ''));
    return { status: 'ok', mx: [...new Set(hosts)] };
  }
  if (!mx.ok && mx.status !== 'nodata') return { status: mx.status, mx: [] };
  // No MX records: the domain itself is the implicit MX if it has an address.
  const [a, aaaa] = await Promise.all([attempt(resolver.resolve4(domain)), attempt(resolver.resolve6(domain))]);
  if ((a.ok && a.value.length > 0) || (aaaa.ok && aaaa.value.length > 0)) return { status: 'fallback', mx: [domain] };
  const failures = [a, aaaa].filter((r): r is { ok: false; status: DnsStatus | 'nodata' } => !r.ok).map((r) => r.status);
  if (failures.includes('nxdomain')) return { status: 'nxdomain', mx: [] };
  const failed = failures.find((s) => s !== 'nodata');
  if (failed) return { status: failed as DnsStatus, mx: [] };
  return { status: 'no_mail_host', mx: [] };
}

interface Entry {
  facts: DnsFacts;
  expiresAt: number;
}

/** Per-domain cache in front of lookupMailHosts; concurrent lookups of one domain share one query. */
export class MxCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<DnsFacts>>();
  private readonly positive: number;
  private readonly negative: number;
  private readonly failure: number;
  private readonly max: number;
  lookups = 0;

  constructor(private readonly resolver: MailResolver, private readonly clock: Clock, opts: MxCacheOptions = {}) {
    this.positive = opts.positiveTtlMs ?? 3_600_000;
    this.negative = opts.negativeTtlMs ?? 900_000;
    this.failure = opts.failureTtlMs ?? 30_000;
    this.max = opts.maxEntries ?? 50_000;
  }

  /** The cached answer if still fresh, else undefined (synchronous: the API's warm path). */
  peek(domain: string): DnsFacts | undefined {
    const e = this.entries.get(domain);
    if (!e) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(domain);
      return undefined;
    }
    return e.facts;
  }

  async get(domain: string): Promise<DnsFacts> {
    const hit = this.peek(domain);
    if (hit) return hit;
    const pending = this.inflight.get(domain);
    if (pending) return pending;
    const p = this.fetch(domain).finally(() => this.inflight.delete(domain));
    this.inflight.set(domain, p);
    return p;
  }

  private async fetch(domain: string): Promise<DnsFacts> {
    this.lookups++;
    const facts = await lookupMailHosts(this.resolver, domain);
    const ttl = facts.status === 'ok' || facts.status === 'fallback' || facts.status === 'null_mx' ? this.positive
      : facts.status === 'nxdomain' || facts.status === 'no_mail_host' ? this.negative : this.failure;
    if (this.entries.size >= this.max) {
      // Map keeps insertion order: drop the oldest eighth in one go rather than one per insert.
      let n = Math.ceil(this.max / 8);
      for (const k of this.entries.keys()) { this.entries.delete(k); if (--n === 0) break; }
    }
    this.entries.set(domain, { facts, expiresAt: this.clock.now() + ttl });
    return facts;
  }

  get size(): number {
    return this.entries.size;
  }
}
