export type { Database, Dialect, Queryable, QueryResult, Tx } from './port.ts';
export { PgliteDatabase } from './pglite.ts';
export { PostgresDatabase } from './postgres.ts';
export { migrate, loadMigrations } from './migrate.ts';
export { openDatabase, type DatabaseLocation } from './open.ts';
export { DataDirLockedError } from './lock.ts';
