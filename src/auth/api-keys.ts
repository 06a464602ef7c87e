// API keys: random secrets shown once, stored as sha256 hashes, bound to one workspace and one role.
import { AppError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { randomToken, sha256Hex } from '../lib/crypto.js';
import { isRole } from './permissions.js';

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
