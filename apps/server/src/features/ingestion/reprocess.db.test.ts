import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { fhirApiFor } from '../../compose.ts';
import { createSource } from '../sources/index.ts';
import { ingestDepsFor } from './deps.ts';
import { reprocessMessage } from './messages.ts';

/**
 * Reprocessing cannot stand in for a channel's authentication: a message rejected on HTTPS or
 * MLLP over TLS must be resent by its source; a plain-MLLP one may be run again after a fix.
 */
let t: TestServer;
const msg = (control: string) =>
  ['MSH|^~\\&|EHR|REPROC|KENNEBEC|HIE|20260101080000||ADT^A04^ADT_A01|' + control + '|P|2.5.1', 'EVN|A04|20260101080000', 'PID|1||R1^^^REPROC^MR||Doe^Ray||19700101|M'].join('\r');

async function logged(channel: string, status: string, control: string, sourceOrg: string | null = null): Promise<string> {
  const res = await t.deps.db.query<{ id: string }>(
    `insert into inbound_message (source_org, channel, control_id, message_type, status, error, raw, ack) values ($1, $2, $3, 'ADT^A04', $4, 'test', $5, 'MSA|AR') returning id::text as id`,
    [sourceOrg, channel, control, status, msg(control)],
  );
  return res.rows[0]?.id ?? '';
}

beforeAll(async () => {
  t = await createTestServer();
  await createSource(t.deps, { name: 'Reprocessing clinic', hl7Facility: 'REPROC' });
});
afterAll(async () => t.close());

describe('reprocessing a logged message', () => {
  it('refuses a message rejected on an authenticated channel, naming why', async () => {
    const deps = ingestDepsFor(t.deps, fhirApiFor(t.deps).dispatch);
    for (const channel of ['mllp-tls', 'http']) {
      const id = await logged(channel, 'rejected', `RJ-${channel}`);
      await expect(reprocessMessage(deps, id)).rejects.toMatchObject({ status: 422 });
      await expect(reprocessMessage(deps, id)).rejects.toThrow(/must resend/);
    }
  });

  it('runs again a plain-MLLP message rejected before its source was registered', async () => {
    const deps = ingestDepsFor(t.deps, fhirApiFor(t.deps).dispatch);
    const id = await logged('mllp', 'rejected', 'RJ-plain');
    const result = await reprocessMessage(deps, id);
    expect(result?.code).toBe('AA');
  });
});
