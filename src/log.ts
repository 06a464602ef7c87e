// The pino root logger. Components take logger.child({ component }); secrets and message bodies are never logged.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { app: 'postlane' },
    redact: { paths: ['password', '*.password', 'apiKey', '*.apiKey', 'req.headers.authorization', 'req.headers.cookie'], remove: true },
  });
}

/** A logger that discards everything: the default in tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
