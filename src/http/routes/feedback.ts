// ESP feedback webhooks: POST /api/v1/webhooks/feedback/{ses,sendgrid,mailgun,postmark}. No API
// key: each provider's signature (or Basic credentials) is the authentication, verified before
// anything is parsed into state. Every event is recorded once (provider event id as dedupe key).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { recordFeedback } from '../../feedback/effects.js';
import { WebhookRejected, type WebhookNotification } from '../../feedback/webhooks/common.js';
import { parseMailgun, verifyMailgun } from '../../feedback/webhooks/mailgun.js';
import { parsePostmark, verifyPostmark } from '../../feedback/webhooks/postmark.js';
import { parseSendgrid, sendgridKey, verifySendgrid } from '../../feedback/webhooks/sendgrid.js';
import { parseSes } from '../../feedback/webhooks/ses.js';

const Outcome = Type.Object({ recorded: Type.Integer(), duplicates: Type.Integer(), unmatched: Type.Integer() });

async function defaultHttpGet(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

export const feedbackWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const certCache = new Map<string, string>();
  // SendGrid signs the exact bytes: keep the raw body next to the parsed one (this plugin only).
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (req, body, done) => {
    (req as FastifyRequest & { rawBody?: string }).rawBody = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AppError('bad_request', 'body is not JSON'), undefined);
    }
  });

  const record = async (source: string, notifications: WebhookNotification[]) => {
    const total = { recorded: 0, duplicates: 0, unmatched: 0 };
    for (const n of notifications) {
      const o = await recordFeedback(ctx, { result: n.result, source, notificationId: n.notificationId, verpToken: n.verpToken, messageId: n.messageId, occurredAt: n.occurredAt ?? undefined });
      total.recorded += o.recorded;
      total.duplicates += o.duplicates;
      total.unmatched += o.unmatched;
    }
    return total;
  };
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WebhookRejected) throw new AppError(err.status === 401 ? 'unauthorized' : err.status === 403 ? 'forbidden' : 'bad_request', err.message);
      throw err;
    }
  };
  const schema = (provider: string) => ({ tags: ['feedback'], summary: `${provider} bounce and complaint webhook (signature-verified)`, response: { 200: Outcome } });

  app.post('/webhooks/feedback/ses', { schema: schema('Amazon SES (SNS)') }, async (req) => guard(async () => {
    const notifications = await parseSes(req.body, { topicArns: ctx.config.sesTopicArns ?? [], bounceDomain: ctx.config.bounceDomain, httpGet: ctx.httpGet ?? defaultHttpGet, certCache });
    return record('ses', notifications);
  }));

  app.post('/webhooks/feedback/sendgrid', { schema: schema('SendGrid') }, async (req) => guard(async () => {
    const key = ctx.config.sendgridWebhookPublicKey;
    if (!key) throw new WebhookRejected('SendGrid webhook is not configured', 403);
    const h = req.headers;
    verifySendgrid(sendgridKey(key), (req as FastifyRequest & { rawBody?: string }).rawBody ?? '', h['x-twilio-email-event-webhook-signature'] as string | undefined, h['x-twilio-email-event-webhook-timestamp'] as string | undefined, ctx.clock.now());
    return record('sendgrid', parseSendgrid(req.body));
  }));

  app.post('/webhooks/feedback/mailgun', { schema: schema('Mailgun') }, async (req) => guard(async () => {
    const key = ctx.config.mailgunSigningKey;
    if (!key) throw new WebhookRejected('Mailgun webhook is not configured', 403);
    verifyMailgun(key, req.body, ctx.clock.now());
    return record('mailgun', parseMailgun(req.body));
  }));

  app.post('/webhooks/feedback/postmark', { schema: schema('Postmark') }, async (req) => guard(async () => {
    const expected = ctx.config.postmarkWebhookAuth;
    if (!expected) throw new WebhookRejected('Postmark webhook is not configured', 403);
    verifyPostmark(expected, req.headers.authorization);
    return record('postmark', await parsePostmark(req.body));
  }));
};
