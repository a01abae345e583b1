import { createLogger } from '@kennebec/server';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Commands print their own results; the server's JSON log stays quiet unless asked. */
export function commandLogger(env: NodeJS.ProcessEnv) {
  return createLogger(env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? env.LOG_LEVEL : 'warn');
}
