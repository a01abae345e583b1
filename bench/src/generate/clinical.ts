/** Problems, medications, allergies, procedures, care team and goals. */
import type {
  AllergyIntolerance,
  CareTeam,
  CodeableConcept,
  Condition,
  Goal,
  MedicationRequest,
  Procedure,
} from 'fhir/r4';
import { ALLERGENS, ALLERGY_COUNT, type Allergen } from './clinical-catalog.ts';
import {
  type AcuteCondition,
  CHRONIC_CONDITIONS,
  type ChronicCondition,
  type Medication,
  type Sensitivity,
} from './conditions-catalog.ts';
import type { EncounterInfo, Person, RecordBuilder } from './context.ts';
import { type Code, SYS } from './terminology.ts';
import { DAY, HOUR, isoDate, isoDateTime, MINUTE, YEAR } from './time.ts';

/** "Asthma (disorder)" -> "Asthma": the SNOMED semantic tag does not belong in display text. */
export function plainName(display: string): string {
  const i = display.lastIndexOf(' (');
  return i > 0 && display.endsWith(')') ? display.slice(0, i) : display;
}

function conditionCode(snomed: Code, icd10: Code): CodeableConcept {
  return {
    coding: [
      { system: SYS.snomed, code: snomed.code, display: snomed.display },
      { system: SYS.icd10cm, code: icd10.code, display: icd10.display },
    ],
    text: plainName(snomed.display),
  };
}

function category(code: 'problem-list-item' | 'encounter-diagnosis'): CodeableConcept[] {
  const display = code === 'problem-list-item' ? 'Problem List Item' : 'Encounter Diagnosis';
  return [{ coding: [{ system: SYS.conditionCategory, code, display }], text: display }];
}

function clinicalStatus(code: 'active' | 'resolved'): CodeableConcept {
  return { coding: [{ system: SYS.conditionClinical, code, display: code === 'active' ? 'Active' : 'Resolved' }] };
}

function confirmed(): CodeableConcept {
  return { coding: [{ system: SYS.conditionVerification, code: 'confirmed', display: 'Confirmed' }] };
}

/** Decided before any encounter is generated, so the record's size is known up front. */
export interface ChronicPlan {
  readonly condition: ChronicCondition;
  readonly id: string;
  readonly onsetMs: number;
  readonly med?: { readonly med: Medication; readonly id: string; readonly active: boolean };
  readonly goalId?: string;
}

export interface ClinicalPlan {
  readonly chronic: readonly ChronicPlan[];
  readonly allergies: readonly Allergen[];
  readonly careTeamId?: string;
  /** Resources the plan will emit (conditions, meds, goals, allergies, care team). */
  readonly resourceCount: number;
}

export function planClinical(b: RecordBuilder, person: Person): ClinicalPlan {
  const { rng, nowMs } = b;
  const chronic: ChronicPlan[] = [];
  let count = 0;
  for (const condition of CHRONIC_CONDITIONS) {
    if (!person.chronic.has(condition.key)) continue;
    const onsetAge = condition.fromAge + rng.float() * Math.max(0, person.age - condition.fromAge);
    const onsetMs = Math.min(nowMs - 2 * DAY, Math.max(person.birthMs + 30 * DAY, person.birthMs + onsetAge * YEAR));
    const medChoice = condition.meds.length > 0 && rng.chance(0.85) ? rng.pick(condition.meds) : undefined;
    const plan: ChronicPlan = {
      condition,
      id: b.newId(),
      onsetMs,
      ...(medChoice ? { med: { med: medChoice, id: b.newId(), active: rng.chance(0.88) } } : {}),
      ...(condition.goal && rng.chance(0.35) ? { goalId: b.newId() } : {}),
    };
    count += 1 + (plan.med ? 1 : 0) + (plan.goalId ? 1 : 0);
    chronic.push(plan);
  }
  const allergies: Allergen[] = [];
  const allergyCount = ALLERGY_COUNT.sample(rng);
  for (let i = 0; i < allergyCount; i++) {
    const a = ALLERGENS.sample(rng);
    if (!allergies.includes(a)) allergies.push(a);
  }
  count += allergies.length;
  const careTeamId = chronic.length >= 2 && rng.chance(0.5) ? b.newId() : undefined;
  if (careTeamId) count++;
  return { chronic, allergies, ...(careTeamId ? { careTeamId } : {}), resourceCount: count };
}

