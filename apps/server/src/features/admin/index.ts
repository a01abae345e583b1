export { importPath, dedupeSharedEntries, type ImportReport, type ImportDeps } from './import-resources.ts';
export { seedDemo, demoLogins, isSeeded, DEMO_CLIENT, DEMO_ORGS } from './seed.ts';
