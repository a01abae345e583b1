import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, signUpVerified, startSmtpCapture, TEST_PASSWORD, type SmtpCapture, type TestServer } from '@kennebec/test-support';

/** Sign-ins, failed and successful, reach the audit trail with where they came from. */
let t: TestServer;
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ env: { SMTP_URL: smtp.url } });
  await signUpVerified(t, smtp, 'audited@example.org');
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('security events in the audit trail', () => {
  it('records a failed and a successful sign-in with the client address, and no email address', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/session', remoteAddress: '198.51.100.7', payload: { email: 'audited@example.org', password: 'not the right password at all' } });
    expect(bad.statusCode).toBe(401);
    const good = await t.app.inject({ method: 'POST', url: '/api/session', remoteAddress: '198.51.100.8', payload: { email: 'audited@example.org', password: TEST_PASSWORD } });
    expect(good.statusCode, good.body).toBe(200);
    await t.deps.audit.flush();
    const rows = await t.deps.db.query<{ action: string; outcome: string; client_ip: string; actor: string; row: string }>(
      `select action, outcome, client_ip, actor, row_to_json(a)::text as row from audit_entry a where action in ('sign-in', 'sign-in-failed') order by seq`,
    );
    expect(rows.rows.map((r) => [r.action, r.outcome, r.client_ip])).toEqual([
      ['sign-in-failed', 'denied', '198.51.100.7'],
      ['sign-in', 'success', '198.51.100.8'],
    ]);
    expect(rows.rows[1]?.actor).toMatch(/^User\//);
    for (const r of rows.rows) expect(r.row).not.toContain('audited@example.org');
  });
});
