import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/**
 * JSON logs that never carry health data: requests are logged by method, path without the query
 * string (search parameters are PHI) and request id; credentials are redacted.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'kennebec' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', '*.password', '*.client_secret', '*.access_token'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          path: (req.url ?? '').split('?')[0],
          id: req.id,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error & { code?: string }) => ({ type: err.name, code: err.code, message: err.message, stack: err.stack }),
      },
    },
    destination,
  );
}
