// Route registry: the transport for a route name, created once per process (never per message).
import type { AppContext } from '../../context.js';
import { createCaptureTransport } from './capture.js';
import { createSmtpTransport } from './smtp.js';
import type { Transport } from './types.js';

export type { OutgoingMessage, Transport } from './types.js';

export interface Route {
  name: string;
  transport: Transport;
  /** Messages in flight at once (render → sign → SMTP → durable outcome). */
  concurrency: number;
  /** Messages per second for the route; null = unlimited. */
  rateLimit: number | null;
}

export interface RouteRegistry {
  get(name?: string | null): Route;
  close(): Promise<void>;
}

/** Optional injection point: tests and benches pass their own transports. */
export interface DeliveryDeps {
  routes?: RouteRegistry;
}

export function defaultRoutes(ctx: AppContext, opts: { concurrency?: number; rateLimit?: number | null } = {}): RouteRegistry {
  const concurrency = opts.concurrency ?? 16;
  const transport = ctx.config.smtpUrl
    ? createSmtpTransport({ url: ctx.config.smtpUrl, maxConnections: Math.min(concurrency, 10) })
    : createCaptureTransport(ctx);
  const route: Route = { name: ctx.config.smtpUrl ? 'smtp' : 'capture', transport, concurrency, rateLimit: opts.rateLimit ?? null };
  return {
    get: () => route,
    close: () => transport.close(),
  };
}

/** A registry over one given transport (tests, benches, the crash harness). */
export function singleRoute(transport: Transport, opts: { concurrency?: number; rateLimit?: number | null } = {}): RouteRegistry {
  const route: Route = { name: transport.name, transport, concurrency: opts.concurrency ?? 16, rateLimit: opts.rateLimit ?? null };
  return { get: () => route, close: () => transport.close() };
}
