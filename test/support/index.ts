export { createTestDatabase, createTestDatabaseEnv } from './db.ts';
export { createTestServer, TEST_BASE_URL, type TestServer } from './app.ts';
export { freePort } from './net.ts';
export { createTestCa, writePemFiles, type TestCa, type TestCertificate, type IssueOptions } from './pki.ts';
