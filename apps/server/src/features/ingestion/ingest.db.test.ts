import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { encodeMllp, MllpDecoder } from '@kennebec/hl7v2';
import { fhirApiFor } from '../../compose.ts';
import { createSource, type DataSource } from '../sources/index.ts';
import { startMllpServer, type RunningMllpServer } from './mllp-server.ts';
import { ingestDepsFor } from './deps.ts';
import { ingestHl7v2 } from './ingest-hl7v2.ts';

/** HL7 v2 over real TCP (MLLP) and over HTTPS, into the FHIR store. */
let t: TestServer;
let mllp: RunningMllpServer;
let lab: DataSource;

const fixture = (name: string): string => readFileSync(new URL(`../../../../../packages/hl7v2/src/fixtures/${name}`, import.meta.url), 'utf8');
const withControlId = (msg: string, id: string): string => msg.replace(/^(MSH(?:\|[^|\r]*){8}\|)[^|\r]*/, `$1${id}`);

function adt(controlId: string, facility = 'NORTHLAB', mrn = 'MRN-A1'): string {
  return [
    `MSH|^~\\&|ADT|${facility}|KENNEBEC|HIE|20240301120000-0500||ADT^A01^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A01|20240301120000-0500',
    `PID|1||${mrn}^^^NORTHLAB^MR||Ouimet^Claire^M||19750412|F|||12 Water St^^Augusta^ME^04330||^PRN^PH^^^207^5550134`,
    'PV1|1|I|W2^201^1||||1234^Doctor^Dana|||MED||||||||V100^^^NORTHLAB^VN|||||||||||||||||||||||||20240301113000-0500',
  ].join('\r');
}

/** Sends messages on one MLLP connection and collects one ACK per message. */
async function exchange(messages: (string | Buffer)[], expectAcks = messages.length): Promise<string[]> {
  const socket: Socket = connect(mllp.port, '127.0.0.1');
  const decoder = new MllpDecoder();
  const acks: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) if (ev.type === 'message') acks.push(ev.payload.toString('utf8'));
      if (acks.length >= expectAcks) resolve();
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`timed out with ${acks.length} ACKs`)), 15_000);
  });
  for (const m of messages) socket.write(typeof m === 'string' ? encodeMllp(m) : m);
  await done;
  socket.end();
  return acks;
}

const msa = (ack: string): string[] => (ack.split('\r').find((s) => s.startsWith('MSA|')) ?? '').split('|');

beforeAll(async () => {
  t = await createTestServer();
  lab = await createSource(t.deps, { name: 'North Lab', hl7Facility: 'NORTHLAB', oid: '2.16.840.1.113883.3.5555' });
  mllp = await startMllpServer(
    { ...ingestDepsFor(t.deps, fhirApiFor(t.deps).dispatch), logger: t.deps.logger },
    { port: 0, host: '127.0.0.1', maxFrameBytes: 1024 * 1024 },
  );
});
afterAll(async () => {
  await mllp?.close();
  await t?.close();
});

describe('HL7 v2 over MLLP', () => {
  it('acknowledges AA after storing the patient, echoing MSH-10 in MSA-2', async () => {
    const [ack] = await exchange([adt('CTRL-1')]);
    expect(msa(ack as string).slice(1, 3), ack).toEqual(['AA', 'CTRL-1']);
    const found = await t.deps.db.query<{ n: string }>(
      `select count(*) as n from resource where resource_type = 'Patient' and source_org = $1 and content::text like '%MRN-A1%'`,
      [lab.id],
    );
    expect(Number(found.rows[0]?.n)).toBe(1);
  });

  it('acknowledges a resent message again and changes nothing', async () => {
    const before = await t.deps.db.query<{ v: number }>(`select max(version_id) as v from resource where resource_type = 'Patient'`);
    const [ack] = await exchange([adt('CTRL-1')]);
    expect(msa(ack as string)[1]).toBe('AA');
    const after = await t.deps.db.query<{ v: number }>(`select max(version_id) as v from resource where resource_type = 'Patient'`);
    expect(after.rows[0]?.v).toBe(before.rows[0]?.v);
    const logged = await t.deps.db.query<{ n: string }>(`select count(*) as n from inbound_message where control_id = 'CTRL-1' and status = 'processed'`);
    expect(Number(logged.rows[0]?.n)).toBe(1);
  });

  it('updates rather than duplicates when the same patient arrives in a new message', async () => {
    await exchange([adt('CTRL-2')]);
    const found = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient' and content::text like '%MRN-A1%'`);
    expect(Number(found.rows[0]?.n)).toBe(1);
  });

  it('stores lab results from ORU^R01', async () => {
    const [ack] = await exchange([withControlId(fixture('oru-r01.hl7'), 'LAB-77')]);
    expect(msa(ack as string)[1], ack).toBe('AA');
    const obs = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Observation' and source_org = $1`, [lab.id]);
    expect(Number(obs.rows[0]?.n)).toBeGreaterThanOrEqual(3);
  });

  it('rejects (AR) a message from a facility that is not a registered source, and logs it', async () => {
    const [ack] = await exchange([adt('CTRL-X', 'STRANGER')]);
    expect(msa(ack as string)[1]).toBe('AR');
    expect(ack).toMatch(/ERR\|/);
    const logged = await t.deps.db.query<{ status: string }>(`select status from inbound_message where control_id = 'CTRL-X'`);
    expect(logged.rows[0]?.status).toBe('rejected');
  });

  it('rejects an unsupported message type with AR', async () => {
    const orm = `MSH|^~\\&|OE|NORTHLAB|KENNEBEC|HIE|20240301120000-0500||ORM^O01|ORD-1|P|2.5.1\rPID|1||MRN-A1^^^NORTHLAB^MR||Ouimet^Claire`;
    const [ack] = await exchange([orm]);
    expect(msa(ack as string).slice(1, 3)).toEqual(['AR', 'ORD-1']);
  });

  it('answers garbage with a NAK, ignores junk between frames, and keeps serving', async () => {
    const junk = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);
    const acks = await exchange([junk, 'this is not HL7 at all', Buffer.from([0x0b, 0xff, 0xfe, 0x00, 0x1c, 0x0d]), adt('CTRL-3')], 3);
    expect(msa(acks[0] as string)[1]).toMatch(/AE|AR/);
    expect(msa(acks[1] as string)[1]).toMatch(/AE|AR/);
    expect(msa(acks[2] as string).slice(1, 3)).toEqual(['AA', 'CTRL-3']);
  });

  it('refuses an oversized frame with a NAK and keeps the connection usable', async () => {
    const big = adt('BIG-1') + `\rNTE|1||${'x'.repeat(2 * 1024 * 1024)}`;
    const acks = await exchange([big, adt('CTRL-4')]);
    expect(msa(acks[0] as string)[1]).toBe('AR');
    expect(msa(acks[1] as string).slice(1, 3)).toEqual(['AA', 'CTRL-4']);
  });
});

