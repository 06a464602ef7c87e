// Registers every subcommand. Add one line per command file.
import type { Command } from 'commander';
import { registerApiKey } from './api-key.js';
import { registerExport } from './export.js';
import { registerDomains } from './domains.js';
import { registerBounce } from './bounce.js';
import { registerMigrate } from './migrate.js';
import { registerCampaign } from './campaign.js';
import { registerStart } from './start.js';
import { registerUser } from './user.js';
import { registerImport } from './import.js';
import { registerVerify } from './verify.js';
import { registerSegments } from './segments.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerMigrate(program);
  registerUser(program);
  registerApiKey(program);
  registerExport(program);
  registerDomains(program);
  registerBounce(program);
  registerImport(program);
  registerVerify(program);
  registerCampaign(program);
  registerSegments(program);
}
