/**
 * Search latency benchmark on a loaded database, comparing the IN and EXISTS phrasings of the
 * index predicates (see MatchStrategy).
 *
 * Run: `node bin/run-ts.js packages/fhir-store/src/search/bench-search.ts [postgres-admin-url] [patients] [observations]`
 * With a URL it creates (and drops) a database `kennebec_bench_search` on that server;
 * without one it uses an in-memory PGlite.
 */
import type { Observation, Patient } from 'fhir/r4';
import pg from 'pg';
import { migrate, openPglite, PostgresDatabase, type Database } from '@kennebec/db';
import { getSearchRegistry, parseSearchRequest } from '@kennebec/fhir';
import { SqlFhirStore } from '../sql-store.ts';
import { compileSearch, executeSearch } from './execute.ts';
import { buildIndexRows } from './index.ts';
import type { MatchStrategy } from './sql.ts';

const FAMILIES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'García', 'Miller', 'Davis', 'Rodríguez', 'Martínez', 'Hernández', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin'];
const GIVEN = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Élodie', 'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica'];
const CODES: [string, string, string][] = [
  ['8867-4', 'Heart rate', '/min'], ['8310-5', 'Body temperature', 'Cel'], ['29463-7', 'Body weight', 'kg'], ['8302-2', 'Body height', 'cm'],
  ['2708-6', 'Oxygen saturation', '%'], ['9279-1', 'Respiratory rate', '/min'], ['39156-5', 'BMI', 'kg/m2'], ['2339-0', 'Glucose', 'mg/dL'],
  ['2093-3', 'Cholesterol', 'mg/dL'], ['4548-4', 'Hemoglobin A1c', '%'],
];

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;

async function open(url: string | undefined): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (!url) {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('drop database if exists kennebec_bench_search with (force)');
  await admin.query('create database kennebec_bench_search');
  const u = new URL(url);
  u.pathname = '/kennebec_bench_search';
  const db = await PostgresDatabase.open(u.toString(), { max: 4 });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.query('drop database if exists kennebec_bench_search with (force)');
      await admin.end();
    },
  };
}

