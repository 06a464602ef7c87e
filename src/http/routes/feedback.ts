// ESP feedback webhooks: POST /api/v1/webhooks/feedback/{ses,sendgrid,mailgun,postmark}. No API
// key: each provider's signature (or Basic credentials) is the authentication, verified before
// anything is parsed into state. Every event is recorded once (provider event id as dedupe key).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { recordFeedback } from '../../feedback/effects.js';
import { FEED_KINDS, listFeedbackEvents } from '../../feedback/feed.js';
import { principalOf } from '../auth.js';
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

const FeedbackEventSchema = Type.Object({
  id: Type.Integer(), source: Type.String(), kind: Type.String(), email: Type.Union([Type.String(), Type.Null()]), reason: Type.String(), hard: Type.Boolean(),
  status: Type.Union([Type.String(), Type.Null()]), reply_code: Type.Union([Type.Integer(), Type.Null()]), diagnostic: Type.Union([Type.String(), Type.Null()]),
  feedback_type: Type.Union([Type.String(), Type.Null()]), campaign_id: Type.Union([Type.Integer(), Type.Null()]), contact_id: Type.Union([Type.Integer(), Type.Null()]),
  occurred_at: Type.String({ format: 'date-time' }),
});

/** GET /api/v1/feedback/events: the bounce and complaint feed of the caller's workspace, newest first. */
export const feedbackEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/feedback/events', {
    schema: {
      tags: ['feedback'], summary: 'Bounces, complaints and other feedback received (newest first, keyset pages)',
      querystring: Type.Object({
        kind: Type.Optional(Type.Union(FEED_KINDS.map((k) => Type.Literal(k)))),
        email: Type.Optional(Type.String({ maxLength: 320 })),
        cursor: Type.Optional(Type.String({ maxLength: 100 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }),
      response: { 200: Type.Object({ data: Type.Array(FeedbackEventSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
    preHandler: app.authorize('feedback:read'),
  }, async (req) => {
    const page = await listFeedbackEvents(app.ctx, principalOf(req).workspaceId, req.query);
    return {
      data: page.data.map((e) => ({
        id: e.id, source: e.source, kind: e.kind, email: e.email, reason: e.reason, hard: e.hard, status: e.status, reply_code: e.replyCode,
        diagnostic: e.diagnostic, feedback_type: e.feedbackType, campaign_id: e.campaignId, contact_id: e.contactId, occurred_at: new Date(e.occurredAt).toISOString(),
      })),
      next_cursor: page.nextCursor,
    };
  });
};
