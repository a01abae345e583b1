export { createTestDatabase, createTestDatabaseEnv } from './db.ts';
export { createTestServer, TEST_BASE_URL, type TestServer } from './app.ts';
export { freePort } from './net.ts';
export { startSmtpCapture, tokenFrom, type SmtpCapture, type ReceivedMail } from './smtp.ts';
export { startOidcProvider, type TestOidcProvider, type TestOidcAccount } from './oidc.ts';
export { TestBrowser } from './browser.ts';
export { TEST_PASSWORD, MINUTE, HOUR, testClock, signUpVerified, signedIn, signedInStaff, totpCode } from './accounts.ts';
export { createTestCa, writePemFiles, type TestCa, type TestCertificate, type IssueOptions } from './pki.ts';
export { hieCallers, statusesOf, auditRows, ORG_STAFF_ROLES, type HieCallers, type Caller, type CallerName, type AuditRow } from './callers.ts';
