import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import type { Evidence } from '@kennebec/matching';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createLogger } from '../../logger.ts';
import { createSource } from '../sources/index.ts';
import { recordOf, scoreCandidates } from './candidates.ts';
import { loadNameFrequencies, nameFrequenciesStale, rebuildNameFrequencies } from './name-frequencies.ts';
import { prepareMpiIndex } from './reindex.ts';
import { client, patient, type Demo } from './test-support.ts';

/** The live MPI scores with name frequencies: a snapshot of the linked Patients' names. */
let t: TestServer;
let api: ReturnType<typeof client>;
let north: Record<string, string>;
let south: Record<string, string>;
const N = 'urn:oid:2.16.840.1.113883.3.8101';
const S = 'urn:oid:2.16.840.1.113883.3.8102';
const lines: string[] = [];
const logger = createLogger(
  'info',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
);

beforeAll(async () => {
  t = await createTestServer();
  api = client(t);
  const a = await createSource(t.deps, { name: 'North', hl7Facility: 'NORTHFREQ', oid: '2.16.840.1.113883.3.8101' });
  const b = await createSource(t.deps, { name: 'South', hl7Facility: 'SOUTHFREQ', oid: '2.16.840.1.113883.3.8102' });
  north = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}` };
  south = { authorization: `Bearer ${await t.token('system/*.cruds', b.id)}` };
});
afterAll(async () => t?.close());

/** 1,200 other people's names: "john" and "smith" on 600 of them, every other name once. */
async function population(from: number, to: number): Promise<void> {
  await t.deps.db.query(
    `insert into mpi_name (patient_id, given, family)
     select 'elsewhere-' || i, case when i <= 600 then 'john' else 'g' || i end, case when i <= 600 then 'smith' else 'f' || i end
     from generate_series($1::int, $2::int) as i`,
    [from, to],
  );
}

async function linkEvidence(patientId: string): Promise<{ decision: string; evidence: Evidence[] }> {
  const res = await t.deps.db.query<{ decision: string; evidence: Evidence[] | string }>('select decision, evidence from mpi_link where patient_id = $1', [patientId]);
  const row = res.rows[0] as { decision: string; evidence: Evidence[] | string };
  return { decision: row.decision, evidence: typeof row.evidence === 'string' ? (JSON.parse(row.evidence) as Evidence[]) : row.evidence };
}

const field = (e: Evidence[], f: string) => e.find((x) => x.field === f);
const home = { birthDate: '1961-04-09', line: '14 Maple St', city: 'Augusta', zip: '04330', phone: '207-555-0134' };
const twice = async (d: Omit<Demo, 'mrn' | 'system'>, mrn: string): Promise<[string, string]> => [
  await api.create(north, patient({ ...d, mrn: `${mrn}-N`, system: N })),
  await api.create(south, patient({ ...d, mrn: `${mrn}-S`, system: S })),
];

describe('name frequencies in the MPI', () => {
  it('scores without them until a snapshot exists', async () => {
    expect(await loadNameFrequencies(t.deps.db, [recordOf(patient({ mrn: 'x', system: N, given: 'John', family: 'Smith', birthDate: '1961-04-09' }))])).toBeUndefined();
    const [, b] = await twice({ given: 'Ann', family: 'Morin', ...home, ssn: '900-40-0001' }, 'F0');
    const e = (await linkEvidence(b)).evidence;
    expect(field(e, 'family')).toMatchObject({ level: 'exact', weight: 6 });
    expect(field(e, 'family')?.detail).toBeUndefined();
  });

  it('keeps each linked Patient\'s normalized names, replaced when its demographics change', async () => {
    const id = await api.create(north, patient({ mrn: 'F1', system: N, given: 'Marie-Claire', family: "O'Neil", ...home, line: '3 Oak St' }));
    const names = async () => (await t.deps.db.query<{ given: string; family: string }>('select given, family from mpi_name where patient_id = $1', [id])).rows;
    expect(await names()).toEqual([{ given: 'marie', family: 'oneil' }]);
    await api.update(north, id, patient({ mrn: 'F1', system: N, given: 'Claire', family: 'Neil', ...home, line: '3 Oak St' }));
    expect(await names()).toEqual([{ given: 'claire', family: 'neil' }]);
  });

  it('weighs a rare name agreeing more and a common one less, once the snapshot is built', async () => {
    await population(1, 1200);
    const counted = await t.deps.db.transaction((tx) => rebuildNameFrequencies(tx));
    expect(counted.family).toBeGreaterThanOrEqual(1200);
    const [, smith] = await twice({ given: 'John', family: 'Smith', ...home, ssn: '900-40-0002' }, 'F2');
    const common = await linkEvidence(smith);
    expect(common.decision).toBe('link');
    // ū ≈ 600²/1,200² = 0.25 and f(smith) ≈ 0.5: one bit less.
    expect(field(common.evidence, 'family')).toMatchObject({ level: 'exact', detail: 'common-name' });
    expect(field(common.evidence, 'family')?.weight).toBeCloseTo(5, 1);
    expect(field(common.evidence, 'given')).toMatchObject({ level: 'exact', detail: 'common-name' });
    const [c, d] = await twice({ given: 'Theodora', family: 'Pelletreau', ...home, line: '2 Birch Rd', ssn: '900-40-0003', gender: 'female' }, 'F3');
    const rare = await linkEvidence(d);
    expect(field(rare.evidence, 'family')).toMatchObject({ level: 'exact', detail: 'rare-name', weight: 6 + 3 });
    expect(field(rare.evidence, 'given')).toMatchObject({ level: 'exact', detail: 'rare-name', weight: 5 + 3 });
    // Patient/$match's scoring reads them too.
    const stored = (await t.deps.store.read('Patient', c))?.resource as Patient;
    const matched = await scoreCandidates(t.deps.db, recordOf(stored), c);
    expect(matched[0]?.patientId).toBe(d);
    expect(field(matched[0]?.evidence ?? [], 'family')).toMatchObject({ detail: 'rare-name' });
  });

  it('rebuilds the snapshot without deleted Patients, and at start-up when the names have changed by a tenth', async () => {
    const count = async (value: string) =>
      Number((await t.deps.db.query<{ count: number }>(`select count from mpi_name_frequency where field = 'family' and value = $1`, [value])).rows[0]?.count ?? 0);
    await t.deps.db.transaction((tx) => rebuildNameFrequencies(tx));
    expect(await count('pelletreau')).toBe(2);
    const gone = await api.create(north, patient({ mrn: 'F4', system: N, given: 'Ida', family: 'Pelletreau', birthDate: '1990-02-02', line: '8 Ash St' }));
    const del = await t.app.inject({ method: 'DELETE', url: `/fhir/R4/Patient/${gone}`, headers: north });
    expect(del.statusCode).toBeLessThan(300);
    await t.deps.db.transaction((tx) => rebuildNameFrequencies(tx));
    expect(await count('pelletreau')).toBe(2);

    expect(await nameFrequenciesStale(t.deps.db)).toBe(false);
    await prepareMpiIndex(t.deps.db, logger);
    expect(lines.some((l) => l.includes('name frequencies rebuilt'))).toBe(false);
    await population(1201, 1340);
    expect(await nameFrequenciesStale(t.deps.db)).toBe(true);
    await prepareMpiIndex(t.deps.db, logger);
    expect(lines.some((l) => l.includes('name frequencies rebuilt'))).toBe(true);
    expect(await nameFrequenciesStale(t.deps.db)).toBe(false);
    const totals = await t.deps.db.query<{ field: string; records: number; sum_squares: string | number }>('select field, records, sum_squares from mpi_name_frequency_total order by field');
    const family = totals.rows.find((r) => r.field === 'family');
    // 1,340 other people, and Morin ×2, Neil, Smith ×2, Pelletreau ×2 linked here.
    expect(Number(family?.records)).toBe(1340 + 7);
    expect(Number(family?.sum_squares)).toBe(602 * 602 + (1340 - 600) + 2 * 2 + 1 + 2 * 2);
  });
});
