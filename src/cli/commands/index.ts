// Registers every subcommand. Add one line per command file.
import type { Command } from 'commander';
import { registerImport } from './import.js';
import { registerMigrate } from './migrate.js';
import { registerStart } from './start.js';
import { registerVerify } from './verify.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerMigrate(program);
  registerImport(program);
  registerVerify(program);
}
