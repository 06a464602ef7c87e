// Roles map to `resource:action` permissions; every route declares the one it needs.
// Adding a resource: add its permissions here and to the roles that should have them.

export const ROLES = ['owner', 'admin', 'marketer', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const RESOURCES = [
  'contacts', 'lists', 'tags', 'imports', 'exports', 'suppressions', 'segments', 'events',
  'campaigns', 'templates', 'domains', 'verify', 'feedback', 'reports', 'audit', 'users', 'api_keys', 'settings',
] as const;
export type Resource = (typeof RESOURCES)[number];
export type Permission = `${Resource}:${'read' | 'write' | 'send' | 'run'}`;

const read = (...r: Resource[]): Permission[] => r.map((x) => `${x}:read` as Permission);
const write = (...r: Resource[]): Permission[] => r.map((x) => `${x}:write` as Permission);

const MARKETING: Resource[] = ['contacts', 'lists', 'tags', 'imports', 'exports', 'suppressions', 'segments', 'events', 'campaigns', 'templates', 'verify', 'feedback'];
const ALL_READ: Resource[] = [...MARKETING, 'domains', 'reports'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set<Permission>([
    ...read(...RESOURCES), ...write(...RESOURCES), 'campaigns:send', 'verify:run',
  ]),
  admin: new Set<Permission>([
    ...read(...RESOURCES), ...write(...RESOURCES), 'campaigns:send', 'verify:run',
  ]),
  marketer: new Set<Permission>([
    ...read(...ALL_READ), ...write(...MARKETING), 'campaigns:send', 'verify:run', 'domains:write',
  ]),
  // Analysts read everything marketing-related and may export, but change nothing.
  analyst: new Set<Permission>([...read(...ALL_READ), 'exports:write']),
  viewer: new Set<Permission>([...read('campaigns', 'lists', 'segments', 'reports', 'templates')]),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleHas(role: string, permission: Permission): boolean {
  return isRole(role) && ROLE_PERMISSIONS[role].has(permission);
}

/** A role may only grant roles at or below its own rank (an admin cannot mint an owner key). */
export function canGrantRole(granter: string, granted: string): boolean {
  return isRole(granter) && isRole(granted) && ROLES.indexOf(granted) >= ROLES.indexOf(granter);
}
