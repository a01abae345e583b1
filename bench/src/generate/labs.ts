/** Laboratory results (LOINC, UCUM, reference ranges, H/L/N interpretation) grouped by DiagnosticReport. */
import type { DiagnosticReport, Observation, ObservationReferenceRange, Reference } from 'fhir/r4';
import type { ChronicKey } from './conditions-catalog.ts';
import type { EncounterInfo, Person, RecordBuilder } from './context.ts';
import type { Rng } from './rng.ts';
import { quantity, SYS } from './terminology.ts';
import { HOUR, isoDateTime, MINUTE } from './time.ts';

export type PanelKey = 'cbc' | 'bmp' | 'lipid' | 'a1c';

interface Range {
  readonly low?: number;
  readonly high?: number;
}

interface Analyte {
  readonly code: string;
  readonly display: string;
  readonly unit: string;
  readonly male: Range;
  readonly female: Range;
  readonly meanMale: number;
  readonly meanFemale: number;
  readonly sd: number;
  readonly decimals: 0 | 1 | 2;
  /** Shifts of the mean for chronic conditions, plus one for an acute infection. */
  readonly effects: readonly (readonly [ChronicKey | 'infection', number])[];
}

interface Panel {
  readonly code: string;
  readonly display: string;
  readonly analytes: readonly Analyte[];
}

function analyte(
  code: string,
  display: string,
  unit: string,
  range: Range | [Range, Range],
  mean: number | [number, number],
  sd: number,
  decimals: 0 | 1 | 2,
  effects: Partial<Record<ChronicKey | 'infection', number>> = {},
): Analyte {
  const [male, female] = Array.isArray(range) ? range : [range, range];
  const [meanMale, meanFemale] = Array.isArray(mean) ? mean : [mean, mean];
  const list = Object.entries(effects) as [ChronicKey | 'infection', number][];
  return { code, display, unit, male, female, meanMale, meanFemale, sd, decimals, effects: list };
}