function medicationRequest(
  b: RecordBuilder,
  id: string,
  med: Medication,
  status: MedicationRequest['status'],
  authoredMs: number,
  practitioner: number,
  reasonId: string,
  encounterId: string | undefined,
  label: Sensitivity | undefined,
): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    ...b.head(id, label),
    status,
    intent: 'order',
    category: [
      { coding: [{ system: SYS.medRequestCategory, code: 'community', display: 'Community' }], text: 'Community' },
    ],
    medicationCodeableConcept: {
      coding: [{ system: SYS.rxnorm, code: med.code, display: med.display }],
      text: med.display,
    },
    subject: b.patientRef(),
    ...(encounterId ? { encounter: b.ref('Encounter', encounterId) } : undefined),
    authoredOn: isoDateTime(authoredMs),
    requester: b.practitionerRef(practitioner),
    reasonReference: [b.ref('Condition', reasonId)],
    dosageInstruction: [{ sequence: 1, text: med.dosage }],
  };
}

/** Emits the planned problem list, its medications and goals, allergies and the care team. */
export function emitPlanned(b: RecordBuilder, person: Person, plan: ClinicalPlan, latest: EncounterInfo | undefined): void {
  const { rng, nowMs } = b;
  for (const c of plan.chronic) {
    const label = c.condition.sensitivity;
    const condition: Condition = {
      resourceType: 'Condition',
      ...b.head(c.id, label),
      clinicalStatus: clinicalStatus('active'),
      verificationStatus: confirmed(),
      category: category('problem-list-item'),
      code: conditionCode(c.condition.snomed, c.condition.icd10),
      subject: b.patientRef(),
      onsetDateTime: isoDateTime(c.onsetMs),
      recordedDate: isoDateTime(Math.min(nowMs - DAY, c.onsetMs + rng.range(0, 30) * DAY)),
      recorder: b.practitionerRef(person.pcp),
    };
    b.add(condition, c.id);
    if (c.med) {
      // Active prescriptions are renewed at the latest visit; otherwise they date from diagnosis.
      const renewed = latest !== undefined && latest.startMs > c.onsetMs;
      const authored = renewed ? latest.startMs + 40 * MINUTE : Math.min(nowMs - DAY, c.onsetMs + DAY);
      const status = c.med.active ? 'active' : 'stopped';
      const encounterId = renewed ? latest.id : undefined;
      b.add(medicationRequest(b, c.med.id, c.med.med, status, authored, person.pcp, c.id, encounterId, label), c.med.id);
    }
    if (c.goalId && c.condition.goal) {
      // Set at the latest visit when there is one, so an "active" goal is not decades old.
      const start = latest && latest.startMs > c.onsetMs ? latest.startMs : Math.min(nowMs - DAY, c.onsetMs + 7 * DAY);
      const goal: Goal = {
        resourceType: 'Goal',
        ...b.head(c.goalId, label),
        lifecycleStatus: 'active',
        description: { text: c.condition.goal },
        subject: b.patientRef(),
        startDate: isoDate(start),
        target: [{ dueDate: isoDate(start + 180 * DAY) }],
        expressedBy: b.practitionerRef(person.pcp),
        addresses: [b.ref('Condition', c.id)],
      };
      b.add(goal, c.goalId);
    }
  }

  for (const a of plan.allergies) emitAllergy(b, person, a);

  if (plan.careTeamId) {
    const first = plan.chronic.reduce((min, c) => Math.min(min, c.onsetMs), nowMs);
    const careTeam: CareTeam = {
      resourceType: 'CareTeam',
      ...b.head(plan.careTeamId),
      status: 'active',
      name: 'Primary care team',
      subject: b.patientRef(),
      period: { start: isoDateTime(first) },
      participant: [
        {
          role: [{ coding: [{ system: SYS.snomed, code: '116154003', display: 'Patient (person)' }], text: 'Patient' }],
          member: b.patientRef(),
        },
        {
          role: [
            { coding: [{ system: SYS.snomed, code: '223366009', display: 'Healthcare professional (occupation)' }], text: 'Primary care provider' },
          ],
          member: b.practitionerRef(person.pcp),
          onBehalfOf: b.orgRef(),
        },
      ],
      managingOrganization: [b.orgRef()],
    };
    b.add(careTeam, plan.careTeamId);
  }
}

