/** Allergens, reactions, vaccines and encounter types (SNOMED CT, RxNorm, CVX). */
import { WeightedTable } from './rng.ts';
import { SYS, type Code } from './terminology.ts';
import { DAY, YEAR } from './time.ts';

export interface Allergen extends Code {
  readonly system: string;
  readonly category: 'food' | 'medication' | 'environment';
  readonly reactions: readonly Code[];
}

const code = (c: string, display: string): Code => ({ code: c, display });

const HIVES = code('247472004', 'Wheal (finding)');
const RASH = code('271807003', 'Eruption of skin (disorder)');
const ANAPHYLAXIS = code('39579001', 'Anaphylaxis (disorder)');
const DYSPNEA = code('267036007', 'Dyspnea (finding)');
const NAUSEA = code('422587007', 'Nausea (finding)');
const ITCHING = code('418290006', 'Itching of skin (finding)');
const SNEEZING = code('76067001', 'Sneezing (finding)');
const COUGH = code('49727002', 'Cough (finding)');
const ANGIOEDEMA = code('41291007', 'Angioedema (disorder)');

const allergen = (
  system: string,
  category: Allergen['category'],
  c: string,
  display: string,
  reactions: readonly Code[],
): Allergen => ({ system, category, code: c, display, reactions });

export const ALLERGENS = new WeightedTable<Allergen>(
  [
    allergen(SYS.rxnorm, 'medication', '7984', 'penicillin V', [HIVES, RASH, ANAPHYLAXIS, ITCHING]),
    allergen(SYS.rxnorm, 'medication', '10831', 'sulfamethoxazole', [RASH, HIVES, NAUSEA]),
    allergen(SYS.rxnorm, 'medication', '1191', 'aspirin', [HIVES, DYSPNEA, ANGIOEDEMA]),
    allergen(SYS.rxnorm, 'medication', '2670', 'codeine', [NAUSEA, ITCHING, RASH]),
    allergen(SYS.snomed, 'food', '762952008', 'Peanut (substance)', [HIVES, ANAPHYLAXIS, ANGIOEDEMA]),
    allergen(SYS.snomed, 'food', '735029006', 'Shellfish (substance)', [HIVES, ANAPHYLAXIS, NAUSEA]),
    allergen(SYS.snomed, 'food', '102263004', 'Eggs (edible) (substance)', [HIVES, RASH, NAUSEA]),
    allergen(SYS.snomed, 'food', '3718001', "Cow's milk (substance)", [RASH, NAUSEA]),
    allergen(SYS.snomed, 'environment', '782576004', 'Tree pollen (substance)', [SNEEZING, COUGH, ITCHING]),
    allergen(SYS.snomed, 'environment', '256277009', 'Grass pollen (substance)', [SNEEZING, COUGH]),
    allergen(SYS.snomed, 'environment', '260147004', 'House dust mite (organism)', [SNEEZING, COUGH, DYSPNEA]),
    allergen(SYS.snomed, 'environment', '264287008', 'Animal dander (substance)', [SNEEZING, ITCHING, DYSPNEA]),
    allergen(SYS.snomed, 'environment', '84489001', 'Mold (organism)', [SNEEZING, COUGH]),
    allergen(SYS.snomed, 'environment', '288328004', 'Bee venom (substance)', [HIVES, ANAPHYLAXIS, ANGIOEDEMA]),
    allergen(SYS.snomed, 'environment', '111088007', 'Latex (substance)', [RASH, ITCHING, HIVES]),
  ],
  [30, 12, 8, 6, 10, 8, 5, 5, 14, 12, 12, 10, 6, 4, 3],
);

/** How many allergies a patient has on record: most have none. */
export const ALLERGY_COUNT = new WeightedTable([0, 1, 2, 3], [62, 25, 9, 4]);

export interface Vaccine extends Code {
  /** Ages (months) at which childhood doses are given. */
  readonly doseMonths: readonly number[];
  /** Earliest plausible administration date (product licensure), epoch ms. */
  readonly since: number;
}

const vaccine = (c: string, display: string, doseMonths: readonly number[], since = '1990-01-01'): Vaccine => ({
  code: c,
  display,
  doseMonths,
  since: Date.parse(since),
});

export const CHILDHOOD_VACCINES: readonly Vaccine[] = [
  vaccine('08', 'Hep B, adolescent or pediatric', [0, 1, 6]),
  vaccine('119', 'rotavirus, monovalent', [2, 4], '2008-04-01'),
  vaccine('20', 'DTaP', [2, 4, 6, 15, 48]),
  vaccine('49', 'Hib (PRP-OMP)', [2, 4, 12]),
  vaccine('133', 'Pneumococcal conjugate PCV 13', [2, 4, 6, 12], '2010-02-24'),
  vaccine('10', 'IPV', [2, 4, 6, 48]),
  vaccine('03', 'MMR', [12, 48]),
  vaccine('21', 'varicella', [12, 48], '1995-03-17'),
  vaccine('83', 'Hep A, ped/adol, 2 dose', [12, 18], '1995-02-22'),
  vaccine('115', 'Tdap', [132], '2005-05-03'),
  vaccine('165', 'HPV9', [132, 138], '2014-12-10'),
  vaccine('114', 'meningococcal MCV4P', [132, 192], '2005-01-14'),
];

export const FLU = vaccine('140', 'Influenza, seasonal, injectable, preservative free', []);
export const TDAP = vaccine('115', 'Tdap', [], '2005-05-03');
export const ZOSTER = vaccine('187', 'zoster recombinant', [], '2017-10-20');
export const PPSV23 = vaccine('33', 'pneumococcal polysaccharide PPV23', []);
export const COVID = vaccine('208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', [], '2020-12-11');

export const MONTH = YEAR / 12;
export const WEEK = 7 * DAY;

export type EncounterKind = 'wellness' | 'wellChild' | 'followUp' | 'symptom' | 'emergency' | 'inpatient';

export interface EncounterType {
  readonly classCode: 'AMB' | 'EMER' | 'IMP';
  readonly classDisplay: string;
  readonly type: Code;
}

export const ENCOUNTER_TYPES: Readonly<Record<EncounterKind, EncounterType>> = {
  wellness: { classCode: 'AMB', classDisplay: 'ambulatory', type: code('185349003', 'Encounter for check up (procedure)') },
  wellChild: { classCode: 'AMB', classDisplay: 'ambulatory', type: code('410620009', 'Well child visit (procedure)') },
  followUp: { classCode: 'AMB', classDisplay: 'ambulatory', type: code('390906007', 'Follow-up encounter (procedure)') },
  symptom: { classCode: 'AMB', classDisplay: 'ambulatory', type: code('185345009', 'Encounter for symptom (procedure)') },
  emergency: { classCode: 'EMER', classDisplay: 'emergency', type: code('50849002', 'Emergency room admission (procedure)') },
  inpatient: { classCode: 'IMP', classDisplay: 'inpatient encounter', type: code('32485007', 'Hospital admission (procedure)') },
};
