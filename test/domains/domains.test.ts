import { mkdtempSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { DnsResolver } from '../../src/context.js';
import { loadDkimKeys } from '../../src/domains/index.js';
import { domainBox } from '../../src/domains/keys.js';
import { splitTxt } from '../../src/domains/records.js';
import { createTenant, describeEachDb, keyWithRole, openTestContext, testApp, useTestEnv } from '../helpers/context.js';

/** A zone in memory, answering like node:dns (ENOTFOUND for names without TXT). */
class FakeDns implements DnsResolver {
  readonly zone = new Map<string, string[][]>();
  async resolveTxt(name: string): Promise<string[][]> {
    const r = this.zone.get(name.toLowerCase());
    if (!r) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return r;
  }
}

const MESSAGE = 'From: news@example.com\r\nTo: ann@example.org\r\nSubject: Hello\r\nDate: Fri, 27 Nov 2026 04:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHello\r\n';

describeEachDb('sending domains', (dialect) => {
  const dns = new FakeDns();
  const bootDir = mkdtempSync(join(tmpdir(), 'postlane-dkim-'));
  const bootFile = join(bootDir, 'dkim.pem');
  beforeAll(() => {
    writeFileSync(bootFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  const env = useTestEnv(dialect, {
    config: { dkimDomain: 'boot.example', dkimSelector: 'sel1', dkimKeyFile: bootFile },
    prepare: (ctx) => { ctx.dns = dns; },
    tenants: { t: {} },
  });

  const create = (body: object, headers = env.t.auth) => env.app.inject({ method: 'POST', url: '/api/v1/domains', headers, payload: body });

  it('generates an RSA-2048 key by default and returns the DNS records to publish', async () => {
    const res = await create({ domain: 'Example.COM' });
    expect(res.statusCode).toBe(201);
    const d = res.json();
    expect(d).toMatchObject({ domain: 'example.com', selector: 'postlane', algorithm: 'rsa', status: 'pending' });
    expect(JSON.stringify(d)).not.toMatch(/PRIVATE KEY/);
    const [dkim, spf, dmarc] = d.dns_records;
    expect(dkim.name).toBe('postlane._domainkey.example.com');
    expect(dkim.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    expect(dkim.strings.length).toBeGreaterThan(1);
    expect(dkim.strings.every((s: string) => Buffer.byteLength(s) <= 255)).toBe(true);
    expect(dkim.strings.join('')).toBe(dkim.value);
    expect(spf).toMatchObject({ name: 'example.com', value: expect.stringMatching(/^v=spf1 /) });
    expect(dmarc).toMatchObject({ name: '_dmarc.example.com', value: expect.stringMatching(/^v=DMARC1; p=none; rua=mailto:/) });
    const row = await env.ctx.db.selectFrom('sending_domains').select('private_key_enc').where('id', '=', d.id).executeTakeFirstOrThrow();
    expect(row.private_key_enc).toMatch(/^v1\./);
    // Encrypted at rest: the key comes back only through the box, and no line of its PEM body is
    // in the stored value (a fixed "MII" probe matched random ciphertext about once in 100 runs).
    const pem = domainBox(env.ctx.secret).decrypt(row.private_key_enc);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(row.private_key_enc).not.toMatch(/PRIVATE KEY/);
    for (const line of pem.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(row.private_key_enc).not.toContain(line);
  });

  it('generates Ed25519 keys on request, rejects bad names and duplicates', async () => {
    const res = await create({ domain: 'example.com', selector: 'ed1', algorithm: 'ed25519' });
    expect(res.statusCode).toBe(201);
    expect(res.json().dns_records[0].value).toMatch(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
    expect((await create({ domain: 'example.com' })).statusCode).toBe(409);
    expect((await create({ domain: 'not a domain' })).statusCode).toBe(400);
    expect((await create({ domain: 'example.com', selector: 'bad_selector!' })).statusCode).toBe(400);
    expect((await create({ domain: 'example.com', algorithm: 'dsa' })).statusCode).toBe(400);
  });

  it('signs with the loaded keys so that an independent verifier passes against the published records', async () => {
    const list = (await env.app.inject({ url: '/api/v1/domains', headers: env.t.auth })).json().data;
    for (const d of list) dns.zone.set(d.dns_records[0].name, [d.dns_records[0].strings]);
    const keys = await loadDkimKeys(env.ctx, env.t.workspace.id);
    expect(keys.map((k) => `${k.selector}/${k.domain}/${k.algorithm}`).sort()).toEqual(['ed1/example.com/ed25519', 'postlane/example.com/rsa', 'sel1/boot.example/rsa']);
    const bootPublic = (await import('node:crypto')).createPublicKey(keys.find((k) => k.domain === 'boot.example')!.privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
    dns.zone.set('sel1._domainkey.boot.example', [splitTxt(`v=DKIM1; k=rsa; p=${bootPublic}`)]);
    for (const k of keys) {
      const pem = k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      // mailauth's typings lag its API: signatureData is the documented option.
      const signed = await dkimSign(MESSAGE, {
        signatureData: [{ signingDomain: k.domain, selector: k.selector, privateKey: pem, algorithm: k.algorithm === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256' }],
      } as unknown as Parameters<typeof dkimSign>[1]);
      expect(signed.signatures).toMatch(/^DKIM-Signature:/);
      expect(signed.errors).toEqual([]);
      const verified = await dkimVerify(Buffer.from(signed.signatures + MESSAGE), {
        resolver: async (name: string, type: string) => (type === 'TXT' ? dns.resolveTxt(name) : Promise.reject(Object.assign(new Error('no'), { code: 'ENOTFOUND' }))),
      });
      expect(verified.results[0]?.status.result, `${k.selector}/${k.domain}`).toBe('pass');
    }
  });

  it('re-checks DNS through the injected resolver: pending, failed, verified', async () => {
    const d = (await create({ domain: 'check.example', selector: 's2' })).json();
    const check = () => env.app.inject({ method: 'POST', url: `/api/v1/domains/${d.id}/check`, headers: env.t.auth });
    let res = await check();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'pending', checks: { dkim: { ok: false }, spf: { ok: false }, dmarc: { ok: false } } });
    dns.zone.set('s2._domainkey.check.example', [['v=DKIM1; k=rsa; p=AAAA']]);
    expect((await check()).json().status).toBe('failed');
    dns.zone.set('s2._domainkey.check.example', [d.dns_records[0].strings]);
    dns.zone.set('check.example', [['v=spf1 mx ~all'], ['google-site-verification=x']]);
    dns.zone.set('_dmarc.check.example', [['v=DMARC1; p=none']]);
    res = await check();
    expect(res.json()).toMatchObject({ status: 'verified', checks: { dkim: { ok: true }, spf: { ok: true }, dmarc: { ok: true } } });
    expect(res.json().last_checked_at).toMatch(/^\d{4}-/);
    expect((await env.app.inject({ url: `/api/v1/domains/${d.id}`, headers: env.t.auth })).json().status).toBe('verified');
  });

  it('enforces domains:read/write and keeps domains inside their workspace', async () => {
    const d = (await create({ domain: 'perm.example' })).json();
    const analyst = await keyWithRole(env.ctx, env.t.workspace.id, 'analyst');
    const viewer = await keyWithRole(env.ctx, env.t.workspace.id, 'viewer');
    expect((await env.app.inject({ url: '/api/v1/domains', headers: analyst })).statusCode).toBe(200);
    expect((await create({ domain: 'x.example' }, analyst)).statusCode).toBe(403);
    expect((await env.app.inject({ url: '/api/v1/domains', headers: viewer })).statusCode).toBe(403);
    const other = await createTenant(env.ctx);
    expect((await env.app.inject({ url: `/api/v1/domains/${d.id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'DELETE', url: `/api/v1/domains/${d.id}`, headers: other.auth })).statusCode).toBe(404);
    expect(await loadDkimKeys(env.ctx, other.workspace.id)).toHaveLength(1); // only the bootstrap key
    expect((await env.app.inject({ method: 'DELETE', url: `/api/v1/domains/${d.id}`, headers: env.t.auth })).statusCode).toBe(204);
    expect((await env.app.inject({ url: `/api/v1/domains/${d.id}`, headers: env.t.auth })).statusCode).toBe(404);
  });
});

describe('TXT splitting', () => {
  it('splits into 255-byte strings', () => {
    expect(splitTxt('a'.repeat(600)).map((s) => s.length)).toEqual([255, 255, 90]);
  });
});

describe('DNS check through the real node:dns resolver', () => {
  it('reads multi-string TXT records from a DNS server on loopback', async () => {
    const { Resolver } = await import('node:dns/promises');
    const { startUdpDns } = await import('./udp-dns.js');
    const server = await startUdpDns();
    const ctx = await openTestContext('sqlite');
    try {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([`127.0.0.1:${server.port}`]);
      ctx.dns = resolver;
      const t = await createTenant(ctx);
      const app = await testApp(ctx);
      const d = (await app.inject({ method: 'POST', url: '/api/v1/domains', headers: t.auth, payload: { domain: 'udp.example' } })).json();
      let res = (await app.inject({ method: 'POST', url: `/api/v1/domains/${d.id}/check`, headers: t.auth })).json();
      expect(res.status).toBe('pending');
      server.zone.set('postlane._domainkey.udp.example', [d.dns_records[0].strings]);
      server.zone.set('udp.example', [['v=spf1 ', 'mx -all']]);
      server.zone.set('_dmarc.udp.example', [[d.dns_records[2].value]]);
      res = (await app.inject({ method: 'POST', url: `/api/v1/domains/${d.id}/check`, headers: t.auth })).json();
      expect(res).toMatchObject({ status: 'verified', checks: { dkim: { ok: true }, spf: { ok: true, found: ['v=spf1 mx -all'] }, dmarc: { ok: true } } });
      await app.close();
    } finally {
      await ctx.destroy();
      await server.close();
    }
  });
});
