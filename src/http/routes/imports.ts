// Imports API: POST /imports streams the raw request body (CSV or NDJSON, any size) to a temp
// file under the data dir, checks it, and answers 202 with a job that runs in the background;
// GET /imports/:id reports progress and the result; GET /imports/:id/rejections the report.
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { AppError, notFound } from '../../errors.js';
import { getImportJob, listRejections, startImport, type ImportJob } from '../../imports/index.js';
import { IMPORT_BODY_LIMIT, spoolUpload } from '../../imports/uploads.js';
import { principalOf } from '../auth.js';

const STREAM_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/x-ndjson', 'application/ndjson', 'application/octet-stream'];

const Counts = {
  processed: Type.Integer(), imported: Type.Integer(), updated: Type.Integer(), skipped: Type.Integer(), invalid: Type.Integer(),
  existing: Type.Integer(), added_to_list: Type.Integer(), consent_rows: Type.Integer(),
};
const Rejection = Type.Object({ line: Type.Integer(), reason: Type.String(), detail: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]) });
const JobSchema = Type.Object({
  id: Type.Integer(),
  status: Type.String({ description: 'queued | running | succeeded | failed' }),
  list_id: Type.Union([Type.Integer(), Type.Null()]),
  mode: Type.String(),
  format: Type.String(),
  file_name: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Object({ ...Counts, total_bytes: Type.Integer(), bytes_read: Type.Integer(), committed_through_line: Type.Integer(), percent: Type.Number() }),
  result: Type.Union([Type.Null(), Type.Object({
    ...Counts,
    skipped_reasons: Type.Record(Type.String(), Type.Integer()),
    invalid_reasons: Type.Record(Type.String(), Type.Integer()),
    rejections: Type.Array(Rejection, { description: 'the first rejected rows; the full report is at /rejections' }),
    rejections_stored: Type.Integer(),
    rejections_truncated: Type.Boolean(),
    mapping: Type.Array(Type.Object({ column: Type.String(), target: Type.String() })),
    warnings: Type.Array(Type.String()),
    stopped_at_line: Type.Optional(Type.Integer()),
  })]),
  error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function jobView(j: ImportJob) {
  const pr = j.progress;
  return {
    id: j.id, status: j.status, list_id: j.params.listId, mode: j.params.mode, format: j.params.format, file_name: j.params.fileName ?? null,
    progress: { ...pr, percent: pr.total_bytes ? Math.min(100, Math.round((1000 * pr.bytes_read) / pr.total_bytes) / 10) : 0 },
    result: j.result, error: j.error,
    created_at: new Date(j.createdAt).toISOString(), finished_at: j.finishedAt === null ? null : new Date(j.finishedAt).toISOString(),
  };
}

/** A CSV cell a spreadsheet would run as a formula gets a leading quote (OWASP ASVS 5.0 1.2.10). */
const formulaSafe = (v: string | null) => (v && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v ?? '');

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Import bodies are handed through as a stream, never buffered; the size cap is enforced while spooling.
  app.addContentTypeParser(STREAM_TYPES, (_req, payload, done) => done(null, payload));

  app.post('/imports', {
    schema: {
      tags: ['imports'],
      summary: 'Import contacts from a CSV or NDJSON request body (runs in the background)',
      description: 'Send the file as the raw body (Content-Type text/csv, application/x-ndjson or application/octet-stream). ' +
        'Checks encoding and headers before answering: a file without an email column is a 422 and nothing is written.',
      querystring: Type.Object({
        list_id: Type.Optional(Type.Integer({ minimum: 1, description: 'the list every imported contact joins' })),
        mode: Type.Optional(Type.Union([Type.Literal('add'), Type.Literal('update'), Type.Literal('overwrite')], { default: 'add' })),
        format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('ndjson')])),
        encoding: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('utf8'), Type.Literal('latin1')])),
        delimiter: Type.Optional(Type.String({ maxLength: 1, minLength: 1 })),
        mapping: Type.Optional(Type.String({ maxLength: 20_000, description: 'JSON object: header → email|first_name|last_name|external_id|timezone|ignore|attribute:NAME' })),
        purpose: Type.Optional(Type.String({ maxLength: 100 })),
        wording_version: Type.Optional(Type.String({ maxLength: 100 })),
        verify: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('flag'), Type.Literal('accept')], { description: 'verification at import (offline checks): reject or flag rows that are not deliverable; default accept' })),
        file_name: Type.Optional(Type.String({ maxLength: 255 })),
      }),
      response: { 202: Type.Object({ job: JobSchema }) },
    },
    bodyLimit: IMPORT_BODY_LIMIT,
    preHandler: app.authorize('imports:write'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const q = req.query;
    const body = req.body as unknown;
    if (!body || typeof (body as Readable).pipe !== 'function') {
      throw new AppError('bad_request', `send the file as the raw request body with Content-Type ${STREAM_TYPES.slice(0, 3).join(', ')} or application/octet-stream`);
    }
    let mapping: Record<string, string> | undefined;
    if (q.mapping) {
      try {
        mapping = JSON.parse(q.mapping) as Record<string, string>;
      } catch {
        throw new AppError('bad_request', 'mapping must be a JSON object');
      }
      if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) throw new AppError('bad_request', 'mapping must be a JSON object');
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const format = q.format ?? (/ndjson/.test(contentType) ? 'ndjson' : 'csv');
    const path = await spoolUpload(app.ctx.config.dataDir, body as Readable);
    const { job } = await startImport(app.ctx, {
      workspaceId: p.workspaceId, actor: p.actor, ip: req.ip, path, deleteAfter: true, listId: q.list_id ?? null, mode: q.mode, format,
      encoding: q.encoding, delimiter: q.delimiter === undefined ? null : q.delimiter, mapping, purpose: q.purpose, wordingVersion: q.wording_version,
      fileName: q.file_name ?? null, verify: q.verify,
    });
    return reply.status(202).send({ job: jobView(job) });
  });

  app.get('/imports/:id', {
    schema: { tags: ['imports'], summary: 'An import job: progress, and counts with rejected rows when done', params: Type.Object({ id: Type.Integer() }), response: { 200: JobSchema } },
    preHandler: app.authorize('imports:read'),
  }, async (req) => {
    const job = await getImportJob(app.ctx, principalOf(req).workspaceId, req.params.id);
    if (!job) throw notFound('import');
    return jobView(job);
  });

  app.get('/imports/:id/rejections', {
    schema: {
      tags: ['imports'],
      summary: 'The rejection report of an import: line and reason of every row not imported (CSV or JSON)',
      params: Type.Object({ id: Type.Integer() }),
      querystring: Type.Object({
        format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
        after_line: Type.Optional(Type.Integer({ minimum: 0 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
      }),
    },
    preHandler: app.authorize('imports:read'),
  }, async (req, reply) => {
    const ws = principalOf(req).workspaceId;
    const job = await getImportJob(app.ctx, ws, req.params.id);
    if (!job) throw notFound('import');
    const limit = req.query.limit ?? 1000;
    const rows = await listRejections(app.ctx, ws, job.id, { afterLine: req.query.after_line, limit });
    const next = rows.length === limit ? (rows.at(-1)?.line ?? null) : null;
    if (req.query.format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8');
      if (next !== null) reply.header('x-next-after-line', String(next));
      return stringify([['line', 'reason', 'detail', 'email'], ...rows.map((r) => [String(r.line), r.reason, formulaSafe(r.detail), formulaSafe(r.email)])]);
    }
    return { job_id: job.id, rejections: rows, next_after_line: next, truncated: job.result?.rejections_truncated ?? false };
  });
};
