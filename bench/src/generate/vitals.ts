/** Vital signs (FHIR vital signs / US Core profiles: LOINC codes, UCUM units). */
import type { CodeableConcept, Observation, ObservationComponent } from 'fhir/r4';
import type { EncounterInfo, Person, RecordBuilder } from './context.ts';
import { quantity, round1, SYS } from './terminology.ts';
import { isoDateTime, MINUTE } from './time.ts';

export interface VitalsSummary {
  systolic?: number;
  diastolic?: number;
  heartRate: number;
  temperature: number;
  weight: number;
}

export interface VitalsOptions {
  fever: boolean;
  /** Acute lung problems and COPD lower oxygen saturation. */
  hypoxic: boolean;
  /** Whether pulse oximetry is taken (always in emergency / inpatient care). */
  spo2: boolean;
}

function vitalCategory(): CodeableConcept[] {
  return [{ coding: [{ system: SYS.obsCategory, code: 'vital-signs', display: 'Vital Signs' }], text: 'Vital Signs' }];
}

function loinc(code: string, display: string): CodeableConcept {
  return { coding: [{ system: SYS.loinc, code, display }], text: display };
}

function observation(b: RecordBuilder, enc: EncounterInfo, effective: string, code: CodeableConcept): [Observation, string] {
  const id = b.newId();
  const obs: Observation = {
    resourceType: 'Observation',
    ...b.head(id),
    status: 'final',
    category: vitalCategory(),
    code,
    subject: b.patientRef(),
    encounter: b.ref('Encounter', enc.id),
    effectiveDateTime: effective,
  };
  return [obs, id];
}

function simple(
  b: RecordBuilder,
  enc: EncounterInfo,
  effective: string,
  code: string,
  display: string,
  value: number,
  unit: string,
  ucum: string,
): void {
  const [obs, id] = observation(b, enc, effective, loinc(code, display));
  obs.valueQuantity = quantity(value, unit, ucum);
  b.add(obs, id);
}

/** Height (cm) along a rough growth curve towards the person's adult height. */
export function heightAt(person: Person, age: number): number {
  if (age >= 18) return person.adultHeight;
  const scale = person.adultHeight / (person.sex === 'female' ? 163 : 176.5);
  let typical: number;
  if (age < 1) typical = 50 + 25 * age;
  else if (age < 2) typical = 75 + 12 * (age - 1);
  else {
    const end = person.sex === 'female' ? 16 : 18;
    const adult = person.sex === 'female' ? 163 : 176.5;
    typical = age >= end ? adult : 87 + ((adult - 87) * (age - 2)) / (end - 2);
  }
  return typical * (age < 2 ? 1 : scale);
}

function bmiAt(person: Person, age: number): number {
  if (age >= 18) return person.adultBmi;
  // Childhood BMI sits around 16 and drifts to the adult value through adolescence.
  return 16 + (person.adultBmi - 16) * Math.max(0, Math.min(1, (age - 5) / 13));
}

export function addVitals(b: RecordBuilder, person: Person, enc: EncounterInfo, opts: VitalsOptions): VitalsSummary {
  const { rng } = b;
  const age = enc.age;
  const effective = isoDateTime(enc.startMs + rng.range(3, 15) * MINUTE);
  const height = round1(heightAt(person, age) + rng.normal(0, 0.4));
  const heightM = height / 100;
  let weightKg: number;
  if (age < 1) weightKg = 3.4 + 6.6 * age;
  else if (age < 2) weightKg = 10 + 2.5 * (age - 1);
  else weightKg = bmiAt(person, age) * heightM * heightM;
  const weight = round1(weightKg * (1 + rng.normal(0, 0.02)));

  const has = person.chronic;
  const temperature = round1(opts.fever ? rng.uniform(38, 39.6) : rng.normal(36.8, 0.2));
  const baseHr = age < 1 ? 130 : age < 3 ? 115 : age < 6 ? 100 : age < 12 ? 88 : 72;
  const heartRate = Math.round(rng.normal(baseHr + (opts.fever ? 12 : 0), has.has('afib') ? 14 : 8));
  const baseRr = age < 1 ? 35 : age < 3 ? 27 : age < 6 ? 23 : age < 12 ? 20 : 15;
  const respRate = Math.round(rng.normal(baseRr + (has.has('copd') ? 3 : 0) + (opts.hypoxic ? 4 : 0), 1.5));

  simple(b, enc, effective, '8867-4', 'Heart rate', heartRate, 'beats/minute', '/min');
  simple(b, enc, effective, '9279-1', 'Respiratory rate', respRate, 'breaths/minute', '/min');
  simple(b, enc, effective, '8310-5', 'Body temperature', temperature, 'Cel', 'Cel');
  simple(b, enc, effective, '29463-7', 'Body weight', weight, 'kg', 'kg');
  simple(b, enc, effective, '8302-2', 'Body height', height, 'cm', 'cm');
  if (age >= 2) {
    simple(b, enc, effective, '39156-5', 'Body mass index (BMI) [Ratio]', round1(weight / (heightM * heightM)), 'kg/m2', 'kg/m2');
  }

  const summary: VitalsSummary = { heartRate, temperature, weight };
  if (age >= 3) {
    const htn = has.has('hypertension') ? 14 : 0;
    const systolic = Math.round(
      age < 13 ? rng.normal(98 + age, 7) : rng.normal(112 + 0.35 * Math.max(0, age - 18) + htn, 9),
    );
    const diastolic = Math.min(systolic - 25, Math.round(age < 13 ? rng.normal(60, 6) : rng.normal(74 + htn * 0.6, 7)));
    const [obs, id] = observation(b, enc, effective, {
      coding: [{ system: SYS.loinc, code: '85354-9', display: 'Blood pressure panel with all children optional' }],
      text: 'Blood pressure',
    });
    const component: ObservationComponent[] = [
      { code: loinc('8480-6', 'Systolic blood pressure'), valueQuantity: quantity(systolic, 'mmHg', 'mm[Hg]') },
      { code: loinc('8462-4', 'Diastolic blood pressure'), valueQuantity: quantity(diastolic, 'mmHg', 'mm[Hg]') },
    ];
    obs.component = component;
    b.add(obs, id);
    summary.systolic = systolic;
    summary.diastolic = diastolic;
  }

  if (opts.spo2) {
    const base = opts.hypoxic ? 91.5 : has.has('copd') ? 93.5 : 97.8;
    const spo2 = Math.min(100, Math.round(rng.normal(base, 1.2)));
    const [obs, id] = observation(b, enc, effective, {
      // The base vital-signs profile requires 2708-6; US Core adds the pulse-oximetry code.
      coding: [
        { system: SYS.loinc, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
        { system: SYS.loinc, code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
      ],
      text: 'Oxygen saturation',
    });
    obs.valueQuantity = quantity(spo2, '%', '%');
    b.add(obs, id);
  }
  return summary;
}
