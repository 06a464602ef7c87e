// `postlane api-key create|list|revoke`. `create` prints the key ALONE on stdout, so
// `KEY=$(postlane api-key create --name ci --role admin)` works; everything else goes to stderr.
import type { Command } from 'commander';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../auth/api-keys.js';
import { ROLES } from '../../auth/permissions.js';
import { AppError } from '../../errors.js';
import { requireWorkspace, withContext } from '../shared.js';

/** The CLI runs with shell access to the install: it acts as an owner, audited as "cli". */
const cliActor = (workspaceId: number) => ({ workspaceId, role: 'owner', actor: 'cli' });

export function registerApiKey(program: Command): void {
  const apiKey = program.command('api-key').description('Manage API keys (bound to one workspace and one role)');

  apiKey
    .command('create')
    .description('Create an API key and print it (alone) on stdout; it cannot be shown again')
    .requiredOption('--name <name>', 'what the key is for, e.g. "zapier"')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--workspace <slug>', 'workspace slug (default: the first)')
    .action(async (opts: { name: string; role: string; workspace?: string }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      const created = await issueApiKey(ctx.db, ctx.clock, cliActor(ws.id), { name: opts.name, role: opts.role });
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(`Created API key #${created.id} "${created.name}" (${created.role}) for workspace ${ws.slug}. Store it now: it is not shown again.\n`);
    }));

  apiKey
    .command('list')
    .description('List the API keys of a workspace (never their secrets)')
    .option('--workspace <slug>', 'workspace slug (default: the first)')
    .option('--all', 'include revoked keys')
    .option('--json', 'print JSON lines')
    .action(async (opts: { workspace?: string; all?: boolean; json?: boolean }, cmd: Command) => withContext(cmd, async (ctx) => {
      const ws = await requireWorkspace(ctx, opts.workspace);
      for (const k of await listApiKeys(ctx.db, ws.id, { includeRevoked: opts.all })) {
        const revoked = k.revokedAt ? new Date(k.revokedAt).toISOString() : null;
        process.stdout.write(opts.json
          ? `${JSON.stringify({ id: k.id, name: k.name, role: k.role, prefix: k.prefix, revoked_at: revoked })}\n`
          : `${k.id}\t${k.prefix}…\t${k.role}\t${k.name}${revoked ? `\trevoked ${revoked}` : ''}\n`);
      }
    }));

  apiKey
    .command('revoke')
    .description('Revoke an API key by id (see `api-key list`)')
    .argument('<id>', 'key id')
    .option('--workspace <slug>', 'workspace slug (default: the first)')
    .action(async (id: string, opts: { workspace?: string }, cmd: Command) => withContext(cmd, async (ctx) => {
      if (!/^\d+$/.test(id)) throw new AppError('bad_request', `not a key id: ${id}`);
      const ws = await requireWorkspace(ctx, opts.workspace);
      await revokeApiKey(ctx.db, ctx.clock, cliActor(ws.id), Number(id));
      process.stderr.write(`Revoked API key #${id}.\n`);
    }));
}
