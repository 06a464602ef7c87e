#!/usr/bin/env node
// The `postlane` command: one file per subcommand in cli/commands, each thin like an HTTP route.
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

const program = new Command();
program
  .name('postlane')
  .description('Self-hosted email marketing: audiences, campaigns, deliverability and verification.')
  .version('0.1.0')
  .option('-c, --config <file>', 'JSON config file (default: $POSTLANE_CONFIG)')
  .showHelpAfterError();

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`postlane: ${(err as Error).message}\n`);
  process.exit(1);
});
