// What every CLI command shares: loading config (same sources as the server), opening the
// database, printing errors in words, and exiting non-zero on failure.
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { createLogger } from '../log.js';
import { openContext } from '../main.js';
import { getDefaultWorkspace, type Workspace } from '../workspaces/index.js';

export function cliConfig(cmd: Command, overrides: Partial<Config> = {}): Config {
  const root = cmd.optsWithGlobals() as { config?: string };
  try {
    return loadConfig({ file: root.config ?? null, overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Opens the database with logs on stderr (stdout is for data). */
export async function cliContext(cmd: Command): Promise<AppContext> {
  const config = cliConfig(cmd);
  const log = createLogger(process.env.POSTLANE_LOG_LEVEL ?? 'warn', 2);
  return openContext(config, { log });
}

export async function requireWorkspace(ctx: AppContext, slug?: string): Promise<Workspace> {
  if (slug) {
    const row = await ctx.db.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirst();
    if (!row) throw new AppError('not_found', `workspace ${slug} not found`);
    const { getWorkspace } = await import('../workspaces/index.js');
    return (await getWorkspace(ctx.db, Number(row.id))) as Workspace;
  }
  const w = await getDefaultWorkspace(ctx.db);
  if (!w) throw new AppError('setup_required', 'no workspace yet: run `postlane user create --email E --password P --role owner` first');
  return w;
}

/** Runs a command body with an opened context, closing it afterwards and exiting 1 on error. */
export async function withContext(cmd: Command, fn: (ctx: AppContext) => Promise<void>): Promise<void> {
  let ctx: AppContext | null = null;
  try {
    ctx = await cliContext(cmd);
    await fn(ctx);
  } catch (err) {
    process.stderr.write(`postlane: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await ctx?.dbHandle.close();
  }
}
