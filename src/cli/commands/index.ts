// Registers every subcommand. Add one line per command file.
import type { Command } from 'commander';
import { registerMigrate } from './migrate.js';
import { registerStart } from './start.js';
import { registerSegments } from './segments.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerMigrate(program);
  registerSegments(program);
}
