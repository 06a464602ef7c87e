// Signing in and first-run setup: verify a password under the rate limit, pick the workspace,
// open a session, and audit the outcome. HTTP concerns (cookies, status codes) stay in routes.
import { recordAudit } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { AppError } from '../errors.js';
import { addUser, countUsers, findUserByEmail, findUserById, getMember, membershipsOf, normalizeUserEmail, checkPasswordPolicy, resolveWorkspaceForNewUser, setPassword, touchLastLogin, type Member } from '../users/index.js';
import { getWorkspace, type Workspace } from '../workspaces/index.js';
import { assertLoginAllowed, clearEmailFailures, DEFAULT_LOGIN_LIMITS, recordLoginFailure, type LoginLimits } from './login-limit.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createSession } from './sessions.js';

export interface AuthCtx {
  db: Database;
  clock: Clock;
  loginLimits?: LoginLimits;
}

export interface SignedIn {
  member: Member;
  workspace: Workspace;
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

// Verifying against a real hash when the email is unknown keeps the response time the same,
// so timing does not reveal which addresses have accounts.
let dummyHash: Promise<string> | null = null;
const getDummyHash = () => (dummyHash ??= hashPassword('postlane-timing-equaliser'));

const WRONG = 'wrong email or password';

export async function signIn(
  ctx: AuthCtx,
  input: { email: string; password: string; workspace?: string | null },
  client: ClientInfo,
): Promise<SignedIn> {
  const limits = ctx.loginLimits ?? DEFAULT_LOGIN_LIMITS;
  const emailKey = typeof input.email === 'string' ? input.email.trim().toLowerCase().slice(0, 320) : '';
  const who = { ip: client.ip, email: emailKey || null };
  await assertLoginAllowed(ctx.db, ctx.clock, who, limits);

  const user = emailKey ? await findUserByEmail(ctx.db, emailKey) : null;
  const ok = await verifyPassword(String(input.password ?? ''), user?.passwordHash ?? (await getDummyHash()));
  if (!user || !ok) {
    await recordLoginFailure(ctx.db, ctx.clock, who, limits);
    const ws = user ? (await membershipsOf(ctx.db, user.id))[0]?.workspaceId ?? null : null;
    await recordAudit(ctx.db, ctx.clock, {
      workspaceId: ws, actor: user ? `user:${user.id}` : 'anonymous', action: 'auth.login_failed',
      targetType: 'user', targetId: user?.id ?? null, details: { email: emailKey.slice(0, 100), reason: user ? 'wrong_password' : 'unknown_user' }, ip: client.ip,
    });
    throw new AppError('unauthorized', WRONG);
  }
  await clearEmailFailures(ctx.db, emailKey);

  const memberships = await membershipsOf(ctx.db, user.id);
  const chosen = input.workspace ? memberships.find((m) => m.slug === input.workspace) : memberships[0];
  if (!chosen) {
    throw new AppError('forbidden', input.workspace ? `you are not a member of workspace ${JSON.stringify(input.workspace)}` : 'your account is not a member of any workspace');
  }
  return openSession(ctx, user.id, chosen.workspaceId, client, 'auth.login');
}

async function openSession(ctx: AuthCtx, userId: number, workspaceId: number, client: ClientInfo, action: string): Promise<SignedIn> {
  const session = await createSession(ctx.db, ctx.clock, { userId, workspaceId, ip: client.ip, userAgent: client.userAgent });
  await touchLastLogin(ctx.db, userId, ctx.clock.now());
  await recordAudit(ctx.db, ctx.clock, { workspaceId, actor: `user:${userId}`, action, targetType: 'user', targetId: userId, ip: client.ip });
  const member = (await getMember(ctx.db, workspaceId, userId)) as Member;
  const workspace = (await getWorkspace(ctx.db, workspaceId)) as Workspace;
  return { member, workspace, token: session.token, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export async function isSetupNeeded(db: Database): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

/**
 * First-run setup: creates the owner (and the first workspace when none exists) and signs them
 * in. Works only while no user exists; a marker row in `instance` (primary key) makes two
 * concurrent setups on PostgreSQL end with one owner and one 409, not two owners.
 */
export async function completeSetup(
  ctx: AuthCtx,
  input: { email: string; password: string; name?: string | null; workspaceName?: string | null; postalAddress?: string | null },
  client: ClientInfo,
): Promise<SignedIn> {
  const email = normalizeUserEmail(input.email);
  checkPasswordPolicy(input.password);
  const done = new AppError('conflict', 'setup is already complete: sign in instead');
  if (!(await isSetupNeeded(ctx.db))) throw done;
  try {
    await ctx.db.insertInto('instance').values({ key: 'setup_started_at', value: String(ctx.clock.now()) }).execute();
  } catch {
    throw done;
  }
  try {
    if (!(await isSetupNeeded(ctx.db))) throw done;
    const { workspace } = await resolveWorkspaceForNewUser(ctx.db, ctx.clock, { email, workspaceName: input.workspaceName, postalAddress: input.postalAddress });
    const { member } = await addUser(ctx, { workspaceId: workspace.id, role: 'owner', actor: 'system' }, { email, role: 'owner', name: input.name, password: input.password, ip: client.ip });
    await recordAudit(ctx.db, ctx.clock, { workspaceId: workspace.id, actor: `user:${member.id}`, action: 'auth.setup', targetType: 'workspace', targetId: workspace.id, ip: client.ip });
    return await openSession(ctx, member.id, workspace.id, client, 'auth.login');
  } catch (err) {
    // A setup that failed half-way (bad input, crash) must not lock the instance out of setup.
    if (await isSetupNeeded(ctx.db)) await ctx.db.deleteFrom('instance').where('key', '=', 'setup_started_at').execute();
    throw err;
  }
}

/**
 * Changes the caller's password after checking the current one, ends every session of the user
 * (listmonk CVE-2026-34828: they must not survive) and opens a fresh one for the caller.
 */
export async function changePassword(
  ctx: AuthCtx,
  who: { userId: number; workspaceId: number },
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<SignedIn> {
  const user = await findUserById(ctx.db, who.userId);
  if (!user) throw new AppError('unauthorized');
  const limits = ctx.loginLimits ?? DEFAULT_LOGIN_LIMITS;
  // A stolen session must not become an unlimited oracle for the current password.
  await assertLoginAllowed(ctx.db, ctx.clock, { ip: client.ip, email: user.email }, limits);
  if (!(await verifyPassword(String(input.currentPassword ?? ''), user.passwordHash))) {
    await recordLoginFailure(ctx.db, ctx.clock, { ip: client.ip, email: user.email }, limits);
    throw new AppError('forbidden', 'the current password is wrong');
  }
  checkPasswordPolicy(input.newPassword);
  await setPassword(ctx.db, ctx.clock, user.id, input.newPassword);
  await recordAudit(ctx.db, ctx.clock, { workspaceId: who.workspaceId, actor: `user:${user.id}`, action: 'auth.password_change', targetType: 'user', targetId: user.id, ip: client.ip });
  return openSession(ctx, user.id, who.workspaceId, client, 'auth.session_renewed');
}
