// `postlane migrate`: applies pending migrations (start does this too) and reports what ran.
import type { Command } from 'commander';
import { openDatabase } from '../../db/index.js';
import { runMigrations } from '../../db/migrate.js';
import { cliConfig } from '../shared.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = cliConfig(cmd);
      const handle = openDatabase(config.databaseUrl);
      try {
        const results = await runMigrations(handle.db);
        const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
        if (opts.json) process.stdout.write(`${JSON.stringify({ applied, database: handle.dialect })}\n`);
        else process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'Database is up to date.\n');
      } catch (err) {
        process.stderr.write(`postlane migrate: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await handle.close();
      }
    });
}
