// API keys: random secrets shown once, stored as sha256 hashes, bound to one workspace and one role.
import { recordAudit } from '../audit/index.js';
import { AppError, notFound } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { randomToken, sha256Hex } from '../lib/crypto.js';
import { canGrantRole, isRole } from './permissions.js';

export const API_KEY_PREFIX = 'pl_';

export interface CreatedApiKey {
  id: number;
  name: string;
  role: string;
  prefix: string;
  /** The full key: returned once at creation, never stored. */
  key: string;
}

export async function createApiKey(
  db: Database,
  clock: Clock,
  input: { workspaceId: number; name: string; role: string; createdBy?: number | null },
): Promise<CreatedApiKey> {
  if (!isRole(input.role)) throw new AppError('bad_request', `unknown role ${JSON.stringify(input.role)}`);
  const name = input.name.trim();
  if (!name || name.length > 200) throw new AppError('bad_request', 'API key name must be 1-200 characters');
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const prefix = key.slice(0, 11);
  const row = await db
    .insertInto('api_keys')
    .values({
      workspace_id: input.workspaceId,
      name,
      prefix,
      key_hash: sha256Hex(key),
      role: input.role,
      created_by: input.createdBy ?? null,
      created_at: clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), name, role: input.role, prefix, key };
}

export interface ApiKeyPrincipal {
  apiKeyId: number;
  workspaceId: number;
  role: string;
  name: string;
}

/** Looks a presented key up by hash; revoked or unknown keys return null. */
export async function authenticateApiKey(db: Database, clock: Clock, presented: string): Promise<ApiKeyPrincipal | null> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return null;
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id', 'role', 'name', 'last_used_at'])
    .where('key_hash', '=', sha256Hex(presented))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const now = clock.now();
  // Touch last_used_at at most once a minute so hot API keys do not write on every request.
  if (!row.last_used_at || now - Number(row.last_used_at) > 60_000) {
    await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { apiKeyId: Number(row.id), workspaceId: Number(row.workspace_id), role: row.role, name: row.name };
}

export interface ApiKeyInfo {
  id: number;
  name: string;
  role: string;
  prefix: string;
  createdBy: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** The workspace's keys without secrets (the hash never leaves the database either). */
export async function listApiKeys(db: Database, workspaceId: number, opts: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
  let q = db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId);
  if (!opts.includeRevoked) q = q.where('revoked_at', 'is', null);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id), name: r.name, role: r.role, prefix: r.prefix,
    createdBy: r.created_by === null ? null : Number(r.created_by), createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  }));
}

export interface KeyActor {
  workspaceId: number;
  role: string;
  actor: string;
  userId?: number | null;
}

/** Creates a key on behalf of an actor: never above the actor's own role, always audited. */
export async function issueApiKey(
  db: Database, clock: Clock, actor: KeyActor, input: { name: string; role: string; ip?: string | null },
): Promise<CreatedApiKey> {
  if (!isRole(input.role)) throw new AppError('bad_request', `unknown role ${JSON.stringify(input.role)}`);
  if (!canGrantRole(actor.role, input.role)) {
    throw new AppError('forbidden', `your role (${actor.role}) cannot create a key with the ${input.role} role`, { role: input.role });
  }
  const created = await createApiKey(db, clock, { workspaceId: actor.workspaceId, name: input.name, role: input.role, createdBy: actor.userId ?? null });
  await recordAudit(db, clock, {
    workspaceId: actor.workspaceId, actor: actor.actor, action: 'api_keys.create', targetType: 'api_key', targetId: created.id,
    details: { name: created.name, role: created.role, prefix: created.prefix }, ip: input.ip ?? null,
  });
  return created;
}

/** Revokes a key of the actor's workspace (a key outranking the actor stays). Idempotent. */
export async function revokeApiKey(db: Database, clock: Clock, actor: KeyActor, id: number, ip?: string | null): Promise<void> {
  const row = await db.selectFrom('api_keys').select(['id', 'name', 'role', 'prefix', 'revoked_at']).where('id', '=', id).where('workspace_id', '=', actor.workspaceId).executeTakeFirst();
  if (!row) throw notFound('API key');
  if (!canGrantRole(actor.role, row.role)) throw new AppError('forbidden', `your role (${actor.role}) cannot revoke a key with the ${row.role} role`);
  if (row.revoked_at !== null) return;
  await db.updateTable('api_keys').set({ revoked_at: clock.now() }).where('id', '=', id).where('workspace_id', '=', actor.workspaceId).execute();
  await recordAudit(db, clock, {
    workspaceId: actor.workspaceId, actor: actor.actor, action: 'api_keys.revoke', targetType: 'api_key', targetId: id,
    details: { name: row.name, role: row.role, prefix: row.prefix }, ip: ip ?? null,
  });
}
