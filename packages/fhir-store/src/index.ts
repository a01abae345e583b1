export * from './types.ts';
export { SqlFhirStore } from './sql-store.ts';
export { SqlFhirRepository, type RepositoryDeps, type UpdateOptions, type UpdateResult } from './sql-repository.ts';
export { insertIndexRows, deleteIndexRows } from './index-writer.ts';
export { buildIndexRows } from './search/index.ts';
