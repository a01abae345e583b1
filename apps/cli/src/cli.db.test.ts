import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, createTestDatabaseEnv, writePemFiles } from '@kennebec/test-support';
import { openDatabase } from '@kennebec/db';
import { runCli } from './cli.ts';
import { SYNTHETIC_CCD } from '../../../packages/ccda/src/test-fixtures.ts';

/** The CLI run in-process with its own environment, exactly as `npx kennebec …` runs it. */
let env: Record<string, string>;
let cleanup: () => Promise<void>;
let dir: string;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: { ...env, LOG_LEVEL: 'silent' }, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  ({ env, cleanup } = await createTestDatabaseEnv());
  dir = await mkdtemp(join(tmpdir(), 'kennebec-cli-'));
});
afterAll(async () => {
  await cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('kennebec CLI', () => {
  it('prints usage and fails on an unknown command', async () => {
    const res = await run('frobnicate');
    expect(res.code).toBe(2);
    expect(res.err).toContain('Usage: kennebec');
  });

  it('migrates, and a second run has nothing to do', async () => {
    const first = await run('migrate');
    expect(first.code).toBe(0);
    const second = await run('migrate');
    expect(second.out).toContain('up to date');
  });

  it('creates a client and prints JSON with client_id and client_secret', async () => {
    const res = await run('client', 'create', '--name', 'Lab feed', '--scope', 'system/Observation.cruds system/Patient.rs');
    expect(res.code, res.err).toBe(0);
    const client = JSON.parse(res.out);
    expect(client.client_id).toBeTruthy();
    expect(client.client_secret.length).toBeGreaterThanOrEqual(32);
  });

  it('registers an organization as a data source and ties a client to it', async () => {
    const org = await run('org', 'create', '--name', 'Mercy Hospital', '--hl7-facility', 'MERCY_HOSP', '--oid', '2.16.840.1.113883.3.4242');
    expect(org.code, org.err).toBe(0);
    const source = JSON.parse(org.out);
    expect(source).toMatchObject({ name: 'Mercy Hospital', hl7Facility: 'MERCY_HOSP', oid: '2.16.840.1.113883.3.4242', identifierSystem: 'urn:oid:2.16.840.1.113883.3.4242' });
    expect(source.id).toBeTruthy();
    const again = await run('org', 'create', '--name', 'Other', '--hl7-facility', 'MERCY_HOSP');
    expect(again.code).toBe(1);
    expect(again.err).toContain('already registered');
    const client = await run('client', 'create', '--org', source.id, '--name', 'Mercy feed', '--scope', 'system/*.cruds');
    expect(client.code, client.err).toBe(0);
    expect(JSON.parse(client.out).org_id).toBe(source.id);
    const orphan = await run('client', 'create', '--org', 'no-such-org', '--name', 'x', '--scope', 'system/*.rs');
    expect(orphan.code).toBe(1);
    expect(orphan.err).toContain('No data source');
  });

  it('creates a staff user and prints a one-time set-password link and JSON', async () => {
    const org = JSON.parse((await run('org', 'create', '--name', 'Bay Clinic', '--hl7-facility', 'BAYCLINIC')).out);
    const res = await run('staff', 'create', '--org', org.id, '--email', 'Dana@Bay.example', '--role', 'nurse', '--role', 'org-admin');
    expect(res.code, res.err).toBe(0);
    const staff = JSON.parse(res.out);
    expect(staff).toMatchObject({ email: 'Dana@Bay.example', orgId: org.id, roles: ['nurse', 'org-admin'] });
    expect(staff.setPasswordUrl).toMatch(/\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    expect(res.err).toContain(staff.setPasswordUrl);
    const hie = await run('staff', 'create', '--email', 'hal@hie.example', '--role', 'hie-admin,hie-privacy-officer');
    expect(hie.code, hie.err).toBe(0);
    expect(JSON.parse(hie.out)).toMatchObject({ orgId: null, roles: ['hie-admin', 'hie-privacy-officer'] });

    const again = await run('staff', 'create', '--org', org.id, '--email', 'dana@bay.example', '--role', 'nurse');
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    expect((await run('staff', 'create', '--email', 'x@bay.example', '--role', 'nurse')).err).toContain('need an organization');
    expect((await run('staff', 'create', '--org', org.id, '--email', 'x@bay.example', '--role', 'janitor')).err).toContain('Unknown role');
    expect((await run('staff', 'create', '--org', 'nope', '--email', 'x@bay.example', '--role', 'nurse')).err).toContain('No organization');
    expect((await run('staff', 'create', '--email', 'x@bay.example')).code).toBe(2);
  });

  it('registers client certificates for MLLP over TLS with org create and source cert add, lists and removes them', async () => {
    const ca = await createTestCa();
    const [first, second, other] = await Promise.all([ca.issue({ commonName: 'Gorham feed 1' }), ca.issue({ commonName: 'Gorham feed 2' }), (await createTestCa('Other CA')).issue({ commonName: 'x' })]);
    const files = await writePemFiles({ first: first.cert, key: first.key, ca: ca.cert, other: other.cert });
    try {
      const created = await run('org', 'create', '--name', 'Gorham Clinic', '--hl7-facility', 'GORHAM', '--tls-cert', files.first);
      expect(created.code, created.err).toBe(0);
      const source = JSON.parse(created.out) as { id: string; certificates: { fingerprint: string; subject: string }[] };
      expect(source.certificates).toMatchObject([{ fingerprint: first.fingerprint, subject: 'CN=Gorham feed 1' }]);
      const add = await run('source', 'cert', 'add', '--org', source.id, '--fingerprint', second.fingerprint.replaceAll(':', '').toLowerCase());
      expect(add.code, add.err).toBe(0);
      expect(JSON.parse(add.out)).toMatchObject([{ fingerprint: second.fingerprint, subject: null }]);
      // With MLLP_TLS_CA configured, a certificate of another CA is registered with a warning.
      const tlsEnv = { ...env, LOG_LEVEL: 'silent', MLLP_TLS_CERT: files.first, MLLP_TLS_KEY: files.key, MLLP_TLS_CA: files.ca };
      const err: string[] = [];
      const code = await runCli(['source', 'cert', 'add', '--org', source.id, '--cert', files.other], { env: tlsEnv, out: () => undefined, err: (l) => err.push(l) });
      expect(code).toBe(0);
      expect(err.join('\n')).toContain('was not issued by a CA in MLLP_TLS_CA');
      const list = await run('source', 'cert', 'list', '--org', source.id);
      expect(list.code, list.err).toBe(0);
      expect(JSON.parse(list.out)[0].certificates.map((c: { fingerprint: string }) => c.fingerprint)).toEqual([first.fingerprint, second.fingerprint, other.fingerprint]);
      expect(list.out).not.toContain('PRIVATE KEY');
      const removed = await run('source', 'cert', 'remove', '--org', source.id, '--fingerprint', second.fingerprint);
      expect(removed.code, removed.err).toBe(0);
      const again = await run('source', 'cert', 'remove', '--org', source.id, '--fingerprint', second.fingerprint);
      expect(again.code).toBe(1);
      expect(again.err).toContain('has no certificate');
    } finally {
      await rm(files.dir, { recursive: true, force: true });
    }
  });

  it('refuses a private key given as a certificate, an unreadable file and a certificate of another source', async () => {
    const ca = await createTestCa();
    const cert = await ca.issue({ commonName: 'Saco feed' });
    const files = await writePemFiles({ cert: cert.cert, key: cert.key });
    try {
      const withKey = await run('org', 'create', '--name', 'Saco Clinic', '--hl7-facility', 'SACO', '--tls-cert', files.key);
      expect(withKey.code).toBe(1);
      expect(withKey.err).toContain('it holds a private key');
      const missing = await run('org', 'create', '--name', 'Saco Clinic', '--hl7-facility', 'SACO', '--tls-cert', join(files.dir, 'none.pem'));
      expect(missing.code).toBe(1);
      expect(missing.err).toContain("Cannot read certificate file");
      const ok = await run('org', 'create', '--name', 'Saco Clinic', '--hl7-facility', 'SACO', '--tls-cert', files.cert);
      expect(ok.code, ok.err).toBe(0);
      const other = JSON.parse((await run('org', 'create', '--name', 'Biddeford Clinic', '--hl7-facility', 'BIDDEFORD')).out) as { id: string };
      const taken = await run('source', 'cert', 'add', '--org', other.id, '--cert', files.cert);
      expect(taken.code).toBe(1);
      expect(taken.err).toContain('already registered to another source');
      const unknown = await run('source', 'cert', 'add', '--org', 'no-such-org', '--fingerprint', cert.fingerprint);
      expect(unknown.code).toBe(1);
      expect(unknown.err).toContain("No data source with id 'no-such-org'");
      expect((await run('source', 'cert', 'add', '--org', other.id)).code).toBe(2);
    } finally {
      await rm(files.dir, { recursive: true, force: true });
    }
  });

  it('refuses a data source with a malformed OID', async () => {
    const res = await run('org', 'create', '--name', 'Bad', '--hl7-facility', 'BAD', '--oid', 'not-an-oid');
    expect(res.code).toBe(1);
    expect(res.err).toContain('OID');
  });

  it('refuses a client with an invalid scope', async () => {
    const res = await run('client', 'create', '--name', 'x', '--scope', 'system/Patient.xyz');
    expect(res.code).toBe(1);
  });

  it('imports NDJSON and Bundles, reporting invalid lines without losing the rest', async () => {
    const ndjson = join(dir, 'Patient.ndjson');
    await writeFile(
      ndjson,
      [
        JSON.stringify({ resourceType: 'Patient', id: 'imp-1', name: [{ family: 'Ames' }] }),
        JSON.stringify({ resourceType: 'Patient', id: 'imp-2', gender: 'not-a-gender' }),
        '{ not json',
        JSON.stringify({ resourceType: 'Patient', id: 'imp-3', name: [{ family: 'Brook' }] }),
      ].join('\n'),
    );
    const bundle = join(dir, 'tx.json');
    await writeFile(
      bundle,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', name: [{ family: 'Cole' }] }, request: { method: 'POST', url: 'Patient' } },
          {
            resource: { resourceType: 'Observation', status: 'final', code: { text: 'hr' }, subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' } },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      }),
    );
    const res = await run('import', dir);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.out);
    expect(report).toMatchObject({ files: 2, bundles: 1, resources: 4, failed: 2 });
    expect(res.err).toContain('Patient.ndjson:2');
    expect(res.err).toContain('Patient.ndjson:3');
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    try {
      const rows = await db.query<{ id: string }>(`select id from resource where resource_type = 'Patient' and id like 'imp-%' order by id`);
      expect(rows.rows.map((r) => r.id)).toEqual(['imp-1', 'imp-3']);
      const obs = await db.query<{ ref: string }>(`select content #>> '{subject,reference}' as ref from resource where resource_type = 'Observation'`);
      expect(obs.rows[0]?.ref).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    } finally {
      await db.close();
    }
  });

  it('imports an HL7 v2 batch file and a C-CDA document from a registered source', async () => {
    const org = JSON.parse((await run('org', 'create', '--name', 'Batch Hospital', '--hl7-facility', 'BATCHHOSP')).out) as { id: string };
    const msg = (id: string, mrn: string) =>
      `MSH|^~\\&|ADT|BATCHHOSP|KENNEBEC|HIE|20240301120000-0500||ADT^A04^ADT_A01|${id}|P|2.5.1\rEVN|A04|20240301120000-0500\rPID|1||${mrn}^^^BATCHHOSP^MR||Lavoie^Rene||19600101|M`;
    const batchDir = await mkdtemp(join(tmpdir(), 'kennebec-hl7-'));
    await writeFile(
      join(batchDir, 'feed.hl7'),
      ['FHS|^~\\&|ADT|BATCHHOSP', 'BHS|^~\\&|ADT|BATCHHOSP', msg('B-1', 'MRN-B1'), msg('B-2', 'MRN-B2'), 'BTS|2', 'FTS|1'].join('\r'),
    );
    await writeFile(join(batchDir, 'summary.xml'), SYNTHETIC_CCD);
    const res = await run('import', batchDir, '--org', org.id);
    expect(res.code, res.err).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ files: 2, failed: 0 });
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    try {
      const rows = await db.query<{ n: string }>(`select count(*) as n from inbound_message where status = 'processed' and control_id in ('B-1', 'B-2')`);
      expect(Number(rows.rows[0]?.n)).toBe(2);
      const docs = await db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'DocumentReference' and source_org = $1`, [org.id]);
      expect(Number(docs.rows[0]?.n)).toBe(1);
    } finally {
      await db.close();
      await rm(batchDir, { recursive: true, force: true });
    }
  });

  it('seeds demo data once', async () => {
    const first = await run('seed', '--patients', '2');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/Seeded \d+ resources/);
    const second = await run('seed', '--patients', '2');
    expect(second.out).toContain('already present');
  });

  it('rebuilds the MPI\'s matching keys of every linked Patient with mpi reindex', async () => {
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    let linked: number;
    try {
      linked = Number((await db.query<{ n: string }>(`select count(*) as n from mpi_link l join resource r on r.resource_type = 'Patient' and r.id = l.patient_id and not r.deleted`)).rows[0]?.n);
      await db.query('delete from mpi_name');
    } finally {
      await db.close();
    }
    expect(linked).toBeGreaterThan(0);
    const res = await run('mpi', 'reindex');
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain(`Rebuilt the matching keys of ${linked} Patients`);
    const after = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    try {
      expect(Number((await after.query<{ n: string }>('select count(*) as n from mpi_name')).rows[0]?.n)).toBe(linked);
    } finally {
      await after.close();
    }
    expect((await run('mpi')).code).toBe(2);
  });
});
