export * from './registry.ts';
export * from './request.ts';
export * from './values.ts';
export { parseSearchRequest, nextPageParams, compositeKey, DEFAULT_COUNT, MAX_COUNT, type ParseOptions } from './parse.ts';
