export * from './outcome.ts';
export { errors, type ErrorName } from './errors.ts';
export * from './reference.ts';
