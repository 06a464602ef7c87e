// ESP webhooks on both databases: each provider's signature is verified (forgeries and replays
// refused), events update ledger, contact and suppression list, and redelivery changes state once.
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { snsStringToSign } from '../../src/feedback/webhooks/ses.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { seedCampaign, type Seeded } from './seed.js';

const keys = join(import.meta.dirname, '../fixtures/feedback-webhooks');
const SNS_KEY = readFileSync(join(keys, 'sns-test.key'), 'utf8');
const SNS_CERT = readFileSync(join(keys, 'sns-test.crt'), 'utf8');
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
const DOMAIN = 'bounces.example.com';
const sg = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SG_PUBLIC = sg.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const MAILGUN_KEY = 'key-mailgun-signing-test-0123456789';
const POSTMARK_AUTH = 'postmark:s3cret-password';

function snsEnvelope(message: unknown, id: string, opts: { topic?: string; type?: string } = {}) {
  const m: Record<string, string> = {
    Type: opts.type ?? 'Notification', MessageId: id, TopicArn: opts.topic ?? TOPIC, Message: JSON.stringify(message),
    Timestamp: '2026-05-14T09:12:05.000Z', SignatureVersion: '2', SigningCertURL: CERT_URL,
  };
  m.Signature = createSign('RSA-SHA256').update(snsStringToSign(m)).sign(SNS_KEY, 'base64');
  return m;
}