export const PANELS: Readonly<Record<PanelKey, Panel>> = {
  cbc: {
    code: '58410-2',
    display: 'CBC panel - Blood by Automated count',
    analytes: [
      analyte('6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', { low: 4.5, high: 11 }, 7.2, 1.7, 1, { infection: 5 }),
      analyte('789-8', 'Erythrocytes [#/volume] in Blood by Automated count', '10*6/uL', [{ low: 4.5, high: 5.9 }, { low: 4.1, high: 5.1 }], [5.1, 4.6], 0.3, 2, { anemia: -0.7, ckd: -0.4 }),
      analyte('718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', [{ low: 13.5, high: 17.5 }, { low: 12, high: 15.5 }], [15.3, 13.6], 1, 1, { anemia: -3, ckd: -1.5 }),
      analyte('4544-3', 'Hematocrit [Volume Fraction] of Blood by Automated count', '%', [{ low: 41, high: 53 }, { low: 36, high: 46 }], [45.5, 40.5], 2.8, 1, { anemia: -8, ckd: -4 }),
      analyte('787-2', 'MCV [Entity volume] by Automated count', 'fL', { low: 80, high: 100 }, 90, 4.5, 1, { anemia: -13, alcoholUse: 8 }),
      analyte('785-6', 'MCH [Entity mass] by Automated count', 'pg', { low: 27, high: 33 }, 30, 1.4, 1, { anemia: -5 }),
      analyte('786-4', 'MCHC [Mass/volume] by Automated count', 'g/dL', { low: 32, high: 36 }, 34, 0.8, 1, { anemia: -2 }),
      analyte('777-3', 'Platelets [#/volume] in Blood by Automated count', '10*3/uL', { low: 150, high: 400 }, 265, 55, 0),
    ],
  },
  bmp: {
    code: '51990-0',
    display: 'Basic metabolic panel - Blood',
    analytes: [
      analyte('2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', { low: 70, high: 99 }, 88, 8, 0, { diabetes: 65 }),
      analyte('3094-0', 'Urea nitrogen [Mass/volume] in Serum or Plasma', 'mg/dL', { low: 7, high: 20 }, 14, 3.5, 0, { ckd: 16, heartFailure: 6 }),
      analyte('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', [{ low: 0.74, high: 1.35 }, { low: 0.59, high: 1.04 }], [1, 0.8], 0.12, 2, { ckd: 0.9 }),
      analyte('17861-6', 'Calcium [Mass/volume] in Serum or Plasma', 'mg/dL', { low: 8.6, high: 10.3 }, 9.4, 0.4, 1),
      analyte('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', { low: 135, high: 145 }, 140, 2.2, 0, { heartFailure: -3 }),
      analyte('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', { low: 3.5, high: 5.1 }, 4.2, 0.35, 1, { ckd: 0.5 }),
      analyte('2075-0', 'Chloride [Moles/volume] in Serum or Plasma', 'mmol/L', { low: 98, high: 107 }, 102, 2.2, 0),
      analyte('2028-9', 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', 'mmol/L', { low: 22, high: 29 }, 25.5, 1.8, 0, { ckd: -3 }),
    ],
  },
  lipid: {
    code: '57698-3',
    display: 'Lipid panel with direct LDL - Serum or Plasma',
    analytes: [
      analyte('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', { high: 200 }, 182, 26, 0, { hyperlipidemia: 50 }),
      analyte('2571-8', 'Triglycerides [Mass/volume] in Serum or Plasma', 'mg/dL', { high: 150 }, 118, 32, 0, { hyperlipidemia: 55, diabetes: 45, obesity: 25 }),
      analyte('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', 'mg/dL', { low: 40 }, [49, 59], 9, 0, { diabetes: -6, obesity: -5 }),
      analyte('18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay', 'mg/dL', { high: 130 }, 104, 20, 0, { hyperlipidemia: 45 }),
    ],
  },
  a1c: {
    code: '4548-4',
    display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    analytes: [
      analyte('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', { low: 4, high: 5.6 }, 5.2, 0.22, 1, { diabetes: 2.3, obesity: 0.3 }),
    ],
  },
};

const INTERPRETATION = {
  H: 'High',
  L: 'Low',
  N: 'Normal',
} as const;

function roundTo(x: number, decimals: 0 | 1 | 2): number {
  return decimals === 0 ? Math.round(x) : decimals === 1 ? Math.round(x * 10) / 10 : Math.round(x * 100) / 100;
}

function labValue(rng: Rng, a: Analyte, person: Person, infection: boolean): number {
  let mean = person.sex === 'female' ? a.meanFemale : a.meanMale;
  let sd = a.sd;
  for (const [key, shift] of a.effects) {
    if (key === 'infection' ? infection : person.chronic.has(key)) {
      mean += shift;
      // Disease also widens the spread (poorly vs. well controlled).
      sd += Math.abs(shift) * 0.25;
    }
  }
  const floor = a.sd * 0.5;
  return roundTo(Math.max(floor, rng.normal(mean, sd)), a.decimals);
}

function referenceRange(a: Analyte, range: Range): ObservationReferenceRange[] {
  const rr: ObservationReferenceRange = {};
  if (range.low !== undefined) rr.low = quantity(range.low, a.unit);
  if (range.high !== undefined) rr.high = quantity(range.high, a.unit);
  return [rr];
}

/** Emits one DiagnosticReport with its result Observations; returns how many abnormal values it contains. */
export function addPanel(b: RecordBuilder, person: Person, enc: EncounterInfo, key: PanelKey, infection: boolean): number {
  const { rng } = b;
  const panel = PANELS[key];
  const collectedMs = Math.min(enc.endMs, enc.startMs + rng.range(20, 50) * MINUTE);
  const effective = isoDateTime(collectedMs);
  const issued = isoDateTime(collectedMs + rng.range(1, 6) * HOUR);
  const results: Reference[] = [];
  let abnormal = 0;
  for (const a of panel.analytes) {
    const range = person.sex === 'female' ? a.female : a.male;
    const value = labValue(rng, a, person, infection);
    const flag: keyof typeof INTERPRETATION =
      range.low !== undefined && value < range.low ? 'L' : range.high !== undefined && value > range.high ? 'H' : 'N';
    if (flag !== 'N') abnormal++;
    const id = b.newId();
    const obs: Observation = {
      resourceType: 'Observation',
      ...b.head(id),
      status: 'final',
      category: [{ coding: [{ system: SYS.obsCategory, code: 'laboratory', display: 'Laboratory' }], text: 'Laboratory' }],
      code: { coding: [{ system: SYS.loinc, code: a.code, display: a.display }], text: a.display },
      subject: b.patientRef(),
      encounter: b.ref('Encounter', enc.id),
      effectiveDateTime: effective,
      issued,
      valueQuantity: quantity(value, a.unit),
      interpretation: [
        { coding: [{ system: SYS.v3Interpretation, code: flag, display: INTERPRETATION[flag] }], text: INTERPRETATION[flag] },
      ],
      referenceRange: referenceRange(a, range),
    };
    b.add(obs, id);
    results.push(b.ref('Observation', id));
  }
  const id = b.newId();
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    ...b.head(id),
    status: 'final',
    category: [{ coding: [{ system: SYS.v2DiagnosticService, code: 'LAB', display: 'Laboratory' }], text: 'Laboratory' }],
    code: { coding: [{ system: SYS.loinc, code: panel.code, display: panel.display }], text: panel.display },
    subject: b.patientRef(),
    encounter: b.ref('Encounter', enc.id),
    effectiveDateTime: effective,
    issued,
    performer: [b.orgRef()],
    result: results,
  };
  b.add(report, id);
  return abnormal;
}
