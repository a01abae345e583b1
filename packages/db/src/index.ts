export type { Database, Dialect, Queryable, QueryOptions, QueryResult, Tx } from './port.ts';
export type { PgliteDatabase } from './pglite.ts';
export { openPglite } from './open.ts';
export { PostgresDatabase } from './postgres.ts';
export { migrate, loadMigrations } from './migrate.ts';
export { openDatabase, type DatabaseLocation } from './open.ts';
export { DataDirLockedError } from './lock.ts';
