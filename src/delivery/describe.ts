// What the admin UI shows about outgoing mail: the route kind, the relay's host and port, the
// limits and where return mail goes. Credentials in the SMTP URL never leave this function.
import type { AppContext } from '../context.js';
import { UNSUBSCRIBE_LOCAL_PART } from '../compliance/unsubscribe.js';
import { returnMailWarnings, unsubscribeMailtoDomain } from './return-addresses.js';
import { routesFor } from './routes.js';

export interface DeliveryDescription {
  route: { name: string; kind: 'smtp' | 'capture'; host: string | null; port: number | null; secure: boolean | null; authenticated: boolean };
  limits: { concurrency: number; rateLimitPerSecond: number | null };
  bounceDomain: string | null;
  /** The address of the List-Unsubscribe mailto, or null when messages carry none. */
  unsubscribeMailto: string | null;
  /** Return mail Postlane would not receive (return-addresses.ts). */
  warnings: string[];
  dkimDomain: string | null;
  inboundSmtpPort: number;
}

export function describeDelivery(ctx: AppContext): DeliveryDescription {
  const route = routesFor(ctx).get();
  const url = ctx.config.smtpUrl ? new URL(ctx.config.smtpUrl) : null;
  const secure = url ? url.protocol === 'smtps:' : null;
  const mailtoDomain = unsubscribeMailtoDomain(ctx.config);
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
    unsubscribeMailto: mailtoDomain ? `${UNSUBSCRIBE_LOCAL_PART}@${mailtoDomain}` : null,
    warnings: returnMailWarnings(ctx.config).map((w) => w.message),
    dkimDomain: ctx.config.dkimDomain,
    inboundSmtpPort: ctx.config.inboundSmtpPort,
  };
}
