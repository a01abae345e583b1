import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Patient } from 'fhir/r4';

/**
 * The measured interactions. Each scenario builds one request at a time from the sample of
 * loaded data (ids, family names, patient/LOINC pairs), so reads and searches hit real rows.
 */
export const SCENARIO_NAMES = ['read', 'name', 'obs', 'create', 'tx'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface Scenario {
  name: ScenarioName;
  /** What the row of the table is called. */
  title: string;
  /** Target throughput from the issue, in requests per second (reported, not asserted). */
  target: number;
  next(): RequestSpec;
  /** Searches: count the matches in a sample of responses, to show they find something. */
  countsMatches: boolean;
}

/** Data sampled from the loaded database. */
export interface Sample {
  patients: { id: string; family: string | null }[];
  observations: { patientId: string; code: string }[];
}

export const FHIR_BASE = '/fhir/R4';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

function pick<T>(list: readonly T[]): T {
  const v = list[Math.floor(Math.random() * list.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

function between(lo: number, hi: number, decimals = 0): number {
  const f = 10 ** decimals;
  return Math.round((lo + Math.random() * (hi - lo)) * f) / f;
}

const FAMILIES = ['Thibodeau', 'Pelletier', 'Ouellette', 'Libby', 'Haskell', 'Cyr', 'Dunham', 'Sawyer'];
const GIVEN_F = ['Abigail', 'Hannah', 'Ruth', 'Clara', 'Maeve'];
const GIVEN_M = ['Elias', 'Silas', 'Owen', 'Jonah', 'Amos'];

/** A small US Core-like Patient: identifier, name, gender, birth date, address, telecom. */
export function benchPatient(): Patient {
  const female = Math.random() < 0.5;
  const year = between(1935, 2020);
  const month = String(between(1, 12)).padStart(2, '0');
  const day = String(between(1, 28)).padStart(2, '0');
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.9999.99', value: `BENCH-${randomUUID().slice(0, 8)}` }],
    active: true,
    name: [{ use: 'official', family: pick(FAMILIES), given: [pick(female ? GIVEN_F : GIVEN_M)] }],
    gender: female ? 'female' : 'male',
    birthDate: `${year}-${month}-${day}`,
    telecom: [{ system: 'phone', value: `207-555-${String(between(0, 9999)).padStart(4, '0')}`, use: 'home' }],
    address: [{ use: 'home', line: [`${between(1, 999)} Water St`], city: 'Augusta', state: 'ME', postalCode: '04330', country: 'US' }],
  };
}

interface ObsKind {
  code: string;
  display: string;
  category: 'vital-signs' | 'laboratory';
  unit: string;
  lo: number;
  hi: number;
  decimals: number;
}

const OBS_KINDS: readonly ObsKind[] = [
  { code: '8867-4', display: 'Heart rate', category: 'vital-signs', unit: '/min', lo: 55, hi: 100, decimals: 0 },
  { code: '9279-1', display: 'Respiratory rate', category: 'vital-signs', unit: '/min', lo: 12, hi: 20, decimals: 0 },
  { code: '8310-5', display: 'Body temperature', category: 'vital-signs', unit: 'Cel', lo: 36.1, hi: 37.8, decimals: 1 },
  { code: '29463-7', display: 'Body weight', category: 'vital-signs', unit: 'kg', lo: 45, hi: 120, decimals: 1 },
  { code: '8302-2', display: 'Body height', category: 'vital-signs', unit: 'cm', lo: 150, hi: 195, decimals: 1 },
  { code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', category: 'vital-signs', unit: '%', lo: 92, hi: 100, decimals: 0 },
  { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', category: 'laboratory', unit: 'mg/dL', lo: 70, hi: 180, decimals: 0 },
  { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', category: 'laboratory', unit: 'mg/dL', lo: 0.6, hi: 1.4, decimals: 2 },
  { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', category: 'laboratory', unit: 'g/dL', lo: 11, hi: 17, decimals: 1 },
  { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', category: 'laboratory', unit: 'mg/dL', lo: 140, hi: 260, decimals: 0 },
];

function benchObservation(subject: string, kind: ObsKind, effective: string): Observation {
  const display = kind.category === 'vital-signs' ? 'Vital Signs' : 'Laboratory';
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CATEGORY, code: kind.category, display }] }],
    code: { coding: [{ system: LOINC, code: kind.code, display: kind.display }], text: kind.display },
    subject: { reference: subject },
    effectiveDateTime: effective,
    valueQuantity: { value: between(kind.lo, kind.hi, kind.decimals), unit: kind.unit, system: UCUM, code: kind.unit },
  };
}

/** A transaction Bundle: one new Patient and `observations` Observations that refer to it by urn:uuid. */
export function benchTransaction(observations = 49): Bundle {
  const patientUrl = `urn:uuid:${randomUUID()}`;
  const entry: BundleEntry[] = [{ fullUrl: patientUrl, resource: benchPatient(), request: { method: 'POST', url: 'Patient' } }];
  const day = Date.now() - between(0, 3650) * 86_400_000;
  for (let i = 0; i < observations; i++) {
    const kind = OBS_KINDS[i % OBS_KINDS.length] as ObsKind;
    const effective = new Date(day - Math.floor(i / OBS_KINDS.length) * 90 * 86_400_000).toISOString();
    entry.push({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: benchObservation(patientUrl, kind, effective),
      request: { method: 'POST', url: 'Observation' },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

export function buildScenarios(names: readonly ScenarioName[], sample: Sample): Scenario[] {
  const ids = sample.patients.map((p) => p.id);
  const prefixes = [...new Set(sample.patients.flatMap((p) => (p.family && p.family.length >= 3 ? [p.family.slice(0, 3).toLowerCase()] : [])))];
  const all: Record<ScenarioName, () => Scenario> = {
    read: () => ({
      name: 'read',
      title: 'read Patient/{id}',
      target: 4000,
      countsMatches: false,
      next: () => ({ method: 'GET', path: `${FHIR_BASE}/Patient/${encodeURIComponent(pick(ids))}` }),
    }),
    name: () => ({
      name: 'name',
      title: 'Patient?name={3 letters}',
      target: 2000,
      countsMatches: true,
      next: () => ({ method: 'GET', path: `${FHIR_BASE}/Patient?name=${encodeURIComponent(pick(prefixes))}` }),
    }),
    obs: () => ({
      name: 'obs',
      title: 'Observation?patient=&code=',
      target: 2000,
      countsMatches: true,
      next: () => {
        const o = pick(sample.observations);
        return {
          method: 'GET',
          path: `${FHIR_BASE}/Observation?patient=${encodeURIComponent(o.patientId)}&code=${encodeURIComponent(`${LOINC}|${o.code}`)}`,
        };
      },
    }),
    create: () => ({
      name: 'create',
      title: 'create Patient',
      target: 1500,
      countsMatches: false,
      next: () => ({ method: 'POST', path: `${FHIR_BASE}/Patient`, body: JSON.stringify(benchPatient()) }),
    }),
    tx: () => ({
      name: 'tx',
      title: 'transaction (1 Patient + 49 Obs)',
      target: 60,
      countsMatches: false,
      next: () => ({ method: 'POST', path: FHIR_BASE, body: JSON.stringify(benchTransaction()) }),
    }),
  };
  const needs: Partial<Record<ScenarioName, [boolean, string]>> = {
    read: [ids.length > 0, 'no Patient ids in the database'],
    name: [prefixes.length > 0, 'no Patient family names in the database'],
    obs: [sample.observations.length > 0, 'no Observations with a LOINC code and a Patient subject in the database'],
  };
  return names.map((n) => {
    const need = needs[n];
    if (need && !need[0]) throw new Error(`scenario ${n}: ${need[1]}`);
    return all[n]();
  });
}
