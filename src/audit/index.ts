// The audit log: who did what to which target, for logins, imports, exports, deletions,
// settings and permission changes. Append-only from application code.
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { toJson } from '../db/dialect.js';

export interface AuditEntry {
  workspaceId: number | null;
  /** "user:12", "api_key:3", "cli", "system". */
  actor: string;
  action: string; // dotted: auth.login, contacts.import, settings.update, …
  targetType?: string | null;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordAudit(db: Database, clock: Clock, e: AuditEntry): Promise<void> {
  const [actorType, actorId] = e.actor.includes(':') ? (e.actor.split(':', 2) as [string, string]) : [e.actor, null];
  await db
    .insertInto('audit_log')
    .values({
      workspace_id: e.workspaceId,
      actor_type: actorType,
      actor_id: actorId,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId === undefined || e.targetId === null ? null : String(e.targetId),
      details: toJson(e.details ?? {}),
      ip: e.ip ?? null,
      created_at: clock.now(),
    })
    .execute();
}
