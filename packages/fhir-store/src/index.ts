export * from './types.ts';
export { SqlFhirStore } from './sql-store.ts';
export { SqlFhirRepository, type RepositoryDeps, type UpdateOptions, type UpdateResult, type UpdateManyItem, type UpdateManyOptions, type TokenKey } from './sql-repository.ts';
export { buildIndexRows } from './search/index.ts';
export { createIndexRowBuilder, executeSearch, compileSearch, searchResources, type SearchResourcesOptions, type IndexRowBuilder, type SearchResult, type ExecuteOptions, type CompiledSearch, type MatchStrategy, type AccessFilter } from './search/index.ts';
