import { afterEach, describe, expect, it } from 'vitest';
import { classifyRcpt, probeMailbox, type ProbeOptions } from '../../src/verify/smtp-probe.js';
import { startDroppingPeer, startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peers.js';

const opts = (port: number, over: Partial<ProbeOptions> = {}): ProbeOptions => ({
  port, heloName: 'verify.postlane.test', mailFrom: 'probe@postlane.test', connectTimeoutMs: 1_000, commandTimeoutMs: 1_000,
  greylistRetryMs: 0, hostAddress: async () => '127.0.0.1', sleep: async () => {}, randomLocal: () => 'random-probe-xyz', ...over,
});

describe('SMTP probe against loopback smtp-server peers', () => {
  const peers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => { await Promise.all(peers.splice(0).map((p) => p.close())); });
  const peer = async (...a: Parameters<typeof startSmtpPeer>): Promise<SmtpPeer> => { const p = await startSmtpPeer(...a); peers.push(p); return p; };

  it('accept-all server: the random local part is accepted too, so the domain is a catch-all', async () => {
    const p = await peer('accept-all');
    const r = await probeMailbox(['mx.catchall.test'], 'jane@catchall.test', opts(p.port));
    expect(r).toMatchObject({ status: 'catch_all', catch_all: true, code: 250 });
    expect(p.rcpts).toEqual(['jane@catchall.test', 'random-probe-xyz@catchall.test']);
    expect(p.helos).toEqual(['verify.postlane.test']);
    expect(p.mailFroms).toEqual(['probe@postlane.test']);
    expect(p.sawData).toBe(false);
  });

  it('reject-unknown server: an existing user is accepted (not catch-all), an unknown one is unknown_user', async () => {
    const p = await peer('reject-unknown', { users: ['jane@corp.test'] });
    expect(await probeMailbox(['mx.corp.test'], 'jane@corp.test', opts(p.port))).toMatchObject({ status: 'accepted', catch_all: false });
    expect(await probeMailbox(['mx.corp.test'], 'ghost@corp.test', opts(p.port))).toMatchObject({ status: 'unknown_user', code: 550, enhanced: '5.1.1' });
  });

  it('tells a disabled mailbox and a full one apart from an unknown user', async () => {
    const p = await peer('reject-unknown', { disabled: ['old@corp.test'], full: ['busy@corp.test'] });
    expect((await probeMailbox(['mx'], 'old@corp.test', opts(p.port))).status).toBe('disabled');
    expect((await probeMailbox(['mx'], 'busy@corp.test', opts(p.port))).status).toBe('full');
  });

  it('retries once after a greylisting reply', async () => {
    const p = await peer('greylist', { users: ['jane@grey.test'] });
    const waited: number[] = [];
    const r = await probeMailbox(['mx'], 'jane@grey.test', opts(p.port, { greylistRetryMs: 1234, sleep: async (ms) => { waited.push(ms); } }));
    expect(waited).toEqual([1234]);
    expect(r.status).toBe('accepted');
    expect(p.connections).toBe(2);
    const noRetry = await probeMailbox(['mx'], 'other@grey.test', opts(p.port));
    expect(noRetry.status).toBe('greylisted');
  });

  it('a policy block (5.7.1) is a rejection of the prober, not a verdict on the mailbox', async () => {
    const p = await peer('policy-block');
    expect((await probeMailbox(['mx'], 'jane@blocked.test', opts(p.port))).status).toBe('rejected');
  });

  it('times out on a slow server and reports a dropped connection as unreachable', async () => {
    const slow = await peer('slow', { greetingDelayMs: 5_000 });
    expect((await probeMailbox(['mx'], 'jane@slow.test', opts(slow.port, { commandTimeoutMs: 100 }))).status).toBe('timeout');
    const drop = await startDroppingPeer();
    peers.push(drop);
    const r = await probeMailbox(['mx'], 'jane@drop.test', opts(drop.port));
    expect(r.status).toBe('unreachable');
    expect(r.message).toMatch(/closed/);
  });

  it('tries the next MX host when the first cannot be reached', async () => {
    const p = await peer('accept-all');
    const r = await probeMailbox(['down.test', 'up.test'], 'jane@x.test', opts(p.port, { hostAddress: async (h) => (h === 'down.test' ? '127.0.0.2' : '127.0.0.1'), connectTimeoutMs: 300 }));
    expect(r.host).toBe('up.test');
  });

  it('refuses to send CRLF or angle brackets into the SMTP dialogue (command smuggling)', async () => {
    const p = await peer('accept-all');
    const r = await probeMailbox(['mx'], 'a@b.test>\r\nDATA', opts(p.port));
    expect(r.status).toBe('error');
    expect(p.connections).toBe(0);
  });

  it('classifies reply texts without enhanced codes', () => {
    expect(classifyRcpt({ code: 550, enhanced: null, text: 'No such user here' })).toBe('unknown_user');
    expect(classifyRcpt({ code: 552, enhanced: null, text: 'Mailbox full' })).toBe('full');
    expect(classifyRcpt({ code: 550, enhanced: null, text: 'Account has been disabled' })).toBe('disabled');
    expect(classifyRcpt({ code: 554, enhanced: null, text: 'Transaction failed' })).toBe('rejected');
    expect(classifyRcpt({ code: 421, enhanced: null, text: 'Too many connections' })).toBe('error');
  });
});

describe('per-domain politeness', () => {
  it('caps concurrent sessions per key and spaces their starts', async () => {
    const { KeyedLimiter } = await import('../../src/verify/limiter.js');
    const lim = new KeyedLimiter(2, 20);
    let active = 0, max = 0;
    const starts: number[] = [];
    const release: Array<() => void> = [];
    const job = () => lim.run('gmail', () => new Promise<void>((resolve) => {
      starts.push(performance.now());
      active++; max = Math.max(max, active);
      release.push(() => { active--; resolve(); });
    }));
    const all = [job(), job(), job(), job()];
    while (starts.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(starts.length).toBe(2);
    expect(max).toBe(2);
    release.shift()!(); release.shift()!();
    while (starts.length < 4) await new Promise((r) => setTimeout(r, 5));
    release.forEach((r) => r());
    await Promise.all(all);
    expect(max).toBe(2);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(17);
    // Another key is not held back by the first.
    await lim.run('yahoo', async () => {});
  });
});
