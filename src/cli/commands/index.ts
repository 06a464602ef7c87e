// Registers every subcommand. Add one line per command file.
import type { Command } from 'commander';
import { registerDomains } from './domains.js';
import { registerBounce } from './bounce.js';
import { registerImport } from './import.js';
import { registerExport } from './export.js';
import { registerApiKey } from './api-key.js';
import { registerMigrate } from './migrate.js';
import { registerCampaign } from './campaign.js';
import { registerStart } from './start.js';
import { registerVerify } from './verify.js';
import { registerUser } from './user.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerMigrate(program);
  registerDomains(program);
  registerCampaign(program);
  registerBounce(program);
  registerImport(program);
  registerVerify(program);
  registerExport(program);
  registerUser(program);
  registerApiKey(program);
}
