import { generatePatientRecords } from '../generate/index.ts';
/**
 * Synthetic HL7 v2.5.1 messages for the ingest bench, shaped like the fixtures in
 * packages/hl7v2/src/fixtures (adt-a01.hl7, oru-r01.hl7). Every message has a unique control id
 * (MSH-10); every ADT^A01 admits a new patient with a unique MRN; every ORU^R01 carries 5–10
 * numeric LOINC results for a patient admitted earlier on the same connection.
 */
export type MessageKind = 'adt' | 'oru';
export const MESSAGE_KINDS: readonly MessageKind[] = ['adt', 'oru'];
export const MESSAGE_TYPE: Record<MessageKind, string> = { adt: 'ADT^A01', oru: 'ORU^R01' };

const LABS: readonly { code: string; name: string; unit: string; range: string; base: number; spread: number }[] = [
  { code: '2345-7', name: 'Glucose', unit: 'mg/dL', range: '70-99', base: 70, spread: 60 },
  { code: '2823-3', name: 'Potassium', unit: 'mmol/L', range: '3.5-5.1', base: 3.2, spread: 2.2 },
  { code: '2951-2', name: 'Sodium', unit: 'mmol/L', range: '136-145', base: 132, spread: 16 },
  { code: '2075-0', name: 'Chloride', unit: 'mmol/L', range: '98-107', base: 95, spread: 15 },
  { code: '2028-9', name: 'Carbon dioxide', unit: 'mmol/L', range: '22-29', base: 20, spread: 11 },
  { code: '3094-0', name: 'Urea nitrogen', unit: 'mg/dL', range: '7-20', base: 5, spread: 20 },
  { code: '2160-0', name: 'Creatinine', unit: 'mg/dL', range: '0.6-1.3', base: 0.5, spread: 1.2 },
  { code: '17861-6', name: 'Calcium', unit: 'mg/dL', range: '8.5-10.5', base: 8, spread: 3 },
  { code: '718-7', name: 'Hemoglobin', unit: 'g/dL', range: '12.0-15.5', base: 10, spread: 7 },
  { code: '6690-2', name: 'Leukocytes', unit: '10*3/uL', range: '4.5-11.0', base: 3, spread: 10 },
];

/** A small deterministic PRNG (mulberry32), one per connection. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** HL7 DTM with offset, UTC: YYYYMMDDHHMMSS+0000. */
export function hl7Time(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+0000`;
}

export interface PatientRef {
  mrn: string;
  family: string;
  given: string;
  birthDate: string;
  sex: 'F' | 'M';
  /** XAD: street^^city^state^zip */
  address?: string;
}

/**
 * Demographics of realistic, distinct people from the population generator, so that record
 * matching sees the name and address spread of a real feed (12 names at one address would make
 * every patient a candidate for every other).
 */
export function* realisticPatients(seed: number, prefix: string): Generator<(mrn: string) => PatientRef> {
  const org = { id: `ingest${seed}`, name: 'Ingest bench', mrnSystem: 'urn:oid:2.16.840.1.113883.3.9999.77' };
  for (const rec of generatePatientRecords({ seed, patients: 10_000_000, organization: org, now: '2026-06-01T00:00:00Z', resourcesPerPatient: 1 })) {
    const p = rec.patient;
    const name = p.name?.[0];
    const a = p.address?.[0];
    yield (mrn: string) => ({
      mrn: `${prefix}${mrn}`,
      family: name?.family ?? 'Unknown',
      given: name?.given?.[0] ?? 'Unknown',
      birthDate: (p.birthDate ?? '1970-01-01').replaceAll('-', ''),
      sex: p.gender === 'male' ? 'M' : 'F',
      address: `${a?.line?.[0] ?? ''}^^${a?.city ?? ''}^${a?.state ?? ''}^${a?.postalCode ?? ''}^USA^H`,
    });
  }
}



function msh(facility: string, type: string, controlId: string, now: Date): string {
  return `MSH|^~\\&|BENCH|${facility}|KENNEBEC|HIE|${hl7Time(now)}||${type}|${controlId}|P|2.5.1`;
}

function pid(p: PatientRef, facility: string): string {
  return `PID|1||${p.mrn}^^^${facility}^MR||${p.family}^${p.given}||${p.birthDate}|${p.sex}|||${p.address ?? '1 Main St^^Augusta^ME^04330^USA^H'}`;
}

export function adtA01(facility: string, controlId: string, p: PatientRef, now: Date): string {
  const t = hl7Time(now);
  return [
    msh(facility, 'ADT^A01^ADT_A01', controlId, now),
    `EVN|A01|${t}`,
    pid(p, facility),
    `PV1|1|I|WARD3^301^B^${facility}||||1234^Careful^Cora^^^Dr|||MED||||7|||||V${controlId}^^^${facility}^VN|||||||||||||||||||||||||${t}`,
  ].join('\r');
}

/** An ORU^R01 with `results` (5–10) numeric OBX under one OBR. */
export function oruR01(facility: string, controlId: string, p: PatientRef, results: number, now: Date, r: () => number): string {
  const t = hl7Time(now);
  const segs = [
    msh(facility, 'ORU^R01^ORU_R01', controlId, now),
    pid(p, facility),
    `ORC|RE|P${controlId}|F${controlId}^${facility}`,
    `OBR|1|P${controlId}|F${controlId}^${facility}|24323-8^Comprehensive metabolic panel^LN|||${t}|||||||||||||||${t}|||F`,
  ];
  const start = Math.floor(r() * LABS.length);
  for (let i = 0; i < results; i++) {
    const lab = LABS[(start + i) % LABS.length] as (typeof LABS)[number];
    const value = (lab.base + r() * lab.spread).toFixed(1);
    segs.push(`OBX|${i + 1}|NM|${lab.code}^${lab.name}^LN||${value}|${lab.unit}^${lab.unit}^UCUM|${lab.range}||||F|||${t}`);
  }
  return segs.join('\r');
}

/** MSA-1 and the first ERR segment (or MSA-3 text) of an ACK. */
export function readAck(ack: string): { code: string; error?: string } {
  const segs = ack.split(/\r\n?|\n/);
  const msa = segs.find((s) => s.startsWith('MSA|'))?.split('|');
  const code = msa?.[1] ?? '?';
  if (code === 'AA') return { code };
  const err = segs.find((s) => s.startsWith('ERR|'));
  const text = err ?? (msa?.[3] ? `MSA-3: ${msa[3]}` : ack.replace(/\r/g, '\n'));
  return { code, error: text.slice(0, 600) };
}
