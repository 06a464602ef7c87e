// The verification pipeline for one address: offline checks → DNS (cached) → SMTP probe
// (opt-in, polite) → verdict → cache, corrected by recorded delivery outcomes.
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { SyntaxPolicy } from './diagnosis.js';
import { KeyedLimiter } from './limiter.js';
import { MxCache, systemResolver, type MailResolver, type MxCacheOptions } from './mx.js';
import { OfflineChecker, offlineChecker } from './offline.js';
import { probeMailbox, type ProbeOptions } from './smtp-probe.js';
import { emailKey, readCached, writeCached } from './store.js';
import { TypoSuggester } from './typo.js';
import type { Check, DnsFacts, SmtpFacts, VerifyResult } from './types.js';
import { applyOutcome, decideVerdict } from './verdict.js';
import { parse as parseDomain } from 'tldts';

/** Injected dependencies (AppContext.verify): tests point DNS and SMTP at loopback peers. */
export interface VerifyDeps {
  resolver?: MailResolver;
  mxCache?: MxCacheOptions;
  smtp?: Partial<ProbeOptions>;
  /** Per mail provider: concurrent probe sessions and the gap between session starts. */
  smtpConcurrency?: number;
  smtpIntervalMs?: number;
  /** How long a cached result is reused (default 7 days). */
  resultTtlMs?: number;
}

export interface VerifyCall {
  checks?: readonly Check[];
  policy?: SyntaxPolicy;
  /** Cache results and use the workspace's own domains for typo suggestions. */
  workspaceId?: number;
  /** Ignore a cached result (scheduled re-verification). */
  fresh?: boolean;
}

export const DEFAULT_CHECKS: readonly Check[] = ['syntax', 'dns'];
const CATCH_ALL_TTL_MS = 3_600_000;

export class Verifier {
  readonly mx: MxCache;
  private readonly limiter: KeyedLimiter;
  private readonly probe: ProbeOptions;
  private readonly catchAll = new Map<string, { value: boolean; until: number }>();
  private readonly workspaceCheckers = new Map<number, { checker: OfflineChecker; until: number }>();
  private warned = false;
  readonly resultTtlMs: number;

  constructor(private readonly ctx: AppContext, deps: VerifyDeps = {}) {
    const servers = ctx.config.verifyDnsServers?.split(',').filter(Boolean);
    const resolver = deps.resolver ?? systemResolver({ servers });
    this.mx = new MxCache(resolver, ctx.clock, deps.mxCache);
    this.limiter = new KeyedLimiter(deps.smtpConcurrency ?? 2, deps.smtpIntervalMs ?? 250);
    this.resultTtlMs = deps.resultTtlMs ?? 7 * 86_400_000;
    const host = new URL(ctx.config.publicUrl).hostname;
    this.probe = {
      port: 25,
      heloName: ctx.config.verifySmtpHelo ?? (host.includes('.') ? host : 'localhost.localdomain'),
      mailFrom: ctx.config.verifySmtpFrom ?? `verify@${host.includes('.') ? host : 'localhost.localdomain'}`,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 15_000,
      greylistRetryMs: 20_000,
      hostAddress: async (h) => (await resolver.resolve4(h))[0] ?? (await resolver.resolve6(h))[0] ?? h,
      ...deps.smtp,
    };
  }

