// Wires config → database → context → HTTP → background workers. No domain logic here.
// The HTTP stack and the inbound listeners are imported only by the roles that run them: every
// module a process loads stays in its heap, and V8 lets the heap grow to a multiple of what is
// live before collecting, so a worker that loaded fastify and its routes paid for them several
// times over in RSS (docs/delivery.md, "Worker memory").
import type { Config } from './config/schema.js';
import { systemClock, type Clock } from './clock.js';
import type { AppContext } from './context.js';
import { openDatabase } from './db/index.js';
import { loadInstanceSecret, runMigrations } from './db/migrate.js';
import type { App } from './http/app.js';
import { drainImports } from './imports/index.js';
import { createLogger, type Logger } from './log.js';
import { startVerifyService } from './verify/service.js';
import { DeliveryWorker } from './delivery/worker.js';
import { routesFor } from './delivery/routes.js';
import { closeRateLimits } from './delivery/rate-limit.js';
import { configureSignerThreads } from './delivery/dkim-signer.js';
import { returnMailWarnings } from './delivery/return-addresses.js';

export interface Postlane {
  ctx: AppContext;
  app: App | null;
  /** The bound HTTP address, when the web role runs. */
  url: string | null;
  /** Names of the background services this process started, in start order. */
  services: readonly string[];
  /** The /metrics URL of the plain metrics listener (roles without the HTTP app, POSTLANE_METRICS_PORT). */
  metricsUrl: string | null;
  stop(): Promise<void>;
}

/** A background service started with the process (worker loop, inbound SMTP, …). */
export interface BackgroundService {
  name: string;
  stop(): Promise<void>;
}

export async function openContext(config: Config, opts: { log?: Logger; clock?: Clock } = {}): Promise<AppContext> {
  const log = opts.log ?? createLogger(config.logLevel);
  const dbHandle = openDatabase(config.databaseUrl);
  await runMigrations(dbHandle.db);
  const secret = await loadInstanceSecret(dbHandle.db, config.secret);
  return { db: dbHandle.db, dialect: dbHandle.dialect, dbHandle, config, log, clock: opts.clock ?? systemClock, secret };
}

export async function startPostlane(config: Config, opts: { log?: Logger; clock?: Clock } = {}): Promise<Postlane> {
  const ctx = await openContext(config, opts);
  const services: BackgroundService[] = [];
  let app: App | null = null;
  let url: string | null = null;
  let metricsUrl: string | null = null;

  if (config.role === 'all' || config.role === 'web') {
    const [{ buildApp }, { removeStaleUploads }] = await Promise.all([import('./http/app.js'), import('./imports/uploads.js')]);
    // Upload files of imports whose process died (the API role spools them).
    const orphans = await removeStaleUploads(config.dataDir, ctx.clock.now()).catch((err: unknown) => (ctx.log.warn({ err }, 'could not sweep import uploads'), 0));
    if (orphans) ctx.log.info({ removed: orphans }, 'removed orphaned import uploads');
    app = await buildApp(ctx);
    url = await app.listen({ port: config.port, host: config.host });
  }
  // Workers and the inbound SMTP listener register here as their domains land.
  if (config.role === 'all' || config.role === 'worker') {
    // Said once where messages are built, so the admin sees it before the first send.
    for (const w of returnMailWarnings(config)) ctx.log.warn({ component: 'delivery', code: w.code }, w.message);
    configureSignerThreads(config.dkimThreads);
    const worker = new DeliveryWorker(ctx).start();
    services.push({ name: worker.name, stop: () => worker.stop() });
  }
  if ((config.role === 'all' || config.role === 'smtp') && config.bounceDomain) {
    // Bounces and FBL reports for bounce+TOKEN@<bounceDomain>, and mail to the List-Unsubscribe mailto
    // (unsubscribe@<bounceDomain>); without a bounce domain there is nothing to accept.
    const { startInboundSmtp } = await import('./feedback/smtp-listener.js');
    services.push(await startInboundSmtp(ctx, { port: config.inboundSmtpPort, host: config.host, bounceDomain: config.bounceDomain }));
  }
  if ((config.role === 'all' || config.role === 'worker') && config.feedbackImapUrl) {
    const mailbox = decodeURIComponent(new URL(config.feedbackImapUrl).pathname.replace(/^\//, '')) || 'INBOX';
    const { startImapPoller } = await import('./feedback/imap-poller.js');
    services.push(startImapPoller(ctx, { url: config.feedbackImapUrl, mailbox, bounceDomain: config.bounceDomain }));
  }
  if (config.role === 'smtp' && !config.bounceDomain) {
    ctx.log.warn('role smtp without POSTLANE_BOUNCE_DOMAIN: the inbound feedback listener is not started');
  }
  if (config.role === 'all' || config.role === 'worker') services.push(startVerifyService(ctx));
  // Roles with the HTTP app serve /metrics there; the others on their own port when one is set.
  if (!app && config.metricsPort !== null) {
    const { startMetricsServer } = await import('./http/metrics-server.js');
    const m = await startMetricsServer({ port: config.metricsPort, host: config.host });
    ctx.log.info({ url: m.url }, 'metrics listener started');
    metricsUrl = m.url;
    services.push(m);
  }

  ctx.log.info({ url, role: config.role, db: ctx.dialect }, 'postlane started');
  return {
    ctx,
    app,
    url,
    services: services.map((s) => s.name),
    metricsUrl,
    async stop() {
      for (const s of services.reverse()) await s.stop().catch((err) => ctx.log.error({ err, service: s.name }, 'stop failed'));
      if (app) await app.close();
      // Imports started over the API run in this process: let them finish rather than fail them
      // by closing the database under them (the HTTP server is closed, so no new ones start).
      await drainImports(ctx);
      await routesFor(ctx).close().catch(() => {});
      await closeRateLimits(ctx).catch(() => {});
      await ctx.dbHandle.close();
    },
  };
}
