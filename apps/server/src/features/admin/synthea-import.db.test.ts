import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { fhirApiFor } from '../../compose.ts';
import { importPath, type ImportReport } from './import-resources.ts';
import { ingestDepsFor } from '../ingestion/index.ts';

/**
 * Synthea transaction Bundles from ../shared/data (third-party sample data, never copied into
 * the repository). Skipped when that folder is absent.
 */
const SYNTHEA = process.env.KENNEBEC_SHARED_DATA
  ? join(process.env.KENNEBEC_SHARED_DATA, 'synthea/fhir-r4')
  : new URL('../../../../../../shared/data/synthea/fhir-r4', import.meta.url).pathname;
const available = existsSync(SYNTHEA);

let t: TestServer;
let dir: string;
let report: ImportReport;
const PATIENT_FILES = 4;

describe.skipIf(!available)('import of Synthea bundles', () => {
  beforeAll(async () => {
    t = await createTestServer();
    dir = await mkdtemp(join(tmpdir(), 'kennebec-synthea-'));
    const files = readdirSync(SYNTHEA).filter((f) => f.endsWith('.json'));
    const patients = files.filter((f) => !/Information/.test(f)).slice(0, PATIENT_FILES);
    for (const f of [...files.filter((f) => /Information/.test(f)), ...patients]) await cp(join(SYNTHEA, f), join(dir, f));
    report = await importPath({ ...fhirApiFor(t.deps), ...ingestDepsFor(t.deps, fhirApiFor(t.deps).dispatch), store: t.deps.store, maxBytes: 1 << 26 }, { kind: 'system', origin: 'test' }, dir);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('imports every bundle without a failure', () => {
    expect(report.failed).toEqual([]);
    expect(report.bundles).toBe(PATIENT_FILES + 2);
    expect(report.resources).toBeGreaterThan(500);
  });

  it('stores one Patient per patient bundle', async () => {
    const res = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient' and not deleted`);
    expect(Number(res.rows[0]?.n)).toBe(PATIENT_FILES);
  });

  it('stores shared Organizations and Practitioners once, not once per bundle', async () => {
    const res = await t.deps.db.query<{ n: string; distinct_ids: string }>(
      `select count(*) as n, count(distinct content #>> '{identifier,0,system}' || '|' || (content #>> '{identifier,0,value}')) as distinct_ids
       from resource where resource_type in ('Organization', 'Practitioner') and not deleted`,
    );
    expect(res.rows[0]?.n).toBe(res.rows[0]?.distinct_ids);
  });

  it('rewrites urn:uuid references to stored resources', async () => {
    const res = await t.deps.db.query<{ ref: string }>(
      `select content #>> '{subject,reference}' as ref from resource where resource_type = 'Observation' limit 50`,
    );
    expect(res.rows.length).toBeGreaterThan(0);
    for (const { ref } of res.rows) {
      expect(ref).toMatch(/^Patient\/[0-9a-f-]{36}$/);
      expect(await t.deps.store.read('Patient', ref.split('/')[1] as string)).toBeDefined();
    }
  });

  it('makes the imported data searchable', async () => {
    const token = await t.token();
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Observation?code=http://loinc.org|8302-2&_summary=count', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBeGreaterThan(0);
  });
});
