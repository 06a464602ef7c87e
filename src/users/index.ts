// Users and workspace membership: creating users (first run included), listing members,
// changing roles and removing members, with the rules that keep a workspace administrable:
// nobody grants a role above their own, and the last owner can be neither demoted nor removed.
import { recordAudit } from '../audit/index.js';
import { canGrantRole, isRole, ROLES } from '../auth/permissions.js';
import { hashPassword } from '../auth/passwords.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { dialectOf } from '../db/dialect.js';
import { AppError, notFound } from '../errors.js';
import { randomToken } from '../lib/crypto.js';
import { createWorkspace, getDefaultWorkspace, getWorkspace, type Workspace } from '../workspaces/index.js';
import { checkPasswordPolicy, defaultWorkspaceName, normalizeUserEmail } from './policy.js';

export { checkPasswordPolicy, defaultWorkspaceName, normalizeUserEmail } from './policy.js';

// A transaction is a Kysely<DB> too, so every helper here runs inside or outside one.
type Db = Database;

/** Who performs a change: a signed-in user, an API key, or the CLI (acting as owner). */
export interface Actor {
  workspaceId: number;
  role: string;
  /** "user:12", "api_key:3", "cli". */
  actor: string;
  userId?: number | null;
}

export interface Member {
  id: number;
  email: string;
  name: string | null;
  role: string;
  createdAt: number;
  lastLoginAt: number | null;
  /** Latest use of any of the member's current sessions in this workspace (moves at most once a minute). */
  lastSeenAt: number | null;
}

export interface UserRow {
  id: number;
  email: string;
  name: string | null;
  passwordHash: string;
  passwordChangedAt: number;
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const key = email.trim().toLowerCase();
  const row = await db.selectFrom('users').select(['id', 'email', 'name', 'password_hash', 'password_changed_at']).where('email', '=', key).executeTakeFirst();
  return row ? { id: Number(row.id), email: row.email, name: row.name, passwordHash: row.password_hash, passwordChangedAt: Number(row.password_changed_at) } : null;
}

export async function findUserById(db: Db, id: number): Promise<UserRow | null> {
  const row = await db.selectFrom('users').select(['id', 'email', 'name', 'password_hash', 'password_changed_at']).where('id', '=', id).executeTakeFirst();
  return row ? { id: Number(row.id), email: row.email, name: row.name, passwordHash: row.password_hash, passwordChangedAt: Number(row.password_changed_at) } : null;
}

export async function listMembers(db: Db, workspaceId: number): Promise<Member[]> {
  const rows = await memberQuery(db, workspaceId).orderBy('u.id').execute();
  return rows.map(toMember);
}

export async function getMember(db: Db, workspaceId: number, userId: number): Promise<Member | null> {
  const row = await memberQuery(db, workspaceId).where('m.user_id', '=', userId).executeTakeFirst();
  return row ? toMember(row) : null;
}

function memberQuery(db: Db, workspaceId: number) {
  return db
    .selectFrom('workspace_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at', 'u.last_login_at'])
    // Per member, sessions_user_idx finds their few sessions: no scan of the sessions table.
    .select((eb) => eb.selectFrom('sessions as s').select((e) => e.fn.max('s.last_seen_at').as('t'))
      .whereRef('s.user_id', '=', 'm.user_id').whereRef('s.workspace_id', '=', 'm.workspace_id').as('last_seen_at'))
    .where('m.workspace_id', '=', workspaceId);
}

function toMember(r: { id: number; email: string; name: string | null; role: string; created_at: number; last_login_at: number | null; last_seen_at: unknown }): Member {
  return {
    id: Number(r.id), email: r.email, name: r.name, role: r.role, createdAt: Number(r.created_at),
    lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at), lastSeenAt: r.last_seen_at === null || r.last_seen_at === undefined ? null : Number(r.last_seen_at),
  };
}