/** An ORU^R01 with one glucose result (OBX-11 = status) under filler order `order`, for patient `mrn`. */
function oru(controlId: string, mrn: string, order: string, value: string, status = 'F'): string {
  return [
    `MSH|^~\\&|LABSYS|NORTHLAB|KENNEBEC|HIE|20240302101500-0500||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    `PID|1||${mrn}^^^NORTHLAB^MR||Ouimet^Claire^M||19750412|F|||12 Water St^^Augusta^ME^04330`,
    `ORC|RE|P${order}|${order}^NORTHLAB`,
    `OBR|1|P${order}|${order}^NORTHLAB|24323-8^Comprehensive metabolic panel^LN|||20240302080000-0500|||||||||||||||20240302101000-0500|||${status}`,
    `OBX|1|NM|2345-7^Glucose^LN||${value}|mg/dL^mg/dL^UCUM|70-99||||${status}|||20240302080000-0500`,
  ].join('\r');
}

/** Observations stored for one filler order number, with their status, value and version. */
async function resultsOf(order: string): Promise<{ id: string; version_id: number; status: string; value: number }[]> {
  const res = await t.deps.db.query<{ id: string; version_id: number; status: string; value: number }>(
    `select r.id, r.version_id, r.content->>'status' as status, (r.content->'valueQuantity'->>'value')::float8 as value
     from resource r join sp_token i on i.resource_type = r.resource_type and i.resource_id = r.id
     where r.resource_type = 'Observation' and i.param = 'identifier' and i.code like $1`,
    [`${order}|%`],
  );
  return res.rows.map((r) => ({ ...r, version_id: Number(r.version_id) }));
}

describe('what a message writes, and when', () => {
  it('replaces a preliminary result with its correction (OBX-11 C), as a new version of the same Observation', async () => {
    await exchange([oru('CORR-1', 'MRN-C1', 'ORD-C1', '140', 'P')]);
    const [ack] = await exchange([oru('CORR-2', 'MRN-C1', 'ORD-C1', '182', 'C')]);
    expect(msa(ack as string)[1], ack).toBe('AA');
    const results = await resultsOf('ORD-C1');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ version_id: 2, status: 'corrected', value: 182 });
  });

  it('keeps an unchanged patient at its version, linked to its Person', async () => {
    await exchange([oru('SAME-1', 'MRN-S1', 'ORD-S1', '100'), oru('SAME-2', 'MRN-S1', 'ORD-S2', '101')]);
    const patients = await t.deps.db.query<{ id: string; version_id: number; person: string | null }>(
      `select r.id, r.version_id, l.person_id as person from resource r left join mpi_link l on l.patient_id = r.id
       where r.resource_type = 'Patient' and r.content::text like '%MRN-S1%'`,
    );
    expect(patients.rows).toHaveLength(1);
    expect(Number(patients.rows[0]?.version_id)).toBe(1);
    expect(patients.rows[0]?.person).toBeTruthy();
  });

  it('links an unchanged patient that has no Person yet (stored by a path that bypassed linking)', async () => {
    await exchange([adt('UNL-1', 'NORTHLAB', 'MRN-U1')]);
    const id = (await t.deps.db.query<{ id: string }>(`select id from resource where resource_type = 'Patient' and content::text like '%MRN-U1%'`)).rows[0]?.id as string;
    await t.deps.db.query('delete from mpi_link where patient_id = $1', [id]);
    await t.deps.db.query(`update resource set person_id = null where resource_type = 'Patient' and id = $1`, [id]);
    const [ack] = await exchange([adt('UNL-2', 'NORTHLAB', 'MRN-U1')]);
    expect(msa(ack as string)[1]).toBe('AA');
    const linked = await t.deps.db.query<{ person_id: string }>('select person_id from mpi_link where patient_id = $1', [id]);
    expect(linked.rows).toHaveLength(1);
    expect((await t.deps.store.read('Patient', id))?.versionId).toBe(1);
  });

  it('applies a message sent on two connections at once only once, and acknowledges both', async () => {
    const message = oru('TWICE-1', 'MRN-T1', 'ORD-T1', '123');
    const acks = (await Promise.all([exchange([message]), exchange([message]), exchange([message])])).flat();
    expect(acks.map((a) => msa(a).slice(1, 3))).toEqual([
      ['AA', 'TWICE-1'],
      ['AA', 'TWICE-1'],
      ['AA', 'TWICE-1'],
    ]);
    expect((await resultsOf('ORD-T1')).map((r) => r.version_id)).toEqual([1]);
    const logged = await t.deps.db.query<{ status: string }>(`select status from inbound_message where control_id = 'TWICE-1'`);
    expect(logged.rows.map((r) => r.status)).toEqual(['processed']);
  });

  it('writes nothing and logs the error when a write fails, and a resend after the fix succeeds', async () => {
    await exchange([adt('DUP-1', 'NORTHLAB', 'MRN-D1')]);
    const stored = await t.deps.db.query<{ content: { identifier: unknown[]; name: unknown[] } }>(
      `select content from resource where resource_type = 'Patient' and content::text like '%MRN-D1%'`,
    );
    const ident = stored.rows[0]?.content.identifier;
    // A second Patient with the same MRN: the ORU's conditional update now matches two.
    const twin = await t.deps.store.transaction((repo) => repo.create({ resourceType: 'Patient', identifier: ident } as never, { author: 'test' }));
    const [ack] = await exchange([oru('DUP-2', 'MRN-D1', 'ORD-D1', '99')]);
    expect(msa(ack as string)[1]).toBe('AE');
    expect(await resultsOf('ORD-D1')).toEqual([]);
    const logged = await t.deps.db.query<{ status: string; error: string }>(`select status, error from inbound_message where control_id = 'DUP-2'`);
    expect(logged.rows).toHaveLength(1);
    expect(logged.rows[0]?.status).toBe('error');
    expect(logged.rows[0]?.error).toMatch(/more than one/);
    await t.deps.store.transaction((repo) => repo.delete('Patient', twin.id, { author: 'test' }));
    const [again] = await exchange([oru('DUP-2', 'MRN-D1', 'ORD-D1', '99')]);
    expect(msa(again as string)[1]).toBe('AA');
    expect(await resultsOf('ORD-D1')).toHaveLength(1);
  });
});

describe('sources', () => {
  it('refuses at once a source disabled while the listener still remembers it', async () => {
    const south = await createSource(t.deps, { name: 'South Lab', hl7Facility: 'SOUTHLAB' });
    const first = await exchange([adt('S-1', 'SOUTHLAB', 'MRN-S100')]);
    expect(msa(first[0] as string)[1]).toBe('AA');
    await t.deps.db.query('update data_source set disabled_at = now() where org_id = $1', [south.id]);
    const [ack] = await exchange([adt('S-2', 'SOUTHLAB', 'MRN-S200')]);
    expect(msa(ack as string)[1], ack).toBe('AR');
    const stored = await t.deps.db.query(`select 1 from resource where resource_type = 'Patient' and content::text like '%MRN-S200%'`);
    expect(stored.rows).toEqual([]);
    const logged = await t.deps.db.query<{ status: string }>(`select status from inbound_message where control_id = 'S-2'`);
    expect(logged.rows.map((r) => r.status)).toEqual(['rejected']);
    await t.deps.db.query('update data_source set disabled_at = null where org_id = $1', [south.id]);
    expect(msa((await exchange([adt('S-2', 'SOUTHLAB', 'MRN-S200')]))[0] as string)[1]).toBe('AA');
  });
});

describe('group commit', () => {
  /** Ingest deps whose grouped transactions are recorded (how many messages each held). */
  function recordingDeps(): { deps: ReturnType<typeof ingestDepsFor>; groups: number[] } {
    const deps = ingestDepsFor(t.deps, fhirApiFor(t.deps).dispatch);
    const groups: number[] = [];
    const transactions = deps.transactions;
    deps.transactions = async (requests, sameTransaction) => {
      groups.push(requests.length);
      return (transactions as NonNullable<typeof transactions>)(requests, sameTransaction);
    };
    return { deps, groups };
  }

  it('applies messages that arrive together in shared transactions, each acknowledged AA', async () => {
    const { deps, groups } = recordingDeps();
    const messages = Array.from({ length: 12 }, (_, i) => oru(`GRP-${i}`, `MRN-G${i % 4}`, `ORD-G${i}`, String(100 + i)));
    const results = await Promise.all(messages.map((m) => ingestHl7v2(deps, m, 'file')));
    expect(results.map((r) => r.code)).toEqual(messages.map(() => 'AA'));
    expect(Math.max(...groups)).toBeGreaterThan(1);
    for (let i = 0; i < 12; i++) expect(await resultsOf(`ORD-G${i}`)).toMatchObject([{ version_id: 1, value: 100 + i }]);
    const patients = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient' and content::text like '%MRN-G%'`);
    expect(Number(patients.rows[0]?.n)).toBe(4);
    const logged = await t.deps.db.query<{ n: string }>(`select count(*) as n from inbound_message where control_id like 'GRP-%' and status = 'processed'`);
    expect(Number(logged.rows[0]?.n)).toBe(12);
  });

  it("keeps one message's failure its own: the others of its group are applied", async () => {
    const { deps } = recordingDeps();
    await ingestHl7v2(deps, adt('GF-0', 'NORTHLAB', 'MRN-GF'), 'file');
    const ident = (await t.deps.db.query<{ content: { identifier: unknown[] } }>(`select content from resource where resource_type = 'Patient' and content::text like '%MRN-GF%'`)).rows[0]?.content.identifier;
    await t.deps.store.transaction((repo) => repo.create({ resourceType: 'Patient', identifier: ident } as never, { author: 'test' }));
    const messages = [oru('GF-1', 'MRN-GF1', 'ORD-GF1', '1'), oru('GF-2', 'MRN-GF1', 'ORD-GF2', '2'), oru('GF-3', 'MRN-GF', 'ORD-GF3', '3'), oru('GF-4', 'MRN-GF4', 'ORD-GF4', '4'), oru('GF-5', 'MRN-GF5', 'ORD-GF5', '5')];
    const results = await Promise.all(messages.map((m) => ingestHl7v2(deps, m, 'file')));
    expect(results.map((r) => r.code)).toEqual(['AA', 'AA', 'AE', 'AA', 'AA']);
    expect(await resultsOf('ORD-GF3')).toEqual([]);
    for (const order of ['ORD-GF1', 'ORD-GF2', 'ORD-GF4', 'ORD-GF5']) expect(await resultsOf(order)).toHaveLength(1);
  });

  it('applies a message sent twice in one group once, and acknowledges both', async () => {
    const { deps } = recordingDeps();
    const twice = oru('GD-1', 'MRN-GD', 'ORD-GD1', '7');
    const results = await Promise.all([oru('GD-0', 'MRN-GD0', 'ORD-GD0', '6'), twice, oru('GD-2', 'MRN-GD2', 'ORD-GD2', '8'), twice].map((m) => ingestHl7v2(deps, m, 'file')));
    expect(results.map((r) => r.code)).toEqual(['AA', 'AA', 'AA', 'AA']);
    expect(results[3]?.ack).toBe(results[1]?.ack);
    expect((await resultsOf('ORD-GD1')).map((r) => r.version_id)).toEqual([1]);
    const logged = await t.deps.db.query<{ n: string }>(`select count(*) as n from inbound_message where control_id = 'GD-1'`);
    expect(Number(logged.rows[0]?.n)).toBe(1);
  });
});

