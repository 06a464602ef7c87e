// The pino root logger. Components take logger.child({ component }); secrets and message bodies are never logged.
import { pino, type Logger } from 'pino';

export type { Logger };

/** `fd` 2 sends logs to stderr: CLI commands keep stdout for data (`KEY=$(postlane api-key create …)`). */
export function createLogger(level = 'info', fd: 1 | 2 = 1): Logger {
  return pino({
    level,
    base: { app: 'postlane' },
    redact: { paths: ['password', '*.password', 'apiKey', '*.apiKey', 'req.headers.authorization', 'req.headers.cookie'], remove: true },
  }, pino.destination(fd));
}

/** A logger that discards everything: the default in tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
