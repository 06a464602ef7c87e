// Idempotency-Key for POST routes: the first request with a key wins a unique insert on
// (workspace_id, key) and its response is stored; a retry with the same body gets that response
// replayed, a different body gets 422 idempotency_conflict. Keys are scoped per workspace.
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import type { Permission } from '../auth/permissions.js';
import { AppError } from '../errors.js';
import { principalOf } from './auth.js';

/** Stored responses are replayed for 24 hours; after that the key may be used afresh. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_RE = /^[\x21-\x7e]{1,200}$/;
// status_code 0 marks a request still running under this key.
const IN_FLIGHT = 0;

interface Claim {
  workspaceId: number;
  key: string;
}
const claims = new WeakMap<FastifyRequest, Claim>();

/** JSON with sorted keys, so {"a":1,"b":2} and {"b":2,"a":1} are the same request. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function requestHash(req: FastifyRequest): string {
  return createHash('sha256').update(`${req.method} ${req.url}\n${canonicalJson(req.body)}`).digest('hex');
}

async function claimKey(req: FastifyRequest, claim: Claim, hash: string): Promise<boolean> {
  const { db, clock } = req.server.ctx;
  const res = await db.insertInto('idempotency_keys').values({
    workspace_id: claim.workspaceId, key: claim.key, method: req.method, path: req.url.slice(0, 2000),
    request_hash: hash, status_code: IN_FLIGHT, response: '', created_at: clock.now(),
  }).onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export const idempotencyPreHandler: preHandlerAsyncHookHandler = async (req: FastifyRequest, reply: FastifyReply) => {
  if (req.method !== 'POST') return;
  const header = req.headers['idempotency-key'];
  if (header === undefined) return;
  if (typeof header !== 'string' || !KEY_RE.test(header)) throw new AppError('bad_request', 'Idempotency-Key must be 1-200 visible ASCII characters');
  const claim: Claim = { workspaceId: principalOf(req).workspaceId, key: header };
  const hash = requestHash(req);
  const { db, clock } = req.server.ctx;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await claimKey(req, claim, hash)) {
      claims.set(req, claim);
      return;
    }
    const row = await db.selectFrom('idempotency_keys').selectAll().where('workspace_id', '=', claim.workspaceId).where('key', '=', claim.key).executeTakeFirst();
    if (!row) continue; // expired and removed by a concurrent request: try to claim again
    if (Number(row.created_at) < clock.now() - IDEMPOTENCY_TTL_MS) {
      await db.deleteFrom('idempotency_keys').where('workspace_id', '=', claim.workspaceId).where('key', '=', claim.key).where('created_at', '=', row.created_at).execute();
      continue;
    }
    if (row.request_hash !== hash) {
      throw new AppError('idempotency_conflict', 'this Idempotency-Key was already used with a different request', { key: claim.key });
    }
    if (Number(row.status_code) === IN_FLIGHT) throw new AppError('conflict', 'a request with this Idempotency-Key is still in progress; retry later');
    return reply.code(Number(row.status_code)).header('content-type', 'application/json; charset=utf-8').header('idempotent-replayed', 'true').send(row.response);
  }
  throw new AppError('conflict', 'could not claim the Idempotency-Key; retry');
};

/** Stores the winner's response; a 5xx (or unstorable body) frees the key so the client can retry. */
export const idempotencyOnSend: onSendAsyncHookHandler<unknown> = async (req, reply, payload) => {
  const claim = claims.get(req);
  if (!claim) return payload;
  claims.delete(req);
  const { db } = req.server.ctx;
  const where = db.updateTable('idempotency_keys').where('workspace_id', '=', claim.workspaceId).where('key', '=', claim.key);
  if (reply.statusCode >= 500 || (typeof payload !== 'string' && payload !== null && payload !== undefined)) {
    await db.deleteFrom('idempotency_keys').where('workspace_id', '=', claim.workspaceId).where('key', '=', claim.key).execute();
  } else {
    await where.set({ status_code: reply.statusCode, response: typeof payload === 'string' ? payload : '' }).execute();
  }
  return payload;
};

/** Route options for a POST that changes state: permission check, then Idempotency-Key handling. */
export function idempotentWrite(app: FastifyInstance, ...permissions: Permission[]) {
  return { preHandler: [...permissions.map((p) => app.authorize(p)), idempotencyPreHandler], onSend: idempotencyOnSend };
}

/** The header schema every idempotent POST documents (it shows up in OpenAPI). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ maxLength: 200, description: 'Retry-safe key: the same key and body replay the first response for 24 h; another body gives 422 idempotency_conflict.' })),
});
