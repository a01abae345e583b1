/** One visit and everything recorded during it: vitals, labs, diagnosis, prescription, procedures, note. */
import type { Encounter } from 'fhir/r4';
import { ENCOUNTER_TYPES, type EncounterKind } from './clinical-catalog.ts';
import { emitAcute, emitProcedure, plainName } from './clinical.ts';
import {
  type AcuteCondition,
  AMBULATORY_ACUTE,
  CHRONIC_CONDITIONS,
  EMERGENCY_ACUTE,
  INPATIENT_ACUTE,
  PROCEDURES,
} from './conditions-catalog.ts';
import type { EncounterInfo, Person, RecordBuilder } from './context.ts';
import { emitNote } from './documents.ts';
import { addPanel, type PanelKey } from './labs.ts';
import type { Rng } from './rng.ts';
import { SYS } from './terminology.ts';
import { DAY, HOUR, isoDateTime, MINUTE, startOfDay, YEAR } from './time.ts';
import { addVitals } from './vitals.ts';

export function chooseKind(rng: Rng, person: Person, age: number): EncounterKind {
  const chronic = person.chronic.size > 0;
  const x = rng.float();
  if (age < 18) {
    if (x < 0.38) return 'wellChild';
    if (x < 0.84) return 'symptom';
    if (x < 0.9 && chronic) return 'followUp';
    return x < 0.975 ? 'emergency' : 'inpatient';
  }
  const inpatient = age >= 65 ? 0.07 : 0.03;
  if (x < inpatient) return 'inpatient';
  if (x < inpatient + 0.1) return 'emergency';
  if (x < 0.35) return 'wellness';
  if (x < 0.68) return chronic ? 'followUp' : 'symptom';
  return 'symptom';
}

/** Weighted pick among the conditions plausible for this age and sex (two passes, no allocation). */
function pickAcute(rng: Rng, list: readonly AcuteCondition[], person: Person, age: number): AcuteCondition | undefined {
  let total = 0;
  for (const a of list) if (age >= a.minAge && age <= a.maxAge) total += person.sex === 'female' ? (a.femaleFactor ?? 1) : 1;
  if (total === 0) return undefined;
  let x = rng.float() * total;
  for (const a of list) {
    if (age < a.minAge || age > a.maxAge) continue;
    x -= person.sex === 'female' ? (a.femaleFactor ?? 1) : 1;
    if (x < 0) return a;
  }
  return undefined;
}

/** Length of stay for inpatient encounters, decided before placing the encounter in time. */
export function lengthOfStay(rng: Rng, kind: EncounterKind): number {
  return kind === 'inpatient' ? rng.range(1, 7) * DAY + rng.range(0, 12) * HOUR : 0;
}

interface Timing {
  readonly startMs: number;
  readonly endMs: number;
}

/** Places an encounter at or before `anchorMs` (a stay ends there; a visit may run up to 8 h past it). */
function timing(rng: Rng, kind: EncounterKind, anchorMs: number, stayMs: number): Timing {
  if (kind === 'inpatient') return { startMs: anchorMs - stayMs, endMs: anchorMs };
  if (kind === 'emergency') {
    const startMs = anchorMs - rng.range(0, 20 * 60) * MINUTE;
    return { startMs, endMs: startMs + rng.range(90, 480) * MINUTE };
  }
  // 13:00-20:45 UTC is 8am-4pm on the US east coast; never after the anchor, so visits stay in the past.
  let startMs = startOfDay(anchorMs) + 13 * HOUR + rng.range(0, 31) * 15 * MINUTE;
  if (startMs > anchorMs) startMs -= DAY;
  return { startMs, endMs: startMs + rng.range(15, 45) * MINUTE };
}

function labsFor(rng: Rng, person: Person, age: number, kind: EncounterKind, acute: AcuteCondition | undefined): PanelKey[] {
  const panels: PanelKey[] = [];
  const has = person.chronic;
  if (acute?.labs) panels.push(...acute.labs);
  if (kind === 'wellness') {
    if (age >= 30 && rng.chance(has.has('hyperlipidemia') ? 0.8 : 0.45)) panels.push('lipid');
    if (rng.chance(0.4)) panels.push('bmp');
    if (rng.chance(0.3)) panels.push('cbc');
    if (has.has('diabetes') ? rng.chance(0.9) : age >= 40 && rng.chance(0.15)) panels.push('a1c');
  } else if (kind === 'followUp') {
    if (has.has('diabetes') && rng.chance(0.8)) panels.push('a1c');
    if ((has.has('ckd') || has.has('heartFailure')) && rng.chance(0.8)) panels.push('bmp');
    if (has.has('hyperlipidemia') && rng.chance(0.4)) panels.push('lipid');
    if (has.has('anemia') && rng.chance(0.7)) panels.push('cbc');
  } else if (kind === 'wellChild') {
    if (age >= 0.9 && rng.chance(0.1)) panels.push('cbc');
  } else if (kind === 'symptom' && acute?.fever && rng.chance(0.15)) {
    panels.push('cbc');
  }
  return panels;
}

