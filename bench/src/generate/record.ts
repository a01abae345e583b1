/** Assembles one patient's complete record from the person, the clinical plan and a timeline of encounters. */
import type { FhirResource } from 'fhir/r4';
import { emitPlanned, planClinical } from './clinical.ts';
import { RecordBuilder, type EncounterInfo, type OrgContext } from './context.ts';
import { chooseKind, emitEncounter, lengthOfStay } from './encounter.ts';
import { emitImmunizations, planImmunizations } from './immunizations.ts';
import { buildPatient, mrnFor, samplePerson } from './patient.ts';
import { Rng } from './rng.ts';
import { DAY, YEAR } from './time.ts';

/** Everything derived once per generator call. */
export interface Setup {
  readonly key: readonly number[];
  readonly org: OrgContext;
  readonly nowMs: number;
  readonly mrnOffset: number;
  readonly resourcesPerPatient: number;
}

const HISTORY_YEARS = 15;
/** Rough resources per encounter (itself, vitals, some labs, notes); only used to space visits. */
const RESOURCES_PER_ENCOUNTER = 12;
/** Population mean of the burden factor below (measured), so burden redistributes size without inflating it. */
const MEAN_BURDEN = 0.93;
/** The last encounter overshoots the budget by about half an encounter on average. */
const OVERSHOOT = RESOURCES_PER_ENCOUNTER / 2;

export interface PatientRecord {
  readonly resources: FhirResource[];
  readonly ids: string[];
}

/**
 * Builds the record of patient `index`. Its random streams depend only on (seed, organization,
 * index), so any shard or resumed run reproduces exactly the same patient.
 */
export function buildRecord(setup: Setup, index: number, withIds: boolean): PatientRecord {
  const lo = index >>> 0;
  const hi = Math.floor(index / 4294967296) >>> 0;
  const rng = Rng.fromWords([...setup.key, lo, hi, 1]);
  const idRng = Rng.fromWords([...setup.key, lo, hi, 2]);
  const { nowMs } = setup;
  const b = new RecordBuilder(rng, idRng, withIds, setup.org, nowMs);

  const draft = samplePerson(rng, nowMs, setup.org.practitioners.length);
  const person = draft.person;
  b.add(buildPatient(b, draft, mrnFor(index, setup.mrnOffset)), b.patientId);

  const historyStartMs = Math.max(person.birthMs + 2 * DAY, nowMs - HISTORY_YEARS * YEAR);
  const plan = planClinical(b, person);
  const doses = planImmunizations(b, person, historyStartMs);
  const planned = plan.resourceCount + doses.length;

  // Sicker people get bigger records; the jitter spreads record sizes around the target.
  const burden = 0.8 + 0.1 * Math.min(6, person.chronic.size);
  const budget = (setup.resourcesPerPatient * (0.35 + 1.3 * rng.float()) * burden) / MEAN_BURDEN - OVERSHOOT;
  const expectedVisits = Math.max(1, (budget - planned - 1) / RESOURCES_PER_ENCOUNTER);

  // Walk backwards from "now": the most recent history is the most complete, as in real charts.
  let anchor = nowMs - DAY - rng.range(0, 20) * DAY;
  const meanGap = Math.max(3 * DAY, (anchor - historyStartMs) / (expectedVisits * 2));
  const groups: number[] = [];
  let latest: EncounterInfo | undefined;
  while (true) {
    const kind = chooseKind(rng, person, (anchor - person.birthMs) / YEAR);
    const stay = lengthOfStay(rng, kind);
    if (anchor - stay - DAY < historyStartMs) break;
    groups.push(b.count);
    const enc = emitEncounter(b, person, kind, anchor, stay);
    latest ??= enc;
    if (b.count + planned >= budget) break;
    anchor = enc.startMs - Math.max(2 * DAY, meanGap * (0.3 + 1.4 * rng.float()));
  }

  const encountersEnd = b.count;
  emitPlanned(b, person, plan, latest);
  emitImmunizations(b, doses);
  return chronological(b, groups, encountersEnd);
}

/**
 * Encounters were generated newest first; emit Patient, then the planned resources, then the
 * encounter groups oldest first, so files and bundles read like a chart.
 */
function chronological(b: RecordBuilder, groups: readonly number[], encountersEnd: number): PatientRecord {
  const src = b.resources;
  const srcIds = b.ids;
  const resources: FhirResource[] = new Array<FhirResource>(src.length);
  const ids: string[] = new Array<string>(src.length);
  let n = 0;
  const copy = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      resources[n] = src[i] as FhirResource;
      ids[n] = srcIds[i] as string;
      n++;
    }
  };
  copy(0, 1);
  copy(encountersEnd, src.length);
  for (let g = groups.length - 1; g >= 0; g--) {
    copy(groups[g] as number, g === groups.length - 1 ? encountersEnd : (groups[g + 1] as number));
  }
  return { resources, ids };
}
