// Verification API: POST /verify (one address, real time), bulk jobs with progress and CSV/JSON
// results. Thin: parse, authorise, call verify/.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { principalOf } from '../auth.js';
import { AppError, notFound } from '../../errors.js';
import { verifierFor } from '../../verify/engine.js';
import { addressesFromCsv, createVerifyJob, getVerifyJob, jobResults, RESULT_CSV_HEADER, resultCsvRow, type VerifyJob } from '../../verify/jobs.js';
import { jobRunnerFor } from '../../verify/service.js';

const CheckSchema = Type.Union([Type.Literal('syntax'), Type.Literal('dns'), Type.Literal('smtp')]);
const PolicySchema = Type.Union([Type.Literal('deliverable'), Type.Literal('rfc')]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const VerifyResultSchema = Type.Object({
  email: Type.String(),
  verdict: Type.Union([Type.Literal('deliverable'), Type.Literal('risky'), Type.Literal('undeliverable'), Type.Literal('unknown')]),
  score: Type.Integer({ minimum: 0, maximum: 100, description: 'risk: 0 safe, 100 certain to fail' }),
  reasons: Type.Array(Type.String()),
  normalized: Nullable(Type.String()),
  syntax: Type.Object({ valid: Type.Boolean(), diagnosis: Type.String() }),
  domain: Nullable(Type.String()),
  mx: Nullable(Type.Array(Type.String())),
  disposable: Nullable(Type.Boolean()),
  role: Nullable(Type.Boolean()),
  free: Nullable(Type.Boolean()),
  suggestion: Nullable(Type.String()),
  smtp: Nullable(Type.Object({
    status: Type.String(), catch_all: Nullable(Type.Boolean()), host: Nullable(Type.String()),
    code: Nullable(Type.Integer()), enhanced: Nullable(Type.String()), message: Nullable(Type.String()),
  })),
});

const VerifyBody = Type.Object({
  email: Type.String({ description: 'any string: invalid input gets an undeliverable verdict with a diagnosis' }),
  checks: Type.Optional(Type.Array(CheckSchema, { maxItems: 3, description: 'default ["syntax","dns"]' })),
  policy: Type.Optional(PolicySchema),
}, { additionalProperties: false });

const JobBody = Type.Object({
  emails: Type.Array(Type.String(), { minItems: 1, maxItems: 1_000_000 }),
  checks: Type.Optional(Type.Array(CheckSchema, { maxItems: 3 })),
  policy: Type.Optional(PolicySchema),
}, { additionalProperties: false });

const JobSchema = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  checks: Type.Array(Type.String()),
  policy: Type.String(),
  progress: Type.Object({ processed: Type.Integer(), total: Type.Integer(), verdicts: Type.Record(Type.String(), Type.Integer()) }),
  error: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
});

const jobJson = (j: VerifyJob): Static<typeof JobSchema> => ({
  id: j.id, status: j.status, checks: j.params.checks, policy: j.params.policy, progress: j.progress, error: j.error,
  created_at: new Date(j.createdAt).toISOString(), finished_at: j.finishedAt === null ? null : new Date(j.finishedAt).toISOString(),
});

export const verifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Bulk lists arrive as CSV (text/csv) as well as JSON; bounded like any body.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/verify', {
    schema: { tags: ['verify'], summary: 'Verify one address (real time, for signup forms)', body: VerifyBody, response: { 200: VerifyResultSchema } },
    preHandler: app.authorize('verify:run'),
  }, async (req) => {
    const p = principalOf(req);
    return verifierFor(app.ctx).verify(req.body.email, { checks: req.body.checks, policy: req.body.policy, workspaceId: p.workspaceId });
  });

  app.post('/verify/jobs', {
    schema: {
      tags: ['verify'],
      summary: 'Start a bulk verification job from a JSON list or a CSV body (column "email", else the first)',
      querystring: Type.Object({ checks: Type.Optional(Type.String({ description: 'comma-separated, for CSV bodies' })), policy: Type.Optional(PolicySchema) }),
      body: Type.Union([JobBody, Type.String()]),
      response: { 202: JobSchema },
    },
    preHandler: app.authorize('verify:run'),
  }, async (req, reply) => {
    const p = principalOf(req);
    let emails: string[];
    let checks = req.query.checks?.split(',').map((c) => c.trim()).filter(Boolean);
    let policy = req.query.policy;
    if (typeof req.body === 'string') {
      emails = addressesFromCsv(req.body);
    } else {
      emails = req.body.emails;
      checks = req.body.checks ?? checks;
      policy = req.body.policy ?? policy;
    }
    const valid = ['syntax', 'dns', 'smtp'] as const;
    if (checks && checks.some((c) => !(valid as readonly string[]).includes(c))) throw new AppError('bad_request', 'checks must be syntax, dns or smtp');
    const job = await createVerifyJob(app.ctx, p.workspaceId, p.actor, emails, {
      checks: (checks as Array<(typeof valid)[number]> | undefined) ?? ['syntax', 'dns'], policy: policy ?? 'deliverable',
    });
    jobRunnerFor(app.ctx).enqueue(job.id, p.workspaceId);
    reply.code(202);
    return jobJson(job);
  });

  app.get('/verify/jobs/:id', {
    schema: { tags: ['verify'], summary: 'Status and progress of a bulk verification job', params: Type.Object({ id: Type.Integer() }), response: { 200: JobSchema } },
    preHandler: app.authorize('verify:read'),
  }, async (req) => {
    const job = await getVerifyJob(app.ctx, principalOf(req).workspaceId, req.params.id);
    if (!job) throw notFound('job');
    return jobJson(job);
  });

  app.get('/verify/jobs/:id/results', {
    schema: {
      tags: ['verify'],
      summary: 'Results of a bulk job in submission order, as JSON (paged) or CSV (all)',
      params: Type.Object({ id: Type.Integer() }),
      querystring: Type.Object({
        format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
        after: Type.Optional(Type.Integer({ minimum: -1, default: -1 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
      }),
    },
    preHandler: app.authorize('verify:read'),
  }, async (req, reply) => {
    const job = await getVerifyJob(app.ctx, principalOf(req).workspaceId, req.params.id);
    if (!job) throw notFound('job');
    if (req.query.format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="verify-job-${job.id}.csv"`);
      const parts: string[] = [stringify([RESULT_CSV_HEADER as string[]])];
      for (let after = -1; ;) {
        const page = await jobResults(app.ctx, job.id, after, 5000);
        if (page.length === 0) break;
        parts.push(stringify(page.map((r) => resultCsvRow(r.email, r.result))));
        after = page[page.length - 1]!.seq;
      }
      return parts.join('');
    }
    const page = await jobResults(app.ctx, job.id, req.query.after ?? -1, req.query.limit ?? 1000);
    return { job: jobJson(job), results: page.map((r) => r.result ?? { email: r.email, verdict: null }), next_after: page.length ? page[page.length - 1]!.seq : null };
  });
};