/** Emits the encounter and its contents; returns where it sits in time for the caller's timeline. */
export function emitEncounter(
  b: RecordBuilder,
  person: Person,
  kind: EncounterKind,
  anchorMs: number,
  stayMs: number,
): EncounterInfo {
  const { rng } = b;
  const { startMs, endMs } = timing(rng, kind, anchorMs, stayMs);
  const age = (startMs - person.birthMs) / YEAR;
  let acute: AcuteCondition | undefined;
  if (kind === 'symptom') acute = pickAcute(rng, AMBULATORY_ACUTE, person, age);
  else if (kind === 'emergency') acute = pickAcute(rng, EMERGENCY_ACUTE, person, age);
  else if (kind === 'inpatient') acute = pickAcute(rng, INPATIENT_ACUTE, person, age);
  // Nothing plausible at this age (e.g. a newborn in the ED list): make it a routine visit instead.
  const effectiveKind: EncounterKind = acute || kind === 'wellness' || kind === 'wellChild' || kind === 'followUp'
    ? kind
    : age < 18 ? 'wellChild' : 'wellness';
  const hospital = effectiveKind === 'emergency' || effectiveKind === 'inpatient';
  const practitioner = hospital || rng.chance(0.3) ? rng.int(b.org.practitioners.length) : person.pcp;
  const enc: EncounterInfo = { id: b.newId(), startMs, endMs, practitioner, age };
  const conditionId = acute ? b.newId() : undefined;
  const type = ENCOUNTER_TYPES[effectiveKind];
  const period = { start: isoDateTime(startMs), end: isoDateTime(endMs) };

  const encounter: Encounter = {
    resourceType: 'Encounter',
    ...b.head(enc.id),
    status: 'finished',
    class: { system: SYS.v3ActCode, code: type.classCode, display: type.classDisplay },
    type: [{ coding: [{ system: SYS.snomed, code: type.type.code, display: type.type.display }], text: plainName(type.type.display) }],
    subject: b.patientRef(),
    participant: [
      {
        type: [{ coding: [{ system: SYS.v3ParticipationType, code: 'ATND', display: 'attender' }], text: 'attender' }],
        period: { start: period.start, end: period.end },
        individual: b.practitionerRef(practitioner),
      },
    ],
    period,
    ...(conditionId ? { reasonReference: [b.ref('Condition', conditionId)] } : undefined),
    ...(effectiveKind === 'inpatient'
      ? {
          hospitalization: {
            dischargeDisposition: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'home', display: 'Home' }],
            },
          },
        }
      : undefined),
    location: [{ location: b.locationRef(), status: 'completed' }],
    serviceProvider: b.orgRef(),
  };
  b.add(encounter, enc.id);
  if (acute && conditionId) emitAcute(b, person, enc, acute, conditionId);

  const vitals = addVitals(b, person, enc, {
    fever: acute?.fever === true && rng.chance(0.7),
    hypoxic: acute?.snomed.code === '233604007',
    spo2: hospital || rng.chance(0.6),
  });

  let abnormal = 0;
  for (const panel of labsFor(rng, person, age, effectiveKind, acute)) {
    abnormal += addPanel(b, person, enc, panel, acute?.fever === true);
  }

  if (acute?.procedure) emitProcedure(b, enc, acute.procedure, conditionId);
  if (effectiveKind === 'wellness') {
    if (age >= 12 && rng.chance(0.5)) emitProcedure(b, enc, PROCEDURES.depressionScreening);
    if (person.sex === 'female' && age >= 40 && rng.chance(0.35)) emitProcedure(b, enc, PROCEDURES.mammography);
    if (age >= 45 && rng.chance(0.05)) emitProcedure(b, enc, PROCEDURES.colonoscopy);
  } else if (effectiveKind === 'followUp' && rng.chance(0.5)) {
    emitProcedure(b, enc, PROCEDURES.medReconciliation);
  }

  if (rng.chance(hospital ? 0.9 : 0.5)) {
    emitNote(b, person, enc, {
      visit: plainName(type.type.display),
      assessment: assessment(person, effectiveKind, acute),
      plan: planText(acute, abnormal),
      vitals,
      summary: hospital,
    });
  }
  return enc;
}

function planText(acute: AcuteCondition | undefined, abnormal: number): string {
  if (acute?.med) return `Start ${acute.med.display}. ${acute.med.dosage}. Return if not improving.`;
  if (acute?.procedure) return `${plainName(acute.procedure.display)} performed. Follow up in clinic in 2 weeks.`;
  if (acute) return 'Supportive care. Return if symptoms worsen or do not improve.';
  if (abnormal > 0) return 'Abnormal laboratory results reviewed; repeat labs in 3 months.';
  return 'Continue current care. Return in 12 months or sooner as needed.';
}

function assessment(person: Person, kind: EncounterKind, acute: AcuteCondition | undefined): string {
  if (acute) return plainName(acute.snomed.display);
  if (kind === 'followUp') {
    // Sensitive diagnoses stay out of free text; the coded, labelled Condition carries them.
    for (const c of CHRONIC_CONDITIONS) {
      if (!c.sensitivity && person.chronic.has(c.key)) return `${plainName(c.snomed.display)}, stable`;
    }
    return 'Chronic conditions reviewed';
  }
  return kind === 'wellChild' ? 'Healthy child, growing appropriately' : 'Routine health examination';
}