describeEachDb('feedback webhooks', (dialect) => {
  let s: Seeded;
  const clock = new ManualClock();
  const fetched: string[] = [];
  beforeEach(() => clock.set(Date.UTC(2026, 4, 14, 9, 15)));
  const env = useTestEnv(dialect, {
    each: true,
    clock,
    config: { bounceDomain: DOMAIN, sesTopicArns: [TOPIC], sendgridWebhookPublicKey: SG_PUBLIC, mailgunSigningKey: MAILGUN_KEY, postmarkWebhookAuth: POSTMARK_AUTH },
    prepare: (ctx) => {
      ctx.httpGet = async (url) => {
        fetched.push(url);
        return SNS_CERT;
      };
    },
  });
  beforeEach(async () => {
    s = await seedCampaign(env.ctx);
  });

  const stateOf = async (i: number) => {
    const d = s.deliveries[i]!;
    return {
      delivery: (await env.ctx.db.selectFrom('deliveries').select('status').where('id', '=', d.id).executeTakeFirstOrThrow()).status,
      contact: (await env.ctx.db.selectFrom('contacts').select('status').where('id', '=', d.contactId).executeTakeFirstOrThrow()).status,
      suppression: (await env.ctx.db.selectFrom('suppressions').select('reason').where('email', '=', d.email).executeTakeFirst())?.reason ?? null,
    };
  };

  it('SES (SNS-signed): a permanent bounce suppresses; the same notification again is a duplicate', async () => {
    const d = s.deliveries[0]!;
    const event = { notificationType: 'Bounce', mail: { source: `bounce+${d.token}@${DOMAIN}`, messageId: 'ses-1', timestamp: '2026-05-14T09:12:00.000Z', commonHeaders: { messageId: `<${d.messageId}>` } },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', feedbackId: 'fb-1', bouncedRecipients: [{ emailAddress: d.email, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] } };
    const body = snsEnvelope(event, 'sns-1');
    const r1 = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: body });
    expect(r1.json()).toEqual({ recorded: 1, duplicates: 0, unmatched: 0 });
    expect(await stateOf(0)).toEqual({ delivery: 'failed', contact: 'bounced', suppression: 'hard_bounce' });
    const r2 = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: body });
    expect(r2.json()).toEqual({ recorded: 0, duplicates: 1, unmatched: 0 });
    expect(fetched.filter((u) => u === CERT_URL)).toHaveLength(1); // certificate cached
  });

  it('SES: refuses a forged signature, a certificate URL outside amazonaws.com and a foreign topic', async () => {
    const d = s.deliveries[1]!;
    const event = { notificationType: 'Complaint', mail: { source: `bounce+${d.token}@${DOMAIN}` }, complaint: { complainedRecipients: [{ emailAddress: d.email }], feedbackId: 'c-1' } };
    const forged = { ...snsEnvelope(event, 'sns-2'), Message: JSON.stringify({ ...event, complaint: { complainedRecipients: [{ emailAddress: 'other@example.net' }] } }) };
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: forged })).statusCode).toBe(401);
    const evilCert = { ...snsEnvelope(event, 'sns-3'), SigningCertURL: 'https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem' };
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: evilCert })).statusCode).toBe(401);
    const foreign = snsEnvelope(event, 'sns-4', { topic: 'arn:aws:sns:eu-west-1:999999999999:attacker' });
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: foreign })).statusCode).toBe(403);
    expect(await stateOf(1)).toEqual({ delivery: 'sent', contact: 'active', suppression: null });
    const ok = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: snsEnvelope(event, 'sns-5') });
    expect(ok.json()).toMatchObject({ recorded: 1 });
    expect(await stateOf(1)).toMatchObject({ contact: 'complained', suppression: 'complaint' });
  });

  it('SES: confirms a subscription only for an allowed topic', async () => {
    const m: Record<string, string> = { Type: 'SubscriptionConfirmation', MessageId: 'sub-1', Token: 'tok', TopicArn: TOPIC, Message: 'confirm',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok', Timestamp: '2026-05-14T09:12:05.000Z', SignatureVersion: '1', SigningCertURL: CERT_URL };
    m.Signature = createSign('RSA-SHA1').update(snsStringToSign(m)).sign(SNS_KEY, 'base64');
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/ses', payload: m })).statusCode).toBe(200);
    expect(fetched).toContain(m.SubscribeURL);
  });

  it('SendGrid (ECDSA-signed): bounce suppresses, blocked does not, stale or forged signatures are refused', async () => {
    const [a, b] = s.deliveries;
    const events = [
      { email: a!.email, event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist.', sg_event_id: 'ev-1', 'smtp-id': `<${a!.messageId}>`, timestamp: 1778750000 },
      { email: b!.email, event: 'bounce', type: 'blocked', status: '5.7.1', reason: '554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org', sg_event_id: 'ev-2', 'smtp-id': `<${b!.messageId}>`, timestamp: 1778750000 },
    ];
    const raw = JSON.stringify(events);
    const sign = (ts: string, body: string) => createSign('sha256').update(ts + body).sign(sg.privateKey, 'base64');
    const ts = String(Math.floor(clock.now() / 1000));
    const headers = (t: string, sig: string) => ({ 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': sig, 'x-twilio-email-event-webhook-timestamp': t });
    const tampered = raw.replace('ev-2', 'ev-9');
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/sendgrid', headers: headers(ts, sign(ts, raw)), payload: tampered })).statusCode).toBe(401);
    const stale = String(Math.floor(clock.now() / 1000) - 3600);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/sendgrid', headers: headers(stale, sign(stale, raw)), payload: raw })).statusCode).toBe(401);
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/sendgrid', headers: headers(ts, sign(ts, raw)), payload: raw });
    expect(res.json()).toEqual({ recorded: 2, duplicates: 0, unmatched: 0 });
    expect(await stateOf(0)).toEqual({ delivery: 'failed', contact: 'bounced', suppression: 'hard_bounce' });
    expect((await stateOf(1)).suppression).toBeNull();
    expect((await stateOf(1)).contact).toBe('active');
  });

  it('Mailgun (HMAC-signed): permanent failure suppresses, complaint suppresses, bad HMAC refused, redelivery is a duplicate', async () => {
    const [a, b] = s.deliveries;
    const signed = (eventData: unknown, token: string) => {
      const timestamp = String(Math.floor(clock.now() / 1000));
      return { signature: { timestamp, token, signature: createHmac('sha256', MAILGUN_KEY).update(timestamp + token).digest('hex') }, 'event-data': eventData };
    };
    const failed = { id: 'mg-1', event: 'failed', severity: 'permanent', recipient: a!.email, timestamp: 1778750000.5, message: { headers: { 'message-id': a!.messageId } },
      'delivery-status': { code: 550, message: '5.1.1 The email account that you tried to reach does not exist', description: '' } };
    const body = signed(failed, 'tok-1');
    const bad = { ...body, signature: { ...body.signature, signature: 'f'.repeat(64) } };
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/mailgun', payload: bad })).statusCode).toBe(401);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/mailgun', payload: body })).json()).toEqual({ recorded: 1, duplicates: 0, unmatched: 0 });
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/mailgun', payload: signed(failed, 'tok-2') })).json()).toEqual({ recorded: 0, duplicates: 1, unmatched: 0 });
    expect(await stateOf(0)).toEqual({ delivery: 'failed', contact: 'bounced', suppression: 'hard_bounce' });
    await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/mailgun', payload: signed({ id: 'mg-2', event: 'complained', recipient: b!.email, message: { headers: { 'message-id': b!.messageId } } }, 'tok-3') });
    expect(await stateOf(1)).toMatchObject({ contact: 'complained', suppression: 'complaint' });
  });

  it('Postmark (Basic auth): hard bounce suppresses via Metadata VERP token; wrong credentials refused', async () => {
    const d = s.deliveries[2]!;
    const body = { RecordType: 'Bounce', ID: 4323372036, Type: 'HardBounce', TypeCode: 1, Email: d.email, BouncedAt: '2026-05-14T09:13:00Z',
      Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist', Metadata: { verp_token: d.token } };
    const auth = (cred: string) => ({ authorization: `Basic ${Buffer.from(cred).toString('base64')}` });
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/postmark', headers: auth('postmark:wrong'), payload: body })).statusCode).toBe(401);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/postmark', payload: body })).statusCode).toBe(401);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/feedback/postmark', headers: auth(POSTMARK_AUTH), payload: body })).json()).toEqual({ recorded: 1, duplicates: 0, unmatched: 0 });
    expect(await stateOf(2)).toEqual({ delivery: 'failed', contact: 'bounced', suppression: 'hard_bounce' });
  });
});
