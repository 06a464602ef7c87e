// Who is calling: a signed-in user (session cookie) or an API key. Both are bound to one workspace.
import type { Permission } from './permissions.js';
import { roleHas } from './permissions.js';

export interface Principal {
  kind: 'user' | 'api_key';
  workspaceId: number;
  role: string;
  userId: number | null;
  apiKeyId: number | null;
  sessionId: string | null;
  csrfToken: string | null;
  /** For the audit log: "user:12" or "api_key:3". */
  actor: string;
}

export function can(principal: Principal, permission: Permission): boolean {
  return roleHas(principal.role, permission);
}
