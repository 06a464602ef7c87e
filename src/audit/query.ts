// Reading the audit log: newest first, keyset-paginated by id inside one workspace
// (index audit_log_ws_id_idx), filtered by action (exact or "prefix.*"), actor and time.
import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { fromJson } from '../db/dialect.js';
import { AppError } from '../errors.js';

export interface AuditRecord {
  id: number;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  createdAt: number;
}

export interface AuditQuery {
  /** Opaque cursor from a previous page (the last id seen). */
  cursor?: string | null;
  limit?: number;
  /** "auth.login" (exact) or "auth.*" (every action under auth.). */
  action?: string | null;
  /** "user:12", "api_key:3", "cli", "system", "anonymous". */
  actor?: string | null;
  /** Epoch ms, inclusive. */
  since?: number | null;
  /** Epoch ms, exclusive. */
  until?: number | null;
}

export const MAX_AUDIT_PAGE = 500;

function parseCursor(cursor: string): number {
  const id = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('bad_request', 'invalid cursor');
  return id;
}

const encodeCursor = (id: number): string => Buffer.from(String(id)).toString('base64url');


export async function listAuditEntries(
  db: Database,
  workspaceId: number,
  q: AuditQuery = {},
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 50)), MAX_AUDIT_PAGE);
  let query = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
  if (q.cursor) query = query.where('id', '<', parseCursor(q.cursor));
  if (q.action) {
    query = q.action.endsWith('.*')
      // substr, not LIKE: no wildcard escaping, and the same semantics on SQLite and PostgreSQL.
      ? query.where(sql<boolean>`substr(action, 1, ${q.action.length - 1}) = ${q.action.slice(0, -1)}`)
      : query.where('action', '=', q.action);
  }
  if (q.actor) {
    const i = q.actor.indexOf(':');
    query = i > 0
      ? query.where('actor_type', '=', q.actor.slice(0, i)).where('actor_id', '=', q.actor.slice(i + 1))
      : query.where('actor_type', '=', q.actor).where('actor_id', 'is', null);
  }
  if (q.since != null) query = query.where('created_at', '>=', q.since);
  if (q.until != null) query = query.where('created_at', '<', q.until);
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const items = page.map((r) => ({
    id: Number(r.id),
    actor: r.actor_id === null ? r.actor_type : `${r.actor_type}:${r.actor_id}`,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: fromJson<Record<string, unknown>>(r.details, {}),
    ip: r.ip,
    createdAt: Number(r.created_at),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
