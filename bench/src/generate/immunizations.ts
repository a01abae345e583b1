/** Immunization history: the childhood schedule plus adult flu, Tdap, zoster, pneumococcal and COVID-19 doses. */
import type { Immunization } from 'fhir/r4';
import { CHILDHOOD_VACCINES, COVID, FLU, MONTH, PPSV23, TDAP, type Vaccine, WEEK, ZOSTER } from './clinical-catalog.ts';
import type { Person, RecordBuilder } from './context.ts';
import { SYS } from './terminology.ts';
import { DAY, HOUR, isoDateTime, YEAR } from './time.ts';

const LETTERS: readonly string[] = 'ABCDEFGHJKLMNPRSTUVWXYZ'.split('');

interface Dose {
  readonly vaccine: Vaccine;
  readonly atMs: number;
}

/**
 * Doses given within the record's history window, oldest first. Planned before encounters
 * so their number counts towards the record size.
 */
export function planImmunizations(b: RecordBuilder, person: Person, historyStartMs: number): Dose[] {
  const { rng, nowMs } = b;
  const latest = nowMs - DAY;
  const doses: Dose[] = [];
  const add = (vaccine: Vaccine, atMs: number): void => {
    if (atMs >= historyStartMs && atMs <= latest && atMs >= vaccine.since && atMs > person.birthMs) {
      doses.push({ vaccine, atMs });
    }
  };

  // A few families decline vaccination altogether; others miss the odd dose.
  if (!rng.chance(0.03)) {
    for (const v of CHILDHOOD_VACCINES) {
      for (const months of v.doseMonths) {
        if (rng.chance(0.93)) add(v, person.birthMs + months * MONTH + rng.range(0, 20) * DAY + 9 * HOUR);
      }
    }
  }

  const fluP = person.age >= 65 ? 0.7 : person.age < 18 ? 0.5 : 0.4;
  const seasons = 5;
  const nowYear = new Date(nowMs).getUTCFullYear();
  for (let y = nowYear - seasons; y <= nowYear; y++) {
    const seasonStart = Date.UTC(y, 9, 1, 14);
    const at = seasonStart + rng.range(0, 60) * DAY;
    // Flu vaccine is licensed from 6 months of age.
    if (at - person.birthMs >= 6 * MONTH && rng.chance(fluP)) add(FLU, at);
  }

  const ageAt = (ms: number): number => (ms - person.birthMs) / YEAR;
  if (person.age >= 20 && rng.chance(0.45)) {
    add(TDAP, nowMs - rng.uniform(0.1, 9.5) * YEAR);
  }
  if (person.age >= 52 && rng.chance(0.4)) {
    const first = nowMs - rng.uniform(0.3, Math.min(6, person.age - 50)) * YEAR;
    add(ZOSTER, first);
    add(ZOSTER, first + rng.range(8, 24) * WEEK);
  }
  if (person.age >= 66 && rng.chance(0.5)) add(PPSV23, nowMs - rng.uniform(0.1, person.age - 65) * YEAR);
  const covidStart = Date.UTC(2021, 1, 1, 15) + rng.range(0, 150) * DAY;
  if (ageAt(covidStart) >= 12 && rng.chance(0.6)) {
    add(COVID, covidStart);
    add(COVID, covidStart + 3 * WEEK + rng.range(0, 7) * DAY);
  }

  doses.sort((x, y) => x.atMs - y.atMs);
  return doses;
}

function lotNumber(b: RecordBuilder): string {
  const { rng } = b;
  return rng.pick(LETTERS) + rng.pick(LETTERS) + String(rng.range(1000, 9999));
}

export function emitImmunizations(b: RecordBuilder, doses: readonly Dose[]): void {
  for (const dose of doses) {
    const id = b.newId();
    const immunization: Immunization = {
      resourceType: 'Immunization',
      ...b.head(id),
      status: 'completed',
      vaccineCode: {
        coding: [{ system: SYS.cvx, code: dose.vaccine.code, display: dose.vaccine.display }],
        text: dose.vaccine.display,
      },
      patient: b.patientRef(),
      occurrenceDateTime: isoDateTime(dose.atMs),
      primarySource: true,
      location: b.locationRef(),
      lotNumber: lotNumber(b),
    };
    b.add(immunization, id);
  }
}