/** The workspaces a user belongs to, oldest first (sign-in lands in the first unless told otherwise). */
export async function membershipsOf(db: Db, userId: number): Promise<Array<{ workspaceId: number; slug: string; role: string }>> {
  const rows = await db
    .selectFrom('workspace_members as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select(['m.workspace_id', 'w.slug', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('m.workspace_id')
    .execute();
  return rows.map((r) => ({ workspaceId: Number(r.workspace_id), slug: r.slug, role: r.role }));
}

/**
 * Picks the workspace a new user joins. On a fresh install (no workspace yet) it creates the
 * first one, named `workspaceName` or after the email domain; otherwise the workspace with
 * `slug`, or the default (oldest) workspace.
 */
export async function resolveWorkspaceForNewUser(
  db: Db,
  clock: Clock,
  input: { email: string; slug?: string | null; workspaceName?: string | null; postalAddress?: string | null },
): Promise<{ workspace: Workspace; created: boolean }> {
  const existing = await getDefaultWorkspace(db);
  if (!existing) {
    const name = input.workspaceName?.trim() || defaultWorkspaceName(input.email);
    return { workspace: await createWorkspace(db, clock, { name, postalAddress: input.postalAddress ?? null }), created: true };
  }
  if (input.slug) {
    const row = await db.selectFrom('workspaces').select('id').where((eb) => eb.or([eb('slug', '=', input.slug as string), eb('name', '=', input.slug as string)])).orderBy('id').executeTakeFirst();
    if (!row) throw new AppError('not_found', `workspace ${JSON.stringify(input.slug)} not found`);
    return { workspace: (await getWorkspace(db, Number(row.id))) as Workspace, created: false };
  }
  return { workspace: existing, created: false };
}

export interface AddUserResult {
  member: Member;
  /** True when a new account was made; false when an existing account joined the workspace. */
  created: boolean;
  /** Set when no password was given for a new account: shown once, to be changed at first sign-in. */
  initialPassword: string | null;
}

/**
 * Adds a user to the actor's workspace with `role`, creating the account when the email is new.
 * An existing account keeps its password. The first member of a workspace must be an owner,
 * so no workspace is ever created without someone who can administer it.
 */
export async function addUser(
  ctx: { db: Database; clock: Clock },
  actor: Actor,
  input: { email: string; role: string; name?: string | null; password?: string | null; ip?: string | null },
): Promise<AddUserResult> {
  if (!isRole(input.role)) throw new AppError('bad_request', `unknown role ${JSON.stringify(input.role)}; use one of ${ROLES.join(', ')}`);
  if (!canGrantRole(actor.role, input.role)) {
    throw new AppError('forbidden', `your role (${actor.role}) cannot grant the ${input.role} role`, { role: input.role });
  }
  const email = normalizeUserEmail(input.email);
  const name = input.name?.trim() ? input.name.trim().slice(0, 200) : null;
  let initialPassword: string | null = null;
  let passwordHash: string | null = null;
  const existing = await findUserByEmail(ctx.db, email);
  if (!existing) {
    let password = input.password ?? null;
    if (password === null) password = initialPassword = randomToken(12);
    checkPasswordPolicy(password);
    passwordHash = await hashPassword(password); // slow: outside the transaction
  }
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    let userId: number;
    let created = false;
    const again = existing ?? (await findUserByEmail(trx, email));
    if (again) {
      userId = again.id;
      if (await getMember(trx, actor.workspaceId, userId)) throw new AppError('conflict', `${email} is already a member of this workspace`);
    } else {
      if (!passwordHash) throw new AppError('conflict', `${email} was created concurrently; retry`);
      const row = await trx
        .insertInto('users')
        .values({ email, name, password_hash: passwordHash, password_changed_at: now, created_at: now, last_login_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      userId = Number(row.id);
      created = true;
    }
    const owners = await countOwners(trx, actor.workspaceId);
    if (owners === 0 && input.role !== 'owner') {
      throw new AppError('conflict', 'the first member of a workspace must be an owner (use --role owner)');
    }
    await trx.insertInto('workspace_members').values({ workspace_id: actor.workspaceId, user_id: userId, role: input.role, created_at: now }).execute();
    await recordAudit(trx, ctx.clock, {
      workspaceId: actor.workspaceId, actor: actor.actor, action: 'users.create', targetType: 'user', targetId: userId,
      details: { email, role: input.role, new_account: created }, ip: input.ip ?? null,
    });
    const member = (await getMember(trx, actor.workspaceId, userId)) as Member;
    return { member, created, initialPassword: created ? initialPassword : null };
  }).catch((err: unknown) => {
    // Two concurrent adds of the same email: the loser hits a unique key; say so, not 500.
    if (isUniqueViolation(err)) throw new AppError('conflict', `${email} was added concurrently; retry`);
    throw err;
  });
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown };
  return e?.code === '23505' || (typeof e?.code === 'string' && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(e.code));
}

