// `postlane start`: runs the server (and, by role, workers and the inbound SMTP listener).
import type { Command } from 'commander';
import type { ProcessRole } from '../../config/schema.js';
import { limitHeapGrowth } from '../../delivery/heap-growth.js';
import { createLogger } from '../../log.js';
import { startPostlane } from '../../main.js';
import { cliConfig } from '../shared.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Start Postlane: web UI + API, worker and inbound SMTP (or one --role)')
    .option('--role <role>', 'all | web | worker | smtp')
    .option('--port <port>', 'HTTP port (default $PORT or 8080)')
    .action(async (opts: { role?: string; port?: string }, cmd: Command) => {
      const overrides: Record<string, unknown> = {};
      if (opts.role) {
        if (!['all', 'web', 'worker', 'smtp'].includes(opts.role)) {
          process.stderr.write(`Invalid configuration:\n  - --role: must be all, web, worker or smtp\n`);
          process.exit(1);
        }
        overrides.role = opts.role as ProcessRole;
      }
      if (opts.port) overrides.port = Number(opts.port);
      const config = cliConfig(cmd, overrides);
      // A process-wide V8 setting, so it is made here, where the process is: the send loop's
      // garbage would otherwise let the heap grow to ~4× what is live (delivery/heap-growth.ts).
      if (config.role === 'all' || config.role === 'worker') limitHeapGrowth();
      const log = createLogger(config.logLevel);
      const pl = await startPostlane(config, { log });
      if (pl.url) process.stderr.write(`Postlane is running at ${config.publicUrl} (listening on ${pl.url}, database: ${pl.ctx.dialect})\n`);
      // A role without HTTP said nothing at log level warn: say what runs (bench/_prod-worker.ts waits for this line).
      else process.stderr.write(`Postlane ${config.role} started (services: ${pl.services.join(', ') || 'none'}; database: ${pl.ctx.dialect})\n`);
      const shutdown = async (signal: string) => {
        log.info({ signal }, 'shutting down');
        await pl.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
