// Registers every subcommand. Add one line per command file.
import type { Command } from 'commander';
import { registerBounce } from './bounce.js';
import { registerMigrate } from './migrate.js';
import { registerStart } from './start.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerMigrate(program);
  registerBounce(program);
}
