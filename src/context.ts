// The dependencies every domain module receives: passed in, never imported as singletons,
// so tests inject their own database, clock and logger.
import type { Config } from './config/schema.js';
import type { Clock } from './clock.js';
import type { Database, DatabaseHandle } from './db/index.js';
import type { Dialect } from './db/dialect.js';
import type { Logger } from './log.js';
import type { RouteRegistry } from './delivery/transports/index.js';
import type { RateLimits } from './delivery/rate-limit.js';

/** The DNS lookups domain modules need; node:dns/promises satisfies it, tests pass a fake. */
export interface DnsResolver {
  resolveTxt(hostname: string): Promise<string[][]>;
}
import type { VerifyDeps } from './verify/engine.js';
import type { LoginLimits } from './auth/login-limit.js';

export interface AppContext {
  db: Database;
  dialect: Dialect;
  dbHandle: DatabaseHandle;
  config: Config;
  log: Logger;
  clock: Clock;
  /** Instance secret: keys HMAC tokens and encryption at rest (see lib/crypto.ts). */
  secret: string;
  /** Sign-in rate limits (default auth/login-limit.ts DEFAULT_LOGIN_LIMITS). */
  loginLimits?: LoginLimits;
  /** Delivery routes (SMTP pools, capture); default: from config.smtpUrl, else the capture outbox. */
  routes?: RouteRegistry;
  /** Send-rate limiters (default: Redis when config.redisUrl is set, else in-process; see delivery/rate-limit.ts). */
  rateLimits?: RateLimits;
  /** DNS resolver (default: node:dns/promises where used). */
  dns?: DnsResolver;
  /** HTTPS GET for SNS signing certificates and subscription confirmation (feedback/webhooks); default fetch. */
  httpGet?: (url: string) => Promise<string>;
  /** Verification's DNS resolver, SMTP probe port and limits (default: system DNS, port 25). */
  verify?: VerifyDeps;
}
