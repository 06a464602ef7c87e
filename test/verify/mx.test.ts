import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { lookupMailHosts, MxCache, systemResolver, type MailResolver } from '../../src/verify/mx.js';
import { startDnsServer, staticZone, type DnsServer } from '../helpers/dns-server.js';

describe('MX lookup over a loopback DNS server', () => {
  let dns: DnsServer;
  let resolver: MailResolver;
  beforeAll(async () => {
    dns = await startDnsServer(staticZone({
      'mx.example': { mx: [[20, 'backup.mx.example'], [10, 'primary.mx.example']] },
      'a-only.example': { a: ['192.0.2.1'] },
      'aaaa-only.example': { aaaa: ['2001:db8::1'] },
      'nullmx.example': { mx: [[0, '.']] },
      'nothing.example': {},
      'broken.example': { rcode: 2 },
      'slow.example': { drop: true },
      'cached.example': { mx: [[5, 'mx.cached.example']] },
    }));
    resolver = systemResolver({ servers: [dns.server], timeoutMs: 150 });
  });
  afterAll(() => dns.close());

  it('returns MX hosts in preference order', async () => {
    expect(await lookupMailHosts(resolver, 'mx.example')).toEqual({ status: 'ok', mx: ['primary.mx.example', 'backup.mx.example'] });
  });

  it('falls back to A and AAAA records as the implicit MX (RFC 5321 §5.1)', async () => {
    expect(await lookupMailHosts(resolver, 'a-only.example')).toEqual({ status: 'fallback', mx: ['a-only.example'] });
    expect(await lookupMailHosts(resolver, 'aaaa-only.example')).toEqual({ status: 'fallback', mx: ['aaaa-only.example'] });
  });

  it('recognises a null MX (RFC 7505)', async () => {
    expect((await lookupMailHosts(resolver, 'nullmx.example')).status).toBe('null_mx');
  });

  it('tells NXDOMAIN, no mail host, SERVFAIL and timeout apart', async () => {
    expect((await lookupMailHosts(resolver, 'missing.example')).status).toBe('nxdomain');
    expect((await lookupMailHosts(resolver, 'nothing.example')).status).toBe('no_mail_host');
    expect((await lookupMailHosts(resolver, 'broken.example')).status).toBe('servfail');
    expect((await lookupMailHosts(resolver, 'slow.example')).status).toBe('timeout');
  });

  it('caches per domain until the TTL passes, shares concurrent lookups, keeps failures briefly', async () => {
    const clock = new ManualClock(1_000_000);
    const cache = new MxCache(resolver, clock, { positiveTtlMs: 60_000, failureTtlMs: 1_000 });
    const [a, b] = await Promise.all([cache.get('cached.example'), cache.get('cached.example')]);
    expect(a).toEqual(b);
    expect(cache.lookups).toBe(1);
    await cache.get('cached.example');
    expect(cache.lookups).toBe(1);
    clock.advance(60_001);
    expect(cache.peek('cached.example')).toBeUndefined();
    await cache.get('cached.example');
    expect(cache.lookups).toBe(2);
    await cache.get('broken.example');
    clock.advance(1_001);
    await cache.get('broken.example');
    expect(cache.lookups).toBe(4);
  });
});