async function load(db: Database, patients: number, observations: number): Promise<void> {
  const r = rng(42);
  let tick = Date.parse('2025-01-01T00:00:00Z');
  const store = new SqlFhirStore(db, { buildIndexRows, now: () => new Date((tick += 7)) });
  const ctx = { author: 'bench' };
  const started = Date.now();
  const batch = 500;
  for (let i = 0; i < patients; i += batch) {
    const items = Array.from({ length: Math.min(batch, patients - i) }, (_, k) => {
      const n = i + k;
      const resource: Patient = {
        resourceType: 'Patient',
        identifier: [{ system: 'http://hospital.example.org/mrn', value: `MRN${n}` }],
        name: [{ family: pick(r, FAMILIES), given: [pick(r, GIVEN)] }],
        gender: r() < 0.5 ? 'female' : 'male',
        birthDate: `${1930 + Math.floor(r() * 90)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
        address: [{ city: pick(r, ['Boston', 'Portland', 'Augusta', 'Bangor']), state: 'ME', postalCode: String(4000 + Math.floor(r() * 900)) }],
      };
      return { resource, id: `p${n}` };
    });
    await store.transaction((repo) => repo.createMany(items, ctx));
  }
  for (let i = 0; i < observations; i += batch) {
    const items = Array.from({ length: Math.min(batch, observations - i) }, () => {
      const [code, display, unit] = pick(r, CODES);
      const resource: Observation = {
        resourceType: 'Observation',
        status: r() < 0.95 ? 'final' : 'amended',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: r() < 0.7 ? 'vital-signs' : 'laboratory' }] }],
        code: { coding: [{ system: 'http://loinc.org', code, display }] },
        subject: { reference: `Patient/p${Math.floor(r() * patients)}` },
        effectiveDateTime: new Date(Date.parse('2020-01-01T00:00:00Z') + Math.floor(r() * 5 * 365 * 86400_000)).toISOString(),
        valueQuantity: { value: Math.round(r() * 2000) / 10, unit, system: 'http://unitsofmeasure.org', code: unit },
      };
      return { resource };
    });
    await store.transaction((repo) => repo.createMany(items, ctx));
  }
  const rows = await db.query<{ n: string }>(
    `select (select count(*) from sp_string) + (select count(*) from sp_token) + (select count(*) from sp_reference)
       + (select count(*) from sp_date) + (select count(*) from sp_quantity) + (select count(*) from sp_uri) as n`,
  );
  console.log(`loaded ${patients} patients, ${observations} observations, ${rows.rows[0]?.n} index rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await db.exec('analyze');
}

const QUERIES: [string, string][] = [
  ['Observation', 'code=http://loinc.org|8867-4'],
  ['Observation', 'patient=Patient/p123'],
  ['Observation', 'patient=p123&code=8867-4&date=ge2022'],
  ['Observation', 'category=laboratory&date=2023-03&_total=accurate'],
  ['Observation', 'value-quantity=gt190&code=8867-4'],
  ['Observation', 'code:not=8867-4'],
  ['Observation', 'status:not=final&_sort=-date'],
  ['Observation', 'patient.name=smi'],
  ['Observation', 'patient.birthdate=1950-06&code=2339-0'],
  ['Observation', '_sort=-date'],
  ['Observation', 'code-value-quantity=http://loinc.org|8867-4$gt150'],
  ['Patient', 'name=smi'],
  ['Patient', 'name:contains=ill'],
  ['Patient', 'birthdate=lt1940&gender=female&_sort=birthdate'],
  ['Patient', 'identifier=http://hospital.example.org/mrn|MRN777'],
  ['Patient', '_revinclude=Observation:patient&_id=p5'],
];

/** Mean latency of each strategy, runs interleaved so caching favours neither. */
async function time(db: Database, type: string, query: string, runs: number): Promise<{ in: number; exists: number; n: number; nExists: number }> {
  const req = parseSearchRequest(type, [...new URLSearchParams(query).entries()], getSearchRegistry());
  const strategies: MatchStrategy[] = ['in', 'exists'];
  const total = { in: 0, exists: 0 };
  const n = { in: 0, exists: 0 };
  for (const strategy of strategies) await executeSearch(db, req, { strategy });
  for (let i = 0; i < runs; i++) {
    for (const strategy of i % 2 === 0 ? strategies : [...strategies].reverse()) {
      const start = performance.now();
      n[strategy] = (await executeSearch(db, req, { strategy })).matches.length;
      total[strategy] += performance.now() - start;
    }
  }
  return { in: total.in / runs, exists: total.exists / runs, n: n.in, nExists: n.exists };
}

const [url, patientsArg, observationsArg] = process.argv.slice(2);
const { db, drop } = await open(url && url !== '-' ? url : undefined);
try {
  await migrate(db);
  await load(db, Number(patientsArg ?? 2000), Number(observationsArg ?? 30000));
  console.log(`${'query'.padEnd(72)} ${'in (ms)'.padStart(9)} ${'exists'.padStart(9)}  matches`);
  for (const [type, query] of QUERIES) {
    const t = await time(db, type, query, 10);
    const mismatch = t.n !== t.nExists ? ` (exists: ${t.nExists})` : '';
    console.log(`${`${type}?${query}`.padEnd(72)} ${t.in.toFixed(2).padStart(9)} ${t.exists.toFixed(2).padStart(9)}  ${t.n}${mismatch}`);
  }
  if (process.env.EXPLAIN) {
    const [type, query] = process.env.EXPLAIN.split('?') as [string, string];
    const req = parseSearchRequest(type, [...new URLSearchParams(query).entries()], getSearchRegistry());
    const { page } = compileSearch(req, { strategy: (process.env.STRATEGY as MatchStrategy | undefined) ?? 'in' });
    const plan = await db.query<Record<string, string>>(`explain analyze ${page.text}`, page.values);
    console.log(page.text);
    console.log(plan.rows.map((row) => Object.values(row)[0]).join('\n'));
  }
} finally {
  await drop();
}
