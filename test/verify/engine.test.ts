import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { Verifier } from '../../src/verify/engine.js';
import { systemResolver } from '../../src/verify/mx.js';
import { recordDeliveryOutcome } from '../../src/verify/store.js';
import { createTenant, describeEachDb, useTestEnv } from '../helpers/context.js';
import { startDnsServer, staticZone, type DnsServer } from '../helpers/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peers.js';

const ZONE = staticZone({
  'good.test': { mx: [[10, 'mx.good.test']] },
  'mx.good.test': { a: ['127.0.0.1'] },
  'corp.test': { mx: [[10, 'mx.corp.test']] },
  'mx.corp.test': { a: ['127.0.0.1'] },
  'fallback.test': { a: ['127.0.0.1'] },
  'nullmx.test': { mx: [[0, '.']] },
  'nothing.test': {},
  'broken.test': { rcode: 2 },
  'slow.test': { drop: true },
});

describeEachDb('verification pipeline over loopback DNS and SMTP', (dialect) => {
  let dns: DnsServer;
  let smtp: SmtpPeer;
  const clock = new ManualClock();
  let ws: number;
  const env = useTestEnv(dialect, { clock, app: false });
  const make = (over: { smtpEnabled?: boolean; port?: number } = {}) => {
    env.ctx.config.verifySmtp = over.smtpEnabled ?? true;
    return new Verifier(env.ctx, {
      resolver: systemResolver({ servers: [dns.server], timeoutMs: 150 }),
      smtp: { port: over.port ?? smtp.port, greylistRetryMs: 0, connectTimeoutMs: 1000, commandTimeoutMs: 1000 },
      smtpIntervalMs: 0,
    });
  };
  beforeAll(async () => {
    dns = await startDnsServer(ZONE);
    smtp = await startSmtpPeer('reject-unknown', { users: ['jane@corp.test'], disabled: ['old@corp.test'], full: ['busy@corp.test'] });
    ws = (await createTenant(env.ctx)).workspace.id;
  });
  afterAll(async () => {
    await smtp.close();
    await dns.close();
  });

  it('returns the CLI line shape with null for checks that did not run', async () => {
    const r = await make().verify('Jane@Good.test', { checks: ['syntax'] });
    expect(Object.keys(r).sort()).toEqual(['disposable', 'domain', 'email', 'free', 'mx', 'normalized', 'reasons', 'role', 'score', 'smtp', 'suggestion', 'syntax', 'verdict'].sort());
    expect(r).toMatchObject({ email: 'Jane@Good.test', normalized: 'Jane@good.test', domain: 'good.test', mx: null, smtp: null, syntax: { valid: true, diagnosis: 'valid' } });
  });

  it('deliverable with MX; implicit MX from an A record', async () => {
    const v = make();
    expect(await v.verify('a@good.test')).toMatchObject({ verdict: 'deliverable', mx: ['mx.good.test'] });
    const fb = await v.verify('a@fallback.test');
    expect(fb).toMatchObject({ verdict: 'deliverable', mx: ['fallback.test'] });
    expect(fb.reasons).toContain('no_mx_uses_a_record');
  });

  it('undeliverable: bad syntax, null MX, NXDOMAIN, no mail host', async () => {
    const v = make();
    expect(await v.verify('not an address')).toMatchObject({ verdict: 'undeliverable', score: 100, syntax: { valid: false, diagnosis: 'no_at' } });
    expect((await v.verify('a@nullmx.test')).reasons).toContain('null_mx');
    expect((await v.verify('a@nullmx.test')).verdict).toBe('undeliverable');
    expect(await v.verify('a@missing.test')).toMatchObject({ verdict: 'undeliverable', reasons: expect.arrayContaining(['domain_not_found']) });
    expect((await v.verify('a@nothing.test')).verdict).toBe('undeliverable');
  });

  it('a DNS failure is unknown, never undeliverable', async () => {
    const v = make();
    expect(await v.verify('a@broken.test')).toMatchObject({ verdict: 'unknown', reasons: expect.arrayContaining(['dns_servfail']) });
    expect(await v.verify('a@slow.test')).toMatchObject({ verdict: 'unknown', reasons: expect.arrayContaining(['dns_timeout']) });
  });

  it('risky: disposable, role account, typo', async () => {
    const v = make();
    expect((await v.verify('x@mailinator.com', { checks: ['syntax'] })).verdict).toBe('risky');
    expect(await v.verify('info@good.test')).toMatchObject({ verdict: 'risky', role: true });
    expect(await v.verify('jane@gmial.com', { checks: ['syntax'] })).toMatchObject({ verdict: 'risky', suggestion: 'jane@gmail.com' });
  });

  it('SMTP: existing mailbox deliverable; unknown and disabled undeliverable; full risky', async () => {
    const v = make();
    expect(await v.verify('jane@corp.test', { checks: ['syntax', 'dns', 'smtp'] })).toMatchObject({ verdict: 'deliverable', smtp: { status: 'accepted', catch_all: false } });
    expect(await v.verify('ghost@corp.test', { checks: ['smtp'] })).toMatchObject({ verdict: 'undeliverable', reasons: expect.arrayContaining(['mailbox_not_found']) });
    expect((await v.verify('old@corp.test', { checks: ['smtp'] })).verdict).toBe('undeliverable');
    expect(await v.verify('busy@corp.test', { checks: ['smtp'] })).toMatchObject({ verdict: 'risky', reasons: expect.arrayContaining(['mailbox_full']) });
  });

  it('SMTP: a catch-all domain is risky; an unreachable mail host is unknown', async () => {
    const all = await startSmtpPeer('accept-all');
    try {
      expect(await make({ port: all.port }).verify('anyone@good.test', { checks: ['smtp'] })).toMatchObject({ verdict: 'risky', smtp: { status: 'catch_all' } });
    } finally {
      await all.close();
    }
    const closed = all.port;
    expect(await make({ port: closed }).verify('x@good.test', { checks: ['smtp'] })).toMatchObject({ verdict: 'unknown' });
  });

  it('SMTP probing stays off unless enabled', async () => {
    const before = smtp.connections;
    const r = await make({ smtpEnabled: false }).verify('jane@corp.test', { checks: ['smtp'] });
    expect(r.smtp).toBeNull();
    expect(r.reasons).toContain('smtp_disabled');
    expect(smtp.connections).toBe(before);
  });

  it('caches per address in the workspace until the TTL passes', async () => {
    const v = make();
    await v.verify('cache@good.test', { workspaceId: ws });
    const queries = dns.queries.length;
    const lookups = v.mx.lookups;
    const again = await v.verify('CACHE@good.test', { workspaceId: ws });
    expect(again.verdict).toBe('deliverable');
    expect(v.mx.lookups).toBe(lookups);
    expect(dns.queries.length).toBe(queries);
    const row = await env.ctx.db.selectFrom('verifications').selectAll().where('workspace_id', '=', ws).where('email_key', '=', 'cache@good.test').executeTakeFirst();
    expect(row?.verdict).toBe('deliverable');
    expect(Number(row?.checked_at)).toBe(clock.now());
  });

  it('feedback: a hard bounce makes a cached address undeliverable, a delivery raises confidence', async () => {
    const v = make();
    expect((await v.verify('bounce@good.test', { workspaceId: ws })).verdict).toBe('deliverable');
    await recordDeliveryOutcome(env.ctx.db, ws, 'Bounce@good.test', 'hard_bounce', { now: clock.now() });
    expect(await v.verify('bounce@good.test', { workspaceId: ws })).toMatchObject({ verdict: 'undeliverable', reasons: expect.arrayContaining(['hard_bounced']) });
    expect((await v.verify('bounce@good.test', { workspaceId: ws, fresh: true })).verdict).toBe('undeliverable');

    expect((await v.verify('later@broken.test', { workspaceId: ws })).verdict).toBe('unknown');
    await recordDeliveryOutcome(env.ctx.db, ws, 'later@broken.test', 'delivered', { now: clock.now() });
    expect(await v.verify('later@broken.test', { workspaceId: ws })).toMatchObject({ verdict: 'deliverable', reasons: expect.arrayContaining(['delivered_before']) });
    // Another workspace sees none of it.
    const other = (await createTenant(env.ctx)).workspace.id;
    expect((await v.verify('bounce@good.test', { workspaceId: other })).verdict).toBe('deliverable');
  });

  it('suggests the workspace\'s own common domains for typos', async () => {
    const now = clock.now();
    await env.ctx.db.insertInto('contacts').values(['a', 'b', 'c'].map((n) => ({
      workspace_id: ws, email: `${n}@acme-widgets.test`, email_lower: `${n}@acme-widgets.test`, status: 'active', attributes: '{}', tracking_consent: 1, created_at: now, updated_at: now,
    }))).execute();
    const r = await make().verify('d@acme-wigdets.test', { workspaceId: ws, checks: ['syntax'] });
    expect(r.suggestion).toBe('d@acme-widgets.test');
  });
});
