// `postlane user create|list|set-password`: first-run owner creation (it makes the first
// workspace when none exists), more members later, and password recovery from the shell.
import type { Command } from 'commander';
import { isRole, ROLES } from '../../auth/permissions.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { addUser, checkPasswordPolicy, findUserByEmail, listMembers, normalizeUserEmail, resolveWorkspaceForNewUser, setPassword } from '../../users/index.js';
import { getDefaultWorkspace } from '../../workspaces/index.js';
import { recordAudit } from '../../audit/index.js';
import { requireWorkspace, withContext } from '../shared.js';

interface CreateOpts { email: string; password?: string; passwordStdin?: boolean; role: string; name?: string; workspace?: string; json?: boolean }

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // One trailing newline is what `echo` and most secret stores add: it is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function passwordFrom(opts: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (opts.password !== undefined && opts.passwordStdin) throw new AppError('bad_request', 'give --password or --password-stdin, not both');
  if (opts.passwordStdin) return readStdin();
  if (opts.password !== undefined) return opts.password;
  throw new AppError('bad_request', 'a password is required: --password P, or --password-stdin to keep it out of the process list');
}

async function createUserCommand(ctx: AppContext, opts: CreateOpts): Promise<void> {
  const password = await passwordFrom(opts);
  // Validate everything first, so a bad flag never leaves a fresh install with an ownerless workspace.
  normalizeUserEmail(opts.email);
  checkPasswordPolicy(password);
  if (!isRole(opts.role)) throw new AppError('bad_request', `unknown role ${JSON.stringify(opts.role)}; use one of ${ROLES.join(', ')}`);
  if (!(await getDefaultWorkspace(ctx.db)) && opts.role !== 'owner') {
    throw new AppError('bad_request', 'the first user must be an owner: use --role owner');
  }
  // Before the first workspace exists, --workspace names it; afterwards it picks one by slug (or name).
  const { workspace, created: newWorkspace } = await resolveWorkspaceForNewUser(ctx.db, ctx.clock, {
    email: opts.email, slug: opts.workspace ?? null, workspaceName: opts.workspace ?? null,
  });
  const r = await addUser(ctx, { workspaceId: workspace.id, role: 'owner', actor: 'cli' }, { email: opts.email, role: opts.role, name: opts.name, password });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({
      user: { id: r.member.id, email: r.member.email, name: r.member.name, role: r.member.role },
      workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug, created: newWorkspace },
      account_created: r.created,
    })}\n`);
    return;
  }
  const note = r.created ? '' : ' (existing account; its password is unchanged)';
  process.stdout.write(`Added ${r.member.email} as ${r.member.role} to workspace "${workspace.name}" (${workspace.slug})${note}\n`);
  if (newWorkspace) process.stderr.write(`Created workspace "${workspace.name}". Sign in at ${ctx.config.publicUrl}/login\n`);
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('Manage users (sign-in accounts) and their workspace roles');

  user
    .command('create')
    .description('Create a user with a role; on a fresh install this makes the first workspace and its owner')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--password <password>', `password (at least 10 characters)`)
    .option('--password-stdin', 'read the password from stdin instead')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--name <name>', 'display name')
    .option('--workspace <name-or-slug>', 'name of the first workspace (fresh install), else the slug of the workspace to join (default: the first)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: CreateOpts, cmd: Command) => withContext(cmd, (ctx) => createUserCommand(ctx, opts)));

  user
    .command('list')
    .description('List the members of a workspace')
    .option('--workspace <slug>', 'workspace slug (default: the first)')
    .option('--json', 'print JSON lines')
    .action(async (opts: { workspace?: string; json?: boolean }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      for (const m of await listMembers(ctx.db, ws.id)) {
        process.stdout.write(opts.json
          ? `${JSON.stringify({ id: m.id, email: m.email, name: m.name, role: m.role })}\n`
          : `${m.id}\t${m.role}\t${m.email}${m.name ? `\t${m.name}` : ''}\n`);
      }
    }));

  user
    .command('set-password')
    .description('Set a new password for a user (account recovery); ends all of their sessions')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--password <password>', 'the new password')
    .option('--password-stdin', 'read the new password from stdin instead')
    .action(async (opts: { email: string; password?: string; passwordStdin?: boolean }, cmd: Command) => withContext(cmd, async (ctx) => {
      const password = await passwordFrom(opts);
      const u = await findUserByEmail(ctx.db, opts.email);
      if (!u) throw new AppError('not_found', `no user with email ${opts.email}`);
      await setPassword(ctx.db, ctx.clock, u.id, password);
      const ws = (await ctx.db.selectFrom('workspace_members').select('workspace_id').where('user_id', '=', u.id).execute()).map((r) => Number(r.workspace_id));
      for (const workspaceId of ws) {
        await recordAudit(ctx.db, ctx.clock, { workspaceId, actor: 'cli', action: 'auth.password_reset', targetType: 'user', targetId: u.id });
      }
      process.stderr.write(`Password changed for ${u.email}; their sessions have ended.\n`);
    }));
}
