export { importPath, dedupeSharedEntries, type ImportReport, type ImportDeps } from './import-resources.ts';
export { seedDemo, demoLogins, isSeeded, DEMO_CLIENT, DEMO_ORGS } from './seed.ts';
export { demoCode, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_STAFF, DEMO_PATIENT, DEMO_PARENT } from './demo-people.ts';
