// Browser sessions: an opaque random cookie whose sha256 is the row id; each carries a CSRF token.
// A session dies at expiry, at sign-out, when the user's password changes after it was made, and
// (when configured) after an idle period measured from last_seen_at, which use keeps current.
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { randomToken, sha256Hex } from '../lib/crypto.js';

export const SESSION_COOKIE = 'postlane_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** last_seen_at is written at most this often per session, so a busy UI does not write on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface SessionRecord {
  id: string;
  userId: number;
  workspaceId: number;
  role: string;
  csrfToken: string;
}

export async function createSession(
  db: Database,
  clock: Clock,
  input: { userId: number; workspaceId: number; ip?: string | null; userAgent?: string | null },
): Promise<{ token: string; csrfToken: string; expiresAt: number }> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const now = clock.now();
  const expiresAt = now + SESSION_TTL_MS;
  await db
    .insertInto('sessions')
    .values({
      id: sha256Hex(token),
      user_id: input.userId,
      workspace_id: input.workspaceId,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
      ip: input.ip ?? null,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
    })
    .execute();
  return { token, csrfToken, expiresAt };
}

/**
 * The live session of a cookie token, or null. `idleTimeoutMs` (config sessionIdleMinutes) ends a
 * session unused for that long; as last_seen_at moves once a minute, it ends up to a minute later.
 */
export async function findSession(db: Database, clock: Clock, token: string, opts: { idleTimeoutMs?: number | null } = {}): Promise<SessionRecord | null> {
  if (!token || token.length > 200) return null;
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('workspace_members as m', (j) => j.onRef('m.user_id', '=', 's.user_id').onRef('m.workspace_id', '=', 's.workspace_id'))
    .select(['s.id', 's.user_id', 's.workspace_id', 's.csrf_token', 's.expires_at', 's.created_at', 's.last_seen_at', 'u.password_changed_at', 'm.role'])
    .where('s.id', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row) return null;
  const now = clock.now();
  // CVE-2026-34828 (listmonk): sessions must not survive a password change.
  const lastSeen = Number(row.last_seen_at);
  const idle = !!opts.idleTimeoutMs && now - lastSeen > opts.idleTimeoutMs;
  if (Number(row.expires_at) <= now || Number(row.created_at) < Number(row.password_changed_at) || idle) {
    await db.deleteFrom('sessions').where('id', '=', row.id).execute();
    return null;
  }
  if (now - lastSeen >= SESSION_TOUCH_INTERVAL_MS) {
    // Concurrent requests of one page load race here; the guard makes all but the first a no-op.
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.id).where('last_seen_at', '<=', now - SESSION_TOUCH_INTERVAL_MS).execute();
  }
  return { id: row.id, userId: Number(row.user_id), workspaceId: Number(row.workspace_id), role: row.role, csrfToken: row.csrf_token };
}

export async function deleteSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}
