import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, createTestServer, hieCallers, startSmtpCapture, statusesOf, type HieCallers, type SmtpCapture, type TestServer } from '@kennebec/test-support';
import { SYNTHETIC_CCD } from '../../../../../packages/ccda/src/test-fixtures.ts';
import { createSource, type DataSource } from '../sources/index.ts';

/**
 * The inbound message log for HIE staff signed in (and automation with a token): filters,
 * paging, each failed message's error, reprocessing; who may, and the audit trail of it. The
 * ingest routes themselves stay for a source's client only.
 */
let t: TestServer;
let smtp: SmtpCapture;
let callers: HieCallers;
let east: DataSource;
let west: DataSource;

const msg = (control: string, facility: string, processingId = 'P') =>
  [`MSH|^~\\&|EHR|${facility}|KENNEBEC|HIE|20260101080000||ADT^A04^ADT_A01|${control}|${processingId}|2.5.1`, 'EVN|A04|20260101080000', `PID|1||${control}^^^${facility}^MR||Doe^Ray||19700101|M`].join('\r');

/** A message as the log keeps it, sent on plain MLLP (which reprocessing may run again). */
async function logged(control: string, facility: string, status: 'processed' | 'error' | 'rejected', sourceOrg: string | null, error: string | null): Promise<string> {
  const res = await t.deps.db.query<{ id: string }>(
    `insert into inbound_message (source_org, channel, control_id, message_type, status, error, raw, ack) values ($1, 'mllp', $2, 'ADT^A04', $3, $4, $5, 'MSA|AA') returning id::text as id`,
    [sourceOrg, control, status, error, msg(control, facility)],
  );
  return res.rows[0]?.id ?? '';
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ env: { SMTP_URL: smtp.url } });
  callers = await hieCallers(t, smtp);
  east = await createSource(t.deps, { name: 'East Clinic', hl7Facility: 'EAST' });
  west = await createSource(t.deps, { name: 'West Clinic', hl7Facility: 'WEST' });
  await logged('E-1', 'EAST', 'processed', east.id, null);
  await logged('E-2', 'EAST', 'error', east.id, 'PID-3 has no identifier the source assigns');
  await logged('W-1', 'WEST', 'processed', west.id, null);
  await logged('W-2', 'WEST', 'rejected', west.id, "MSH-11 processing id \"X\" is not P, T or D (table 0103)");
  await logged('U-1', 'UNKNOWN', 'rejected', null, "Sending facility 'UNKNOWN' is not a registered source");
}, 120_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