/**
 * Counts the owners of a workspace. On PostgreSQL the owner rows are locked, so two concurrent
 * demotions cannot both see "another owner remains" and leave the workspace ownerless.
 */
async function countOwners(trx: Db, workspaceId: number): Promise<number> {
  let q = trx.selectFrom('workspace_members').select('user_id').where('workspace_id', '=', workspaceId).where('role', '=', 'owner');
  if (dialectOf(trx) === 'postgres') q = q.forUpdate();
  return (await q.execute()).length;
}

/** Loads a member the actor may manage: it must exist here and not outrank the actor. */
async function manageableMember(trx: Db, actor: Actor, userId: number): Promise<Member> {
  const target = await getMember(trx, actor.workspaceId, userId);
  if (!target) throw notFound('user');
  if (!canGrantRole(actor.role, target.role)) {
    throw new AppError('forbidden', `your role (${actor.role}) cannot change a member with the ${target.role} role`);
  }
  return target;
}

export async function changeMemberRole(
  ctx: { db: Database; clock: Clock },
  actor: Actor,
  userId: number,
  role: string,
  ip?: string | null,
): Promise<Member> {
  if (!isRole(role)) throw new AppError('bad_request', `unknown role ${JSON.stringify(role)}; use one of ${ROLES.join(', ')}`);
  if (!canGrantRole(actor.role, role)) throw new AppError('forbidden', `your role (${actor.role}) cannot grant the ${role} role`, { role });
  return ctx.db.transaction().execute(async (trx) => {
    const target = await manageableMember(trx, actor, userId);
    if (target.role === role) return target;
    if (target.role === 'owner' && (await countOwners(trx, actor.workspaceId)) <= 1) {
      throw new AppError('conflict', 'cannot demote the last owner; make someone else owner first');
    }
    await trx.updateTable('workspace_members').set({ role }).where('workspace_id', '=', actor.workspaceId).where('user_id', '=', userId).execute();
    await recordAudit(trx, ctx.clock, {
      workspaceId: actor.workspaceId, actor: actor.actor, action: 'users.role_change', targetType: 'user', targetId: userId,
      details: { email: target.email, from: target.role, to: role }, ip: ip ?? null,
    });
    return { ...target, role };
  });
}

/**
 * Removes a member from the actor's workspace and ends their sessions there. An account left
 * without any workspace is deleted, so it cannot keep signing in to nothing.
 */
export async function removeMember(ctx: { db: Database; clock: Clock }, actor: Actor, userId: number, ip?: string | null): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const target = await manageableMember(trx, actor, userId);
    if (target.role === 'owner' && (await countOwners(trx, actor.workspaceId)) <= 1) {
      throw new AppError('conflict', 'cannot remove the last owner; make someone else owner first');
    }
    await trx.deleteFrom('workspace_members').where('workspace_id', '=', actor.workspaceId).where('user_id', '=', userId).execute();
    await trx.deleteFrom('sessions').where('workspace_id', '=', actor.workspaceId).where('user_id', '=', userId).execute();
    const left = await trx.selectFrom('workspace_members').select('workspace_id').where('user_id', '=', userId).limit(1).executeTakeFirst();
    if (!left) {
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users').where('id', '=', userId).execute();
    }
    await recordAudit(trx, ctx.clock, {
      workspaceId: actor.workspaceId, actor: actor.actor, action: 'users.remove', targetType: 'user', targetId: userId,
      details: { email: target.email, role: target.role, account_deleted: !left }, ip: ip ?? null,
    });
  });
}

/** Sets a new password and voids every session made before now (see auth/sessions.ts). */
export async function setPassword(db: Db, clock: Clock, userId: number, password: string): Promise<number> {
  checkPasswordPolicy(password);
  const hash = await hashPassword(password);
  const now = clock.now();
  await db.updateTable('users').set({ password_hash: hash, password_changed_at: now }).where('id', '=', userId).execute();
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('created_at', '<', now).execute();
  return now;
}

export async function touchLastLogin(db: Db, userId: number, at: number): Promise<void> {
  await db.updateTable('users').set({ last_login_at: at }).where('id', '=', userId).execute();
}
