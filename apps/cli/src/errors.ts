export { ConfigError } from '@kennebec/server';
export { DataDirLockedError } from '@kennebec/db';
