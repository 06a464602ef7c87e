// Sending domains: DKIM keys and the DNS records to publish; re-check DNS on demand.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkSendingDomain, createSendingDomain, deleteSendingDomain, getSendingDomain, listSendingDomains, type SendingDomain } from '../../domains/index.js';
import { principalOf } from '../auth.js';

const Check = Type.Object({ ok: Type.Boolean(), found: Type.Array(Type.String()), message: Type.String() });
const DomainSchema = Type.Object({
  id: Type.Integer(), domain: Type.String(), selector: Type.String(), algorithm: Type.Union([Type.Literal('rsa'), Type.Literal('ed25519')]),
  status: Type.String(), public_key: Type.String(),
  dns_records: Type.Array(Type.Object({ type: Type.String(), name: Type.String(), value: Type.String(), strings: Type.Array(Type.String()), purpose: Type.String(), note: Type.String() })),
  checks: Type.Union([Type.Object({ dkim: Check, spf: Check, dmarc: Check }), Type.Null()]),
  last_checked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

function toJson(d: SendingDomain) {
  return {
    id: d.id, domain: d.domain, selector: d.selector, algorithm: d.algorithm, status: d.status, public_key: d.publicKey, dns_records: d.records, checks: d.checks,
    last_checked_at: d.lastCheckedAt === null ? null : new Date(d.lastCheckedAt).toISOString(), created_at: new Date(d.createdAt).toISOString(),
  };
}

export const domainRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  app.get('/domains', {
    schema: { tags: ['domains'], summary: 'List sending domains', response: { 200: Type.Object({ data: Type.Array(DomainSchema) }) } },
    preHandler: app.authorize('domains:read'),
  }, async (req) => ({ data: (await listSendingDomains(ctx, principalOf(req).workspaceId)).map(toJson) }));

  app.post('/domains', {
    schema: {
      tags: ['domains'], summary: 'Add a sending domain: generates a DKIM key and returns the DNS records to publish',
      body: Type.Object({
        domain: Type.String({ minLength: 3, maxLength: 253 }),
        selector: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
        algorithm: Type.Optional(Type.Union([Type.Literal('rsa'), Type.Literal('ed25519')], { default: 'rsa' })),
      }, { additionalProperties: false }),
      response: { 201: DomainSchema },
    },
    preHandler: app.authorize('domains:write'),
  }, async (req, reply) => reply.status(201).send(toJson(await createSendingDomain(ctx, principalOf(req), req.body))));

  app.get('/domains/:id', {
    schema: { tags: ['domains'], summary: 'A sending domain with its DNS records and last check', params: IdParams, response: { 200: DomainSchema } },
    preHandler: app.authorize('domains:read'),
  }, async (req) => toJson(await getSendingDomain(ctx, principalOf(req).workspaceId, req.params.id)));

  app.delete('/domains/:id', {
    schema: { tags: ['domains'], summary: 'Delete a sending domain and its key', params: IdParams, response: { 204: Type.Null() } },
    preHandler: app.authorize('domains:write'),
  }, async (req, reply) => {
    await deleteSendingDomain(ctx, principalOf(req), req.params.id);
    return reply.status(204).send(null);
  });

  app.post('/domains/:id/check', {
    schema: { tags: ['domains'], summary: 'Re-check the DNS records and update the status', params: IdParams, response: { 200: DomainSchema } },
    preHandler: app.authorize('domains:write'),
  }, async (req) => toJson(await checkSendingDomain(ctx, principalOf(req), req.params.id)));
};
