// Sending-domain records: create (generate + encrypt the key), list, get, delete, and the DNS
// check that moves a domain between pending, verified and failed.
import { promises as nodeDns } from 'node:dns';
import type { AppContext, DnsResolver } from '../context.js';
import { recordAudit } from '../audit/index.js';
import { fromJson, toJson } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { domainBox, generateDkimKey, type DkimAlgorithm } from './keys.js';
import { dnsRecords, type DnsRecord } from './records.js';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const SELECTOR = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

type Actor = { workspaceId: number; actor: string };

export interface DnsCheck { ok: boolean; found: string[]; message: string }
export interface SendingDomain {
  id: number;
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  status: 'pending' | 'verified' | 'failed';
  publicKey: string;
  records: DnsRecord[];
  checks: { dkim: DnsCheck; spf: DnsCheck; dmarc: DnsCheck } | null;
  lastCheckedAt: number | null;
  createdAt: number;
}

type Row = { id: number | string; domain: string; selector: string; algorithm: string; status: string; public_key: string; dns_checks: unknown; last_checked_at: number | null; created_at: number };

function toDomain(r: Row): SendingDomain {
  const algorithm = r.algorithm === 'ed25519' ? 'ed25519' : 'rsa';
  return {
    id: Number(r.id), domain: r.domain, selector: r.selector, algorithm, status: r.status as SendingDomain['status'], publicKey: r.public_key,
    records: dnsRecords({ domain: r.domain, selector: r.selector, algorithm, publicValue: r.public_key }),
    checks: fromJson<SendingDomain['checks']>(r.dns_checks, null),
    lastCheckedAt: r.last_checked_at === null ? null : Number(r.last_checked_at), createdAt: Number(r.created_at),
  };
}

const COLUMNS = ['id', 'domain', 'selector', 'algorithm', 'status', 'public_key', 'dns_checks', 'last_checked_at', 'created_at'] as const;

export async function listSendingDomains(ctx: AppContext, workspaceId: number): Promise<SendingDomain[]> {
  const rows = await ctx.db.selectFrom('sending_domains').select(COLUMNS).where('workspace_id', '=', workspaceId).orderBy('domain').orderBy('id').execute();
  return rows.map(toDomain);
}

export async function getSendingDomain(ctx: AppContext, workspaceId: number, id: number): Promise<SendingDomain> {
  const row = await ctx.db.selectFrom('sending_domains').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('sending domain');
  return toDomain(row);
}

export async function createSendingDomain(ctx: AppContext, actor: Actor, input: { domain: string; selector?: string; algorithm?: DkimAlgorithm }): Promise<SendingDomain> {
  const domain = input.domain.trim().toLowerCase().replace(/\.$/, '');
  const selector = (input.selector ?? 'postlane').trim().toLowerCase();
  const algorithm = input.algorithm ?? 'rsa';
  if (!DOMAIN.test(domain)) throw new AppError('bad_request', 'domain must be a fully qualified domain name', { field: 'domain' });
  if (!SELECTOR.test(selector)) throw new AppError('bad_request', 'selector must be a DNS label (letters, digits, "-")', { field: 'selector' });
  const exists = await ctx.db.selectFrom('sending_domains').select('id')
    .where('workspace_id', '=', actor.workspaceId).where('domain', '=', domain).where('selector', '=', selector).where('algorithm', '=', algorithm).executeTakeFirst();
  if (exists) throw new AppError('conflict', `${selector}._domainkey.${domain} (${algorithm}) already exists`, { id: Number(exists.id) });
  const key = generateDkimKey(algorithm);
  const row = await ctx.db.insertInto('sending_domains').values({
    workspace_id: actor.workspaceId, domain, selector, algorithm, private_key_enc: domainBox(ctx.secret).encrypt(key.privatePem),
    public_key: key.publicValue, status: 'pending', last_checked_at: null, dns_checks: null, created_at: ctx.clock.now(),
  }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(ctx.db, ctx.clock, { workspaceId: actor.workspaceId, actor: actor.actor, action: 'domains.create', targetType: 'sending_domain', targetId: Number(row.id), details: { domain, selector, algorithm } });
  return getSendingDomain(ctx, actor.workspaceId, Number(row.id));
}

export async function deleteSendingDomain(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const res = await ctx.db.deleteFrom('sending_domains').where('workspace_id', '=', actor.workspaceId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw notFound('sending domain');
  await recordAudit(ctx.db, ctx.clock, { workspaceId: actor.workspaceId, actor: actor.actor, action: 'domains.delete', targetType: 'sending_domain', targetId: id });
}

async function txt(dns: DnsResolver, name: string): Promise<string[]> {
  try {
    return (await dns.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN') return [];
    throw new AppError('unprocessable', `DNS lookup of ${name} failed: ${code ?? (err as Error).message}`);
  }
}

function dkimTags(value: string): Map<string, string> {
  return new Map(value.split(';').map((t) => t.trim()).filter(Boolean).map((t) => {
    const eq = t.indexOf('=');
    return [t.slice(0, eq).trim().toLowerCase(), t.slice(eq + 1).replace(/\s+/g, '')] as [string, string];
  }));
}

/** Re-reads the three records and stores the verdict: verified when the DKIM key is published. */
export async function checkSendingDomain(ctx: AppContext, actor: Actor, id: number): Promise<SendingDomain> {
  const d = await getSendingDomain(ctx, actor.workspaceId, id);
  const dns = ctx.dns ?? nodeDns;
  const dkimFound = await txt(dns, `${d.selector}._domainkey.${d.domain}`);
  const keyMatch = dkimFound.some((v) => dkimTags(v).get('p') === d.publicKey);
  const spfFound = (await txt(dns, d.domain)).filter((v) => /^v=spf1(\s|$)/i.test(v));
  const dmarcFound = (await txt(dns, `_dmarc.${d.domain}`)).filter((v) => /^v=DMARC1\s*(;|$)/i.test(v));
  const checks = {
    dkim: { ok: keyMatch, found: dkimFound, message: keyMatch ? 'DKIM key published' : dkimFound.length ? 'a DKIM record exists but its p= differs from this key' : 'no DKIM record found' },
    spf: { ok: spfFound.length === 1, found: spfFound, message: spfFound.length === 1 ? 'SPF record found' : spfFound.length > 1 ? 'more than one SPF record (RFC 7208 permerror)' : 'no SPF record found' },
    dmarc: { ok: dmarcFound.length === 1, found: dmarcFound, message: dmarcFound.length === 1 ? 'DMARC record found' : 'no DMARC record found' },
  };
  const status = keyMatch ? 'verified' : dkimFound.length ? 'failed' : 'pending';
  await ctx.db.updateTable('sending_domains').set({ status, dns_checks: toJson(checks), last_checked_at: ctx.clock.now() })
    .where('workspace_id', '=', actor.workspaceId).where('id', '=', id).execute();
  return getSendingDomain(ctx, actor.workspaceId, id);
}
