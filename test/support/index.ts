export { createTestDatabase, testDatabaseKind } from './db.ts';