describe('ADT^A40 merge', () => {
  it("marks the merged record replaced-by the surviving one and joins their Persons", async () => {
    await exchange([adt('M-1', 'NORTHLAB', 'MRN-OLD'), adt('M-2', 'NORTHLAB', 'MRN-NEW')]);
    const a40 = [
      'MSH|^~\\&|ADT|NORTHLAB|KENNEBEC|HIE|20240305120000-0500||ADT^A40^ADT_A39|M-3|P|2.5.1',
      'EVN|A40|20240305120000-0500',
      'PID|1||MRN-NEW^^^NORTHLAB^MR||Ouimet^Claire^M||19750412|F',
      'MRG|MRN-OLD^^^NORTHLAB^MR',
    ].join('\r');
    const [ack] = await exchange([a40]);
    expect(msa(ack as string)[1], ack).toBe('AA');
    const rows = await t.deps.db.query<{ id: string; content: { active?: boolean; link?: { type: string }[]; identifier: { value: string }[] } }>(
      `select id, content from resource where resource_type = 'Patient' and source_org = $1 and (content::text like '%MRN-OLD%' or content::text like '%MRN-NEW%')`,
      [lab.id],
    );
    const old = rows.rows.find((r) => r.content.identifier.some((i) => i.value === 'MRN-OLD'));
    const kept = rows.rows.find((r) => r.content.identifier.some((i) => i.value === 'MRN-NEW'));
    expect(old?.content.active).toBe(false);
    expect(old?.content.link?.[0]?.type).toBe('replaced-by');
    expect(kept?.content.link?.[0]?.type).toBe('replaces');
    const persons = await t.deps.db.query<{ person_id: string }>('select distinct person_id from mpi_link where patient_id = any($1::text[])', [[old?.id, kept?.id]]);
    expect(persons.rows).toHaveLength(1);
  });
});

