import { createPrivateKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSignerThreads, signerThreadCount, signOnSignerThread, SignerUnavailableError, stopSignerThreads } from '../../src/delivery/dkim-signer.js';

describe('DKIM signer threads', () => {
  it('returns RSA and Ed25519 signatures that verify, also for a fresh KeyObject of the same key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    const sigs = await Promise.all(Array.from({ length: 40 }, (_, i) => signOnSignerThread(rsa.privateKey, 'sha256', `data ${i} Köln`, 'utf8')));
    sigs.forEach((s, i) => expect(verify('sha256', Buffer.from(`data ${i} Köln`), rsa.publicKey, Buffer.from(s, 'base64'))).toBe(true));
    // Each campaign run decrypts its keys into new KeyObjects: same material, same result.
    const again = createPrivateKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(await signOnSignerThread(again, 'sha256', 'data 0 Köln', 'utf8')).toBe(sigs[0]);
    const digest = Buffer.alloc(32, 7).toString('base64');
    const edSig = await signOnSignerThread(ed.privateKey, null, digest, 'base64');
    expect(verify(null, Buffer.alloc(32, 7), ed.publicKey, Buffer.from(edSig, 'base64'))).toBe(true);
  });

  it('gives every caller its own signature while several batches are with the thread (replies matched in order)', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    const jobs: Array<{ kind: 'rsa' | 'ed' | 'bad'; data: string; sig: Promise<string> }> = [];
    // A failing job can be answered while later turns are still queuing: handle its rejection at
    // once (allSettled below reads it), or the test run reports it as unhandled.
    const handled = (p: Promise<string>) => (p.catch(() => undefined), p);
    for (let turn = 0; turn < 60; turn++) {
      // A few jobs per event-loop turn: each turn's jobs travel as one batch, several batches out.
      for (let k = 0; k <= turn % 3; k++) {
        const data = `turn ${turn} job ${k} Grüße`;
        if ((turn * 3 + k) % 17 === 5) jobs.push({ kind: 'bad', data, sig: handled(signOnSignerThread(rsa.privateKey, 'no-such-digest', data, 'utf8')) });
        else if (k === 1) jobs.push({ kind: 'ed', data, sig: signOnSignerThread(ed.privateKey, null, Buffer.from(data).toString('base64'), 'base64') });
        else jobs.push({ kind: 'rsa', data, sig: signOnSignerThread(rsa.privateKey, 'sha256', data, 'utf8') });
      }
      await new Promise((r) => setImmediate(r));
    }
    const settled = await Promise.allSettled(jobs.map((j) => j.sig));
    settled.forEach((r, i) => {
      const j = jobs[i]!;
      if (j.kind === 'bad') return expect(r.status).toBe('rejected');
      expect(r.status).toBe('fulfilled');
      const sig = Buffer.from((r as PromiseFulfilledResult<string>).value, 'base64');
      expect(j.kind === 'rsa' ? verify('sha256', Buffer.from(j.data), rsa.publicKey, sig) : verify(null, Buffer.from(j.data), ed.publicKey, sig), j.data).toBe(true);
    });
    expect(jobs.filter((j) => j.kind === 'bad').length).toBeGreaterThan(3);
  });

  it('rejects one failing signature with a clear error and keeps signing the others', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const bad = signOnSignerThread(rsa.privateKey, 'no-such-digest', 'x', 'utf8');
    const good = signOnSignerThread(rsa.privateKey, 'sha256', 'y', 'utf8');
    await expect(bad).rejects.toThrow(/DKIM signing failed/);
    expect(verify('sha256', Buffer.from('y'), rsa.publicKey, Buffer.from(await good, 'base64'))).toBe(true);
  });

  it('rejects signatures owed by a signer thread that ends as transient (retry later), then starts a new thread', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Rejected while the thread stops, before allSettled reads them: handled at once.
    const owed = Array.from({ length: 20 }, (_, i) => signOnSignerThread(rsa.privateKey, 'sha256', `m${i}`, 'utf8'));
    for (const p of owed) p.catch(() => undefined);
    await stopSignerThreads();
    const results = await Promise.allSettled(owed);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(r.reason).toBeInstanceOf(SignerUnavailableError);
      expect((r.reason as SignerUnavailableError).transient).toBe(true);
    }
    const sig = await signOnSignerThread(rsa.privateKey, 'sha256', 'after', 'utf8');
    expect(verify('sha256', Buffer.from('after'), rsa.publicKey, Buffer.from(sig, 'base64'))).toBe(true);
  });
});

describe('DKIM signer pool size', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  afterEach(async () => {
    configureSignerThreads(null);
    await stopSignerThreads();
  });

  it('adds a signer thread while the one it has is saturated (signing is the bottleneck)', async () => {
    await stopSignerThreads();
    configureSignerThreads({ base: 1, max: 2, windowMs: 40 });
    const owed = new Set<Promise<string>>();
    const deadline = Date.now() + 10_000;
    // Keep ~64 signatures owed, as a send loop with 64 in flight does, over several windows.
    while (signerThreadCount() < 2 && Date.now() < deadline) {
      while (owed.size < 64) {
        const p = signOnSignerThread(rsa.privateKey, 'sha256', `m${owed.size}`, 'utf8');
        owed.add(p);
        void p.finally(() => owed.delete(p));
      }
      await Promise.race(owed);
    }
    expect(signerThreadCount()).toBe(2);
    // Both threads sign: every caller still gets a valid signature of its own data.
    const sigs = await Promise.all(Array.from({ length: 16 }, (_, i) => signOnSignerThread(rsa.privateKey, 'sha256', `after ${i}`, 'utf8')));
    sigs.forEach((s, i) => expect(verify('sha256', Buffer.from(`after ${i}`), rsa.publicKey, Buffer.from(s, 'base64'))).toBe(true));
    await Promise.allSettled(owed);
  });

  it('keeps one signer thread while it has time to spare, and never passes max', async () => {
    await stopSignerThreads();
    configureSignerThreads({ base: 1, max: 2, windowMs: 20 });
    for (let i = 0; i < 15; i++) {
      await signOnSignerThread(rsa.privateKey, 'sha256', `slow ${i}`, 'utf8');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(signerThreadCount()).toBe(1);
    configureSignerThreads(1);
    await Promise.all(Array.from({ length: 400 }, (_, i) => signOnSignerThread(rsa.privateKey, 'sha256', `fixed ${i}`, 'utf8')));
    expect(signerThreadCount()).toBe(1);
  });
});
