import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/delivery/classify.js';
import { Pacer, Semaphore } from '../../src/delivery/throttle.js';
import { createSmtpTransport } from '../../src/delivery/transports/smtp.js';

describe('SMTP route: STARTTLS and AUTH from the URL', () => {
  let server: SMTPServer;
  let port = 0;
  const got: Array<{ user: string | undefined; secure: boolean; from: string; to: string[] }> = [];
  const bodies: string[] = [];
  beforeAll(async () => {
    server = new SMTPServer({
      logger: false,
      authMethods: ['PLAIN', 'LOGIN'],
      // smtp-server's bundled self-signed certificate; the URL opts in with tls_insecure=1.
      onAuth(auth, _s, cb) {
        if (auth.username === 'mailer' && auth.password === 'p@ss word') return cb(null, { user: auth.username });
        cb(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          bodies.push(Buffer.concat(chunks).toString('utf8'));
          got.push({ user: session.user as string | undefined, secure: session.secure, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const msg = { workspaceId: 1, campaignId: null, deliveryId: null, envelopeFrom: 'bounce+x@b.example.com', envelopeTo: 'ann@example.org', subject: 's', raw: 'From: a@example.com\r\nTo: ann@example.org\r\nSubject: s\r\n\r\nhi\r\n' };

  it('upgrades with STARTTLS, authenticates with URL credentials and sends the raw message with its envelope', async () => {
    const t = createSmtpTransport({ url: `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${port}?tls_insecure=1` });
    const r = await t.send(msg);
    await t.close();
    expect(r.outcome).toBe('sent');
    expect(got.at(-1)).toEqual({ user: 'mailer', secure: true, from: 'bounce+x@b.example.com', to: ['ann@example.org'] });
  });

  it('hands the raw message over unchanged (dot-stuffed on the wire only) and sends IDN domains as A-labels', async () => {
    // The pool gets the pre-built message directly (no MailComposer): nothing may rewrite it,
    // and a line starting with "." must survive SMTP transparency (RFC 5321 §4.5.2).
    const raw = 'From: a@example.com\r\nTo: ann@example.org\r\nSubject: s\r\n\r\n.leading dot\r\n..two\r\nKöln ✓\r\n.\r\nend\r\n';
    const t = createSmtpTransport({ url: `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${port}?tls_insecure=1` });
    const r = await t.send({ ...msg, envelopeTo: 'jörg@bücher.example', raw });
    await t.close();
    expect(r.outcome).toBe('sent');
    expect(bodies.at(-1)).toBe(raw);
    // smtp-server reports the domain decoded again (U-label): same mailbox, valid A-label on the wire.
    expect(got.at(-1)?.to).toEqual(['jörg@bücher.example']);
  });

  it('refuses an envelope address with a line break before anything reaches the server', async () => {
    const before = got.length;
    const t = createSmtpTransport({ url: `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${port}?tls_insecure=1` });
    const r = await t.send({ ...msg, envelopeTo: 'ann@example.org>\r\nRCPT TO:<eve@example.net' });
    await t.close();
    expect(r.outcome).not.toBe('sent');
    expect(got.length).toBe(before);
  });

  it('classifies wrong credentials as a permanent failure with the 535 code', async () => {
    const t = createSmtpTransport({ url: `smtp://mailer:wrong@127.0.0.1:${port}?tls_insecure=1` });
    const r = await t.send(msg);
    await t.close();
    expect(r.outcome).toBe('failed');
    expect(r.code).toBe(535);
  });
});

describe('classification and throttles', () => {
  it('keeps reply codes and enhanced status; no reply code means retry', () => {
    expect(classifyError({ responseCode: 550, response: '550 5.1.1 <a@b>: User unknown' })).toMatchObject({ outcome: 'failed', code: 550, enhanced: '5.1.1' });
    expect(classifyError({ responseCode: 421, response: '421 4.7.0 Try later' })).toMatchObject({ outcome: 'deferred', code: 421, enhanced: '4.7.0' });
    expect(classifyError({ code: 'ETIMEDOUT', message: 'Timeout' })).toMatchObject({ outcome: 'deferred', code: null });
  });

  it('paces to the configured rate and bounds concurrency', async () => {
    const pacer = new Pacer(1000);
    const t0 = performance.now();
    for (let i = 0; i < 1150; i++) await pacer.wait();
    // A token bucket with a one-second burst: 1,000 at once, the next 150 at 1,000/s (≥ ~150 ms).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    const sem = new Semaphore(2);
    await sem.acquire();
    await sem.acquire();
    let third = false;
    const p = sem.acquire().then(() => { third = true; });
    await Promise.resolve();
    expect(third).toBe(false);
    sem.release();
    await p;
    expect(third).toBe(true);
  });
});