describe('failed messages for HIE admins', () => {
  it('lists a rejected message with its error and reprocesses it once the source is registered', async () => {
    const [ack] = await exchange([adt('LATE-1', 'LATEHOSP', 'MRN-LATE')]);
    expect(msa(ack as string)[1]).toBe('AR');
    const admin = { authorization: `Bearer ${await t.token('system/Organization.cruds')}` };
    const list = await t.app.inject({ method: 'GET', url: '/admin/messages?status=failed', headers: admin });
    const failed = (list.json().messages as { id: string; controlId: string; error: string; reprocessed: boolean }[]).find((m) => m.controlId === 'LATE-1');
    expect(failed?.error).toContain('LATEHOSP');
    expect(list.body).not.toContain('MRN-LATE');
    await createSource(t.deps, { name: 'Late Hospital', hl7Facility: 'LATEHOSP' });
    const again = await t.app.inject({ method: 'POST', url: `/admin/messages/${failed?.id}/reprocess`, headers: admin });
    expect(again.json()).toMatchObject({ status: 'processed', code: 'AA' });
    const after = await t.app.inject({ method: 'GET', url: '/admin/messages?status=failed', headers: admin });
    expect((after.json().messages as { controlId: string; reprocessed: boolean }[]).find((m) => m.controlId === 'LATE-1')?.reprocessed).toBe(true);
    expect((await t.app.inject({ method: 'POST', url: '/admin/messages/999999/reprocess', headers: admin })).statusCode).toBe(404);
  });

  it('keeps the message log from clients without the admin scope', async () => {
    const reader = { authorization: `Bearer ${await t.token('system/Patient.rs')}` };
    expect((await t.app.inject({ method: 'GET', url: '/admin/messages', headers: reader })).statusCode).toBe(403);
  });
});

describe('HL7 v2 over HTTPS', () => {
  it('accepts a message from the source its client belongs to, and refuses another facility', async () => {
    const token = await t.token('system/*.cruds', lab.id);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'x-application/hl7-v2+er7' };
    const ok = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers, payload: adt('HTTP-1') });
    expect(ok.statusCode).toBe(200);
    expect(msa(ok.body)[1]).toBe('AA');
    await createSource(t.deps, { name: 'Other Hospital', hl7Facility: 'OTHERHOSP' });
    const other = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers, payload: adt('HTTP-2', 'OTHERHOSP') });
    expect(msa(other.body)[1]).toBe('AR');
  });

  it('refuses a client that belongs to no source (403)', async () => {
    const token = await t.token('system/*.cruds');
    const res = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: { authorization: `Bearer ${token}`, 'content-type': 'x-application/hl7-v2+er7' }, payload: adt('HTTP-3') });
    expect(res.statusCode).toBe(403);
  });
});
