import type { Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { blockingKeys, decide, fromFhirPatient, normalize, scorePair, type Decision, type Evidence, type NameFrequencies, type NormalizedRecord, type Rule } from '@kennebec/matching';
import { loadNameFrequencies, nameParams } from './name-frequencies.ts';

/** Scored comparisons of one record with stored Patients. */
const MAX_CANDIDATES = 500;

export interface Candidate {
  patientId: string;
  score: number;
  decision: Decision;
  evidence: Evidence[];
  rules: Rule[];
}

export function recordOf(patient: Patient): NormalizedRecord {
  return normalize(fromFhirPatient(patient));
}

type Row = { id: string; content: Patient | string };
const toRecords = (rows: Row[]): Map<string, NormalizedRecord> =>
  new Map(rows.map((r) => [r.id, recordOf(typeof r.content === 'string' ? (JSON.parse(r.content) as Patient) : r.content)]));

/** The stored (not deleted) Patients among `ids`, normalized. */
export async function loadRecords(q: Queryable, ids: readonly string[]): Promise<Map<string, NormalizedRecord>> {
  if (ids.length === 0) return new Map();
  const res = await q.query<Row>(`select id, content from resource where resource_type = 'Patient' and not deleted and id = any($1::text[])`, [ids]);
  return toRecords(res.rows);
}

/** Patients sharing a blocking key with `record`, normalized. */
export async function candidateRecords(q: Queryable, record: NormalizedRecord, excludeId: string | null): Promise<Map<string, NormalizedRecord>> {
  const keys = blockingKeys(record);
  if (keys.length === 0) return new Map();
  const res = await q.query<Row>(
    `select r.id, r.content from resource r
     where r.resource_type = 'Patient' and not r.deleted
       and r.id in (select b.patient_id from mpi_block b where b.key = any($1::text[]) and b.patient_id is distinct from $2 limit ${MAX_CANDIDATES})`,
    [keys, excludeId],
  );
  return toRecords(res.rows);
}

/** Scores `record` against each of `others`, best first; `frequencies` (name-frequencies.ts) must know `record`'s names. */
export function scoreAll(record: NormalizedRecord, others: ReadonlyMap<string, NormalizedRecord>, frequencies?: NameFrequencies): Candidate[] {
  const out: Candidate[] = [];
  for (const [patientId, other] of others) {
    const s = scorePair(record, other, frequencies ? { frequencies } : {});
    out.push({ patientId, score: s.score, decision: decide(s), evidence: s.evidence, rules: s.rules });
  }
  return out.sort((a, b) => b.score - a.score || (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0));
}

/** Scores the Patients that share a blocking key with `record`, best first, with the name frequencies. */
export async function scoreCandidates(q: Queryable, record: NormalizedRecord, excludeId: string | null): Promise<Candidate[]> {
  return scoreAll(record, await candidateRecords(q, record, excludeId), await loadNameFrequencies(q, [record]));
}

const RANK: Record<Decision, number> = { new: 0, review: 1, link: 2 };

/** The strongest comparison: a link beats a higher-scored pair capped by a safety rule. */
export function strongest(cands: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of cands) if (!best || RANK[c.decision] > RANK[best.decision] || (RANK[c.decision] === RANK[best.decision] && c.score > best.score)) best = c;
  return best;
}

export function decisionRank(d: Decision): number {
  return RANK[d];
}

/** Replaces the blocking keys and names of a Patient (demographics change with updates such as ADT^A08). */
export async function writeBlocks(tx: Queryable, patientId: string, keys: readonly string[], record: NormalizedRecord): Promise<void> {
  await tx.query(
    `with d as (delete from mpi_block where patient_id = $2),
     n as (insert into mpi_name (patient_id, given, family) values ($2, $3, $4) on conflict (patient_id) do update set given = excluded.given, family = excluded.family)
     insert into mpi_block (key, patient_id) select k, $2 from unnest($1::text[]) as k`,
    [keys, patientId, ...nameParams(record)],
  );
}

/**
 * A record of Person `personId` that a safety rule (twins, Jr/Sr, parent and child, different
 * SSN…) says is not the person of `record`, even though another of its records matches it:
 * joining that Person would then link relatives through it.
 */
export async function memberConflict(
  q: Queryable,
  record: NormalizedRecord,
  personId: string,
  known: ReadonlyMap<string, NormalizedRecord>,
  selfId: string,
  frequencies?: NameFrequencies,
): Promise<Candidate | undefined> {
  const res = await q.query<{ patient_id: string }>('select patient_id from mpi_link where person_id = $1 and patient_id <> $2', [personId, selfId]);
  const ids = res.rows.map((r) => r.patient_id);
  const missing = ids.filter((id) => !known.has(id));
  const loaded = await loadRecords(q, missing);
  const records = new Map<string, NormalizedRecord>();
  for (const id of ids) {
    const r = known.get(id) ?? loaded.get(id);
    if (r) records.set(id, r);
  }
  return scoreAll(record, records, frequencies).find((c) => c.rules.length > 0);
}