type Page = { messages: { id: string; controlId: string; status: string; error: string | null; sourceOrg: string | null }[]; next: string | null };
const page = async (query: string): Promise<Page> => {
  const res = await callers.hieAdmin.browser.get(`/admin/messages${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page;
};

describe('the message log for HIE staff', () => {
  it('is for HIE admins: privacy officers, org staff and patients get 403, nobody 401', async () => {
    expect(await statusesOf(callers, (b) => b.get('/admin/messages'))).toEqual({
      hieAdmin: 200,
      privacyOfficer: 403,
      'front-desk': 403,
      nurse: 403,
      provider: 403,
      billing: 403,
      'org-admin': 403,
      patient: 403,
      anonymous: 401,
    });
    const denied = await auditRows(t, { action: 'refused', actor: `User/${callers.billing.userId}` });
    expect(denied).toEqual([expect.objectContaining({ operation: 'listInboundMessages', outcome: 'denied', status: 403 })]);
    expect((await auditRows(t, { action: 'message-list', actor: 'anonymous' })).map((e) => `${e.outcome} ${e.status}`)).toEqual(['denied 401']);
  });

  it('filters by status and source, pages newest first, and shows each failed message’s error', async () => {
    const failedEast = await page(`?status=failed&source=${east.id}`);
    expect(failedEast.messages.map((m) => [m.controlId, m.status, m.error])).toEqual([['E-2', 'error', 'PID-3 has no identifier the source assigns']]);
    expect((await page('?status=rejected')).messages.map((m) => m.controlId)).toEqual(['U-1', 'W-2']);
    expect((await page('?status=processed')).messages.map((m) => m.controlId)).toEqual(['W-1', 'E-1']);
    expect((await page(`?source=${west.id}`)).messages.map((m) => m.controlId)).toEqual(['W-2', 'W-1']);

    const first = await page('?limit=2');
    expect(first.messages.map((m) => m.controlId)).toEqual(['U-1', 'W-2']);
    expect(first.next).not.toBeNull();
    const second = await page(`?limit=2&cursor=${first.next}`);
    expect(second.messages.map((m) => m.controlId)).toEqual(['W-1', 'E-2']);
    const last = await page(`?limit=2&cursor=${second.next}`);
    expect(last.messages.map((m) => m.controlId)).toEqual(['E-1']);
    expect(last.next).toBeNull();
    // Never the content of a message.
    expect(JSON.stringify([first, second, last])).not.toMatch(/Doe|19700101/);
  });

  it('answers 400 for an unknown status, a bad cursor or limit', async () => {
    for (const q of ['?status=lost', '?cursor=abc', '?limit=0', '?limit=5000']) {
      expect((await callers.hieAdmin.browser.get(`/admin/messages${q}`)).statusCode, q).toBe(400);
    }
  });

  it('lets an HIE admin reprocess a message, with the CSRF token, and audits it; others get 403, nobody 401', async () => {
    const id = await logged('U-2', 'EAST', 'rejected', null, "Sending facility 'EAST' was not registered yet");
    const url = `/admin/messages/${id}/reprocess`;
    const others = await statusesOf(callers, (b) => b.post(url), ['privacyOfficer', 'front-desk', 'nurse', 'provider', 'billing', 'org-admin', 'patient', 'anonymous']);
    expect(Object.values(others)).toEqual([403, 403, 403, 403, 403, 403, 403, 401]);
    expect((await callers.hieAdmin.browser.post(url, {}, { 'x-csrf-token': 'forged' })).statusCode).toBe(403);

    const res = await callers.hieAdmin.browser.post(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'processed', code: 'AA' });
    expect((await callers.hieAdmin.browser.post('/admin/messages/999999/reprocess')).statusCode).toBe(404);

    const trail = await auditRows(t, { action: 'message-reprocess' });
    const admin = trail.filter((e) => e.actor === `User/${callers.hieAdmin.userId}` && e.outcome !== 'denied');
    expect(admin.map((e) => `${e.outcome} ${e.status}`)).toEqual(['success 200', 'error 404']);
    expect(admin[0]?.entities).toEqual([`InboundMessage/${id}`]);
    // The forged token is written down as the admin's; nobody as anonymous.
    expect(trail.filter((e) => e.outcome === 'denied').map((e) => `${e.actor} ${e.status}`).sort()).toEqual([`User/${callers.hieAdmin.userId} 403`, 'anonymous 401'].sort());
    const refusedAtGate = (await auditRows(t, { action: 'refused' })).filter((e) => e.operation === 'reprocessInboundMessage');
    expect(refusedAtGate).toHaveLength(7);
  });

  it('keeps the ingest routes for source clients: a staff session is refused (403), nobody 401 before the body is read', async () => {
    const hl7 = await callers.hieAdmin.browser.post('/ingest/hl7v2', msg('S-1', 'EAST'), { 'content-type': 'x-application/hl7-v2+er7' });
    expect(hl7.statusCode).toBe(403);
    const ccda = await callers.hieAdmin.browser.post('/ingest/ccda', SYNTHETIC_CCD, { 'content-type': 'application/xml' });
    expect(ccda.statusCode).toBe(403);
    const nobody = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: { 'content-type': 'application/json' }, payload: {} });
    expect(nobody.statusCode).toBe(401);
    expect(nobody.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers a source client in the media types it sends and expects', async () => {
    const headers = { authorization: `Bearer ${await t.token('system/*.cruds', east.id)}` };
    const ack = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: { ...headers, 'content-type': 'application/hl7-v2' }, payload: msg('S-2', 'EAST') });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.headers['content-type']).toBe('x-application/hl7-v2+er7; charset=utf-8');
    expect(ack.body).toMatch(/^MSH\|/);
    const json = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: { ...headers, 'content-type': 'application/json' }, payload: { message: msg('S-3', 'EAST') } });
    expect(json.statusCode).toBe(400);
    expect(json.json().issue[0].diagnostics).toContain('x-application/hl7-v2+er7');
    const empty = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: { ...headers, 'content-type': 'text/plain' }, payload: '' });
    expect(empty.statusCode).toBe(400);
  });
});
