export * from './outcome.ts';
export { errors, type ErrorName } from './errors.ts';
export * from './reference.ts';
export * from './scopes.ts';
export * from './search/index.ts';
