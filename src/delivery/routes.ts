// The process's route registry, created once per context (never per message): the injected
// one (tests, benches) or the default from config (SMTP URL or the capture outbox).
import type { AppContext } from '../context.js';
import { defaultRoutes, type RouteRegistry } from './transports/index.js';

const registries = new WeakMap<AppContext, RouteRegistry>();

export function routesFor(ctx: AppContext): RouteRegistry {
  if (ctx.routes) return ctx.routes;
  let r = registries.get(ctx);
  if (!r) {
    r = defaultRoutes(ctx);
    registries.set(ctx, r);
  }
  return r;
}
