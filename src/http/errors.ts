// Maps every thrown error to the API's error shape { error: { code, message, details } }.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export function errorBody(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}

export function handleError(err: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof AppError) {
    const retryAfter = (err.details as { retry_after?: unknown } | null)?.retry_after;
    if (err.code === 'rate_limited' && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(err.status).send(errorBody(err.code, err.message, err.details));
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const details = fe.validation.map((v) => ({ path: v.instancePath || (v.params as { missingProperty?: string })?.missingProperty || '', message: v.message }));
    void reply.status(400).send(errorBody('bad_request', `invalid request: ${fe.message}`, details));
    return;
  }
  if (fe.statusCode === 413 || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.status(413).send(errorBody('payload_too_large', 'request body too large'));
    return;
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    void reply.status(fe.statusCode).send(errorBody(fe.statusCode === 404 ? 'not_found' : 'bad_request', fe.message));
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.status(500).send(errorBody('internal', 'internal error'));
}