  async verify(email: unknown, call: VerifyCall = {}): Promise<VerifyResult> {
    const checks = call.checks?.length ? call.checks : DEFAULT_CHECKS;
    const policy = call.policy ?? 'deliverable';
    const text = typeof email === 'string' ? email : '';
    const checker = call.workspaceId !== undefined ? await this.checkerFor(call.workspaceId) : offlineChecker(this.ctx.config.dataDir);
    const facts = checker.check(email, policy);
    const wantDns = checks.includes('dns') || checks.includes('smtp');
    const key = emailKey(facts.syntax);
    const cached = call.workspaceId !== undefined && key ? await readCached(this.ctx.db, call.workspaceId, key) : null;
    if (cached && !call.fresh && cached.policy === policy && checks.every((c) => cached.checks.includes(c))
      && cached.checkedAt + this.resultTtlMs > this.ctx.clock.now()) {
      return applyOutcome({ ...cached.result, email: text }, cached.outcome);
    }
    let dns: DnsFacts | null = null;
    let smtp: SmtpFacts | null = null;
    const extraReasons: string[] = [];
    if (wantDns && facts.domain) dns = this.mx.peek(facts.domain) ?? await this.mx.get(facts.domain);
    if (checks.includes('smtp') && facts.domain && facts.syntax.normalized && dns && (dns.status === 'ok' || dns.status === 'fallback')) {
      if (this.ctx.config.verifySmtp) smtp = await this.probeSmtp(facts.syntax.normalized, facts.domain, dns.mx);
      else extraReasons.push('smtp_disabled');
    }
    let result = decideVerdict({ email: text, facts, dns, smtp });
    if (extraReasons.length) result = { ...result, reasons: [...result.reasons, ...extraReasons] };
    if (call.workspaceId !== undefined && key) {
      await writeCached(this.ctx.db, call.workspaceId, result, checks, policy, this.ctx.clock.now());
      result = applyOutcome(result, cached?.outcome ?? null);
    }
    return result;
  }

  private async probeSmtp(address: string, domain: string, mxHosts: string[]): Promise<SmtpFacts> {
    if (!this.warned) {
      this.warned = true;
      this.ctx.log.warn({ component: 'verify' }, 'SMTP mailbox probing is on: providers may throttle or blocklist this IP; run it from a dedicated address');
    }
    // Politeness per provider, not per customer domain: all Google-hosted domains share one key.
    const key = parseDomain(mxHosts[0] ?? domain).domain ?? domain;
    const now = this.ctx.clock.now();
    const known = this.catchAll.get(domain);
    const skipCatchAll = known !== undefined && known.until > now && !known.value;
    const r = await this.limiter.run(key, () => probeMailbox(mxHosts, address, this.probe, !skipCatchAll));
    if (r.catch_all !== null) this.catchAll.set(domain, { value: r.catch_all, until: now + CATCH_ALL_TTL_MS });
    if (skipCatchAll && r.status === 'accepted') return { ...r, catch_all: false };
    return r;
  }

  /** The workspace's own 50 most common domains join the typo targets (refreshed hourly). */
  private async checkerFor(workspaceId: number): Promise<OfflineChecker> {
    const now = this.ctx.clock.now();
    const hit = this.workspaceCheckers.get(workspaceId);
    if (hit && hit.until > now) return hit.checker;
    const domain = this.ctx.dialect === 'postgres'
      ? sql<string>`split_part(email_lower, '@', 2)`
      : sql<string>`substr(email_lower, instr(email_lower, '@') + 1)`;
    const rows = await this.ctx.db.selectFrom('contacts').select([domain.as('domain'), sql<number>`count(*)`.as('n')])
      .where('workspace_id', '=', workspaceId).groupBy(sql`1`).orderBy(sql`2`, 'desc').limit(50).execute();
    const base = offlineChecker(this.ctx.config.dataDir);
    const own = rows.map((r) => String(r.domain)).filter((d) => d.includes('.'));
    const checker = own.length ? new OfflineChecker(base.lists, new TypoSuggester(own)) : base;
    if (this.workspaceCheckers.size > 1000) this.workspaceCheckers.clear();
    this.workspaceCheckers.set(workspaceId, { checker, until: now + 3_600_000 });
    return checker;
  }
}

const verifiers = new WeakMap<AppContext, Verifier>();

/** The context's verifier (one per process/context, so its DNS cache and limits are shared). */
export function verifierFor(ctx: AppContext): Verifier {
  let v = verifiers.get(ctx);
  if (!v) {
    v = new Verifier(ctx, ctx.verify);
    verifiers.set(ctx, v);
  }
  return v;
}
