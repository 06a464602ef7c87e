// What the admin UI shows about outgoing mail: the route kind, the relay's host and port, and the
// limits. Credentials in the SMTP URL never leave this function.
import type { AppContext } from '../context.js';
import { routesFor } from './routes.js';

export interface DeliveryDescription {
  route: { name: string; kind: 'smtp' | 'capture'; host: string | null; port: number | null; secure: boolean | null; authenticated: boolean };
  limits: { concurrency: number; rateLimitPerSecond: number | null };
  bounceDomain: string | null;
  dkimDomain: string | null;
  inboundSmtpPort: number;
}

export function describeDelivery(ctx: AppContext): DeliveryDescription {
  const route = routesFor(ctx).get();
  const url = ctx.config.smtpUrl ? new URL(ctx.config.smtpUrl) : null;
  const secure = url ? url.protocol === 'smtps:' : null;
  return {
    route: {
      name: route.name,
      kind: url ? 'smtp' : 'capture',
      host: url ? url.hostname : null,
      port: url ? Number(url.port || (secure ? 465 : 587)) : null,
      secure,
      authenticated: url ? url.username !== '' : false,
    },
    limits: { concurrency: route.concurrency, rateLimitPerSecond: route.rateLimit },
    bounceDomain: ctx.config.bounceDomain,
    dkimDomain: ctx.config.dkimDomain,
    inboundSmtpPort: ctx.config.inboundSmtpPort,
  };
}