function emitAllergy(b: RecordBuilder, person: Person, a: Allergen): void {
  const { rng, nowMs } = b;
  const id = b.newId();
  const manifestation = rng.pick(a.reactions);
  const severe = manifestation.code === '39579001';
  const onsetMs = Math.min(nowMs - 2 * DAY, person.birthMs + (0.5 + rng.float() * Math.max(0, person.age - 0.5)) * YEAR);
  const allergy: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    ...b.head(id),
    clinicalStatus: { coding: [{ system: SYS.allergyClinical, code: 'active', display: 'Active' }] },
    verificationStatus: rng.chance(0.85)
      ? { coding: [{ system: SYS.allergyVerification, code: 'confirmed', display: 'Confirmed' }] }
      : { coding: [{ system: SYS.allergyVerification, code: 'unconfirmed', display: 'Unconfirmed' }] },
    type: 'allergy',
    category: [a.category],
    criticality: severe ? 'high' : 'low',
    code: { coding: [{ system: a.system, code: a.code, display: a.display }], text: plainName(a.display) },
    patient: b.patientRef(),
    onsetDateTime: isoDateTime(onsetMs),
    recordedDate: isoDateTime(Math.min(nowMs - DAY, onsetMs + rng.range(1, 60) * DAY)),
    recorder: b.practitionerRef(person.pcp),
    reaction: [
      {
        manifestation: [
          { coding: [{ system: SYS.snomed, code: manifestation.code, display: manifestation.display }], text: plainName(manifestation.display) },
        ],
        severity: severe ? 'severe' : rng.chance(0.6) ? 'mild' : 'moderate',
      },
    ],
  };
  b.add(allergy, id);
}

/** The diagnosis made at an encounter, and its prescription if any. */
export function emitAcute(
  b: RecordBuilder,
  person: Person,
  enc: EncounterInfo,
  acute: AcuteCondition,
  conditionId: string,
): void {
  const { rng, nowMs } = b;
  const onsetMs = enc.startMs - rng.range(4, 96) * HOUR;
  const abatementMs = enc.endMs + rng.range(5, 20) * DAY;
  const resolved = abatementMs < nowMs;
  const condition: Condition = {
    resourceType: 'Condition',
    ...b.head(conditionId),
    clinicalStatus: clinicalStatus(resolved ? 'resolved' : 'active'),
    verificationStatus: confirmed(),
    category: category('encounter-diagnosis'),
    code: conditionCode(acute.snomed, acute.icd10),
    subject: b.patientRef(),
    encounter: b.ref('Encounter', enc.id),
    // Never before birth, even for a newborn's first visit.
    onsetDateTime: isoDateTime(Math.max(onsetMs, person.birthMs + HOUR)),
    ...(resolved ? { abatementDateTime: isoDateTime(abatementMs) } : undefined),
    recordedDate: isoDateTime(enc.startMs + 30 * MINUTE),
    recorder: b.practitionerRef(enc.practitioner),
  };
  b.add(condition, conditionId);
  if (acute.med) {
    const id = b.newId();
    const authored = enc.startMs + rng.range(20, 50) * MINUTE;
    b.add(medicationRequest(b, id, acute.med, 'completed', authored, enc.practitioner, conditionId, enc.id, undefined), id);
  }
}

export function emitProcedure(b: RecordBuilder, enc: EncounterInfo, code: Code, reasonId?: string): void {
  const id = b.newId();
  const performedMs = enc.startMs + b.rng.range(10, 50) * MINUTE;
  const procedure: Procedure = {
    resourceType: 'Procedure',
    ...b.head(id),
    status: 'completed',
    code: { coding: [{ system: SYS.snomed, code: code.code, display: code.display }], text: plainName(code.display) },
    subject: b.patientRef(),
    encounter: b.ref('Encounter', enc.id),
    performedDateTime: isoDateTime(Math.min(performedMs, enc.endMs)),
    performer: [{ actor: b.practitionerRef(enc.practitioner) }],
    ...(reasonId ? { reasonReference: [b.ref('Condition', reasonId)] } : undefined),
  };
  b.add(procedure, id);
}
