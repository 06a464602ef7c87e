// The dependencies every domain module receives: passed in, never imported as singletons,
// so tests inject their own database, clock and logger.
import type { Config } from './config/schema.js';
import type { Clock } from './clock.js';
import type { Database, DatabaseHandle } from './db/index.js';
import type { Dialect } from './db/dialect.js';
import type { Logger } from './log.js';
import type { VerifyDeps } from './verify/engine.js';

export interface AppContext {
  db: Database;
  dialect: Dialect;
  dbHandle: DatabaseHandle;
  config: Config;
  log: Logger;
  clock: Clock;
  /** Instance secret: keys HMAC tokens and encryption at rest (see lib/crypto.ts). */
  secret: string;
  /** Verification's DNS resolver, SMTP probe port and limits (default: system DNS, port 25). */
  verify?: VerifyDeps;
}
