/** Problems, diagnoses and the drugs that go with them (SNOMED CT, ICD-10-CM, RxNorm). */
import type { Code } from './terminology.ts';

/** v3-ActCode sensitivity labels later consent rules key on. */
export type Sensitivity = 'PSY' | 'ETH' | 'HIV';

export const SENSITIVITY_DISPLAY: Readonly<Record<Sensitivity, string>> = {
  PSY: 'psychiatry information sensitivity',
  ETH: 'substance abuse information sensitivity',
  HIV: 'HIV/AIDS information sensitivity',
};

export interface Medication extends Code {
  readonly dosage: string;
}

/** Keys the vitals and labs generators look at to shift values (e.g. diabetes raises HbA1c). */
export type ChronicKey =
  | 'hypertension'
  | 'diabetes'
  | 'hyperlipidemia'
  | 'asthma'
  | 'copd'
  | 'hypothyroidism'
  | 'osteoarthritis'
  | 'ckd'
  | 'obesity'
  | 'gerd'
  | 'afib'
  | 'migraine'
  | 'anemia'
  | 'backPain'
  | 'rhinitis'
  | 'cad'
  | 'heartFailure'
  | 'osteoporosis'
  | 'depression'
  | 'anxiety'
  | 'opioidUse'
  | 'alcoholUse'
  | 'hiv';

export interface ChronicCondition {
  readonly key: ChronicKey;
  readonly snomed: Code;
  readonly icd10: Code;
  /** Prevalence ramps linearly from 0 at `fromAge` to `maxP` at `fullAge`. */
  readonly fromAge: number;
  readonly fullAge: number;
  readonly maxP: number;
  readonly femaleFactor?: number;
  readonly meds: readonly Medication[];
  readonly sensitivity?: Sensitivity;
  /** Candidates for a Goal resource. */
  readonly goal?: string;
}

const med = (code: string, display: string, dosage: string): Medication => ({ code, display, dosage });
const code = (c: string, display: string): Code => ({ code: c, display });

const LISINOPRIL = med('314076', 'lisinopril 10 MG Oral Tablet', 'Take 1 tablet by mouth once daily');
const AMLODIPINE = med('197361', 'amlodipine 5 MG Oral Tablet', 'Take 1 tablet by mouth once daily');
const HCTZ = med('310798', 'hydrochlorothiazide 25 MG Oral Tablet', 'Take 1 tablet by mouth every morning');
const METFORMIN = med('861007', 'metformin hydrochloride 500 MG Oral Tablet', 'Take 1 tablet by mouth twice daily with meals');
const SIMVASTATIN = med('312961', 'simvastatin 20 MG Oral Tablet', 'Take 1 tablet by mouth at bedtime');
const ALBUTEROL = med(
  '745679',
  '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler',
  'Inhale 2 puffs every 4 to 6 hours as needed for shortness of breath',
);
const LEVOTHYROXINE = med(
  '966222',
  'levothyroxine sodium 0.075 MG Oral Tablet',
  'Take 1 tablet by mouth every morning on an empty stomach',
);
const WARFARIN = med('855332', 'warfarin sodium 5 MG Oral Tablet', 'Take 1 tablet by mouth once daily in the evening');
const ACETAMINOPHEN = med('313782', 'acetaminophen 325 MG Oral Tablet', 'Take 2 tablets by mouth every 6 hours as needed for pain');
const IBUPROFEN = med('310965', 'ibuprofen 200 MG Oral Tablet', 'Take 2 tablets by mouth every 6 hours as needed with food');
const CLOPIDOGREL = med('309362', 'clopidogrel 75 MG Oral Tablet', 'Take 1 tablet by mouth once daily');
const FUROSEMIDE = med('313988', 'furosemide 40 MG Oral Tablet', 'Take 1 tablet by mouth every morning');
const SERTRALINE = med('312941', 'sertraline 50 MG Oral Tablet', 'Take 1 tablet by mouth once daily');
const ESCITALOPRAM = med('349332', 'escitalopram 10 MG Oral Tablet', 'Take 1 tablet by mouth once daily');
const BUPRENORPHINE = med(
  '1010600',
  'buprenorphine 2 MG / naloxone 0.5 MG Sublingual Film',
  'Dissolve 1 film under the tongue once daily',
);
const BIKTARVY = med(
  '1999667',
  'bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet',
  'Take 1 tablet by mouth once daily',
);
export const AMOXICILLIN = med('308191', 'amoxicillin 500 MG Oral Capsule', 'Take 1 capsule by mouth three times daily for 10 days');
const CIPROFLOXACIN = med('309309', 'ciprofloxacin 500 MG Oral Tablet', 'Take 1 tablet by mouth twice daily for 3 days');

export const CHRONIC_CONDITIONS: readonly ChronicCondition[] = [
  {
    key: 'hypertension',
    snomed: code('59621000', 'Essential hypertension (disorder)'),
    icd10: code('I10', 'Essential (primary) hypertension'),
    fromAge: 25, fullAge: 80, maxP: 0.6,
    meds: [LISINOPRIL, AMLODIPINE, HCTZ],
    goal: 'Blood pressure below 130/80 mmHg',
  },
  {
    key: 'diabetes',
    snomed: code('44054006', 'Diabetes mellitus type 2 (disorder)'),
    icd10: code('E11.9', 'Type 2 diabetes mellitus without complications'),
    fromAge: 25, fullAge: 75, maxP: 0.22,
    meds: [METFORMIN],
    goal: 'Hemoglobin A1c below 7.0%',
  },
  {
    key: 'hyperlipidemia',
    snomed: code('55822004', 'Hyperlipidemia (disorder)'),
    icd10: code('E78.5', 'Hyperlipidemia, unspecified'),
    fromAge: 30, fullAge: 70, maxP: 0.4,
    meds: [SIMVASTATIN],
    goal: 'LDL cholesterol below 100 mg/dL',
  },
  {
    key: 'asthma',
    snomed: code('195967001', 'Asthma (disorder)'),
    icd10: code('J45.909', 'Unspecified asthma, uncomplicated'),
    fromAge: 2, fullAge: 6, maxP: 0.08,
    meds: [ALBUTEROL],
  },
  {
    key: 'copd',
    snomed: code('13645005', 'Chronic obstructive lung disease (disorder)'),
    icd10: code('J44.9', 'Chronic obstructive pulmonary disease, unspecified'),
    fromAge: 40, fullAge: 80, maxP: 0.1,
    meds: [ALBUTEROL],
  },
  {
    key: 'hypothyroidism',
    snomed: code('40930008', 'Hypothyroidism (disorder)'),
    icd10: code('E03.9', 'Hypothyroidism, unspecified'),
    fromAge: 18, fullAge: 70, maxP: 0.06, femaleFactor: 3,
    meds: [LEVOTHYROXINE],
  },
  {
    key: 'osteoarthritis',
    snomed: code('239873007', 'Osteoarthritis of knee (disorder)'),
    icd10: code('M17.9', 'Osteoarthritis of knee, unspecified'),
    fromAge: 45, fullAge: 85, maxP: 0.3,
    meds: [ACETAMINOPHEN],
  },
  {
    key: 'ckd',
    snomed: code('433144002', 'Chronic kidney disease stage 3 (disorder)'),
    icd10: code('N18.30', 'Chronic kidney disease, stage 3 unspecified'),
    fromAge: 50, fullAge: 90, maxP: 0.12,
    meds: [],
  },
  {
    key: 'obesity',
    snomed: code('414916001', 'Obesity (disorder)'),
    icd10: code('E66.9', 'Obesity, unspecified'),
    fromAge: 8, fullAge: 45, maxP: 0.3,
    meds: [],
    goal: 'Lose 5% of body weight within 6 months',
  },
  {
    key: 'gerd',
    snomed: code('235595009', 'Gastroesophageal reflux disease (disorder)'),
    icd10: code('K21.9', 'Gastro-esophageal reflux disease without esophagitis'),
    fromAge: 20, fullAge: 60, maxP: 0.12,
    meds: [],
  },
  {
    key: 'afib',
    snomed: code('49436004', 'Atrial fibrillation (disorder)'),
    icd10: code('I48.91', 'Unspecified atrial fibrillation'),
    fromAge: 55, fullAge: 90, maxP: 0.12,
    meds: [WARFARIN],
  },
  {
    key: 'migraine',
    snomed: code('37796009', 'Migraine (disorder)'),
    icd10: code('G43.909', 'Migraine, unspecified, not intractable, without status migrainosus'),
    fromAge: 12, fullAge: 30, maxP: 0.05, femaleFactor: 3,
    meds: [IBUPROFEN],
  },
  {
    key: 'anemia',
    snomed: code('87522002', 'Iron deficiency anemia (disorder)'),
    icd10: code('D50.9', 'Iron deficiency anemia, unspecified'),
    fromAge: 1, fullAge: 14, maxP: 0.03, femaleFactor: 2,
    meds: [],
  },
  {
    key: 'backPain',
    snomed: code('278860009', 'Chronic low back pain (finding)'),
    icd10: code('M54.50', 'Low back pain, unspecified'),
    fromAge: 25, fullAge: 60, maxP: 0.12,
    meds: [IBUPROFEN, ACETAMINOPHEN],
  },
  {
    key: 'rhinitis',
    snomed: code('61582004', 'Allergic rhinitis (disorder)'),
    icd10: code('J30.9', 'Allergic rhinitis, unspecified'),
    fromAge: 3, fullAge: 10, maxP: 0.15,
    meds: [],
  },
  {
    key: 'cad',
    snomed: code('53741008', 'Coronary arteriosclerosis (disorder)'),
    icd10: code('I25.10', 'Atherosclerotic heart disease of native coronary artery without angina pectoris'),
    fromAge: 45, fullAge: 85, maxP: 0.15, femaleFactor: 0.6,
    meds: [CLOPIDOGREL],
  },
  {
    key: 'heartFailure',
    snomed: code('84114007', 'Heart failure (disorder)'),
    icd10: code('I50.9', 'Heart failure, unspecified'),
    fromAge: 60, fullAge: 90, maxP: 0.08,
    meds: [FUROSEMIDE],
  },
  {
    key: 'osteoporosis',
    snomed: code('64859006', 'Osteoporosis (disorder)'),
    icd10: code('M81.0', 'Age-related osteoporosis without current pathological fracture'),
    fromAge: 55, fullAge: 85, maxP: 0.06, femaleFactor: 4,
    meds: [],
  },
  {
    key: 'depression',
    snomed: code('370143000', 'Major depressive disorder (disorder)'),
    icd10: code('F32.9', 'Major depressive disorder, single episode, unspecified'),
    fromAge: 12, fullAge: 18, maxP: 0.08, femaleFactor: 1.5,
    meds: [SERTRALINE],
    sensitivity: 'PSY',
  },
  {
    key: 'anxiety',
    snomed: code('21897009', 'Generalized anxiety disorder (disorder)'),
    icd10: code('F41.1', 'Generalized anxiety disorder'),
    fromAge: 12, fullAge: 18, maxP: 0.06, femaleFactor: 1.5,
    meds: [ESCITALOPRAM],
    sensitivity: 'PSY',
  },
  {
    key: 'opioidUse',
    snomed: code('75544000', 'Opioid dependence (disorder)'),
    icd10: code('F11.20', 'Opioid dependence, uncomplicated'),
    fromAge: 17, fullAge: 20, maxP: 0.015, femaleFactor: 0.7,
    meds: [BUPRENORPHINE],
    sensitivity: 'ETH',
  },
  {
    key: 'alcoholUse',
    snomed: code('7200002', 'Alcoholism (disorder)'),
    icd10: code('F10.20', 'Alcohol dependence, uncomplicated'),
    fromAge: 17, fullAge: 20, maxP: 0.025, femaleFactor: 0.6,
    meds: [],
    sensitivity: 'ETH',
  },
  {
    key: 'hiv',
    snomed: code('86406008', 'Human immunodeficiency virus infection (disorder)'),
    icd10: code('B20', 'Human immunodeficiency virus [HIV] disease'),
    fromAge: 17, fullAge: 20, maxP: 0.006, femaleFactor: 0.5,
    meds: [BIKTARVY],
    sensitivity: 'HIV',
  },
];

/** A short-lived problem diagnosed at one encounter. */
export interface AcuteCondition {
  readonly snomed: Code;
  readonly icd10: Code;
  readonly minAge: number;
  readonly maxAge: number;
  readonly femaleFactor?: number;
  readonly med?: Medication;
  /** SNOMED procedure done at the same encounter. */
  readonly procedure?: Code;
  readonly fever: boolean;
  /** Lab panels ordered for it (keys of labs.ts PANELS). */
  readonly labs?: readonly ('cbc' | 'bmp')[];
}

export const PROCEDURES = {
  throatCulture: code('117015009', 'Throat culture (procedure)'),
  ecg: code('29303009', 'Electrocardiographic procedure (procedure)'),
  chestXray: code('399208008', 'Plain chest X-ray (procedure)'),
  suture: code('288086009', 'Suture open wound (procedure)'),
  appendectomy: code('80146002', 'Appendectomy (procedure)'),
  hipReplacement: code('52734007', 'Total replacement of hip (procedure)'),
  ivAntibiotics: code('281790008', 'Intravenous antibiotic therapy (procedure)'),
  medReconciliation: code('430193006', 'Medication reconciliation (procedure)'),
  depressionScreening: code('171207006', 'Depression screening (procedure)'),
  mammography: code('71651007', 'Mammography (procedure)'),
  colonoscopy: code('73761001', 'Colonoscopy (procedure)'),
} as const;

export const AMBULATORY_ACUTE: readonly AcuteCondition[] = [
  {
    snomed: code('195662009', 'Acute viral pharyngitis (disorder)'),
    icd10: code('J02.9', 'Acute pharyngitis, unspecified'),
    minAge: 2, maxAge: 95, fever: true, med: ACETAMINOPHEN,
  },
  {
    snomed: code('43878008', 'Streptococcal sore throat (disorder)'),
    icd10: code('J02.0', 'Streptococcal pharyngitis'),
    minAge: 3, maxAge: 60, fever: true, med: AMOXICILLIN, procedure: PROCEDURES.throatCulture,
  },
  {
    snomed: code('10509002', 'Acute bronchitis (disorder)'),
    icd10: code('J20.9', 'Acute bronchitis, unspecified'),
    minAge: 1, maxAge: 95, fever: false,
  },
  {
    snomed: code('444814009', 'Viral sinusitis (disorder)'),
    icd10: code('J01.90', 'Acute sinusitis, unspecified'),
    minAge: 5, maxAge: 95, fever: false,
  },
  {
    snomed: code('65363002', 'Otitis media (disorder)'),
    icd10: code('H66.90', 'Otitis media, unspecified, unspecified ear'),
    minAge: 0, maxAge: 12, fever: true, med: AMOXICILLIN,
  },
  {
    snomed: code('68566005', 'Urinary tract infectious disease (disorder)'),
    icd10: code('N39.0', 'Urinary tract infection, site not specified'),
    minAge: 12, maxAge: 95, femaleFactor: 6, fever: false, med: CIPROFLOXACIN,
  },
  {
    snomed: code('44465007', 'Sprain of ankle (disorder)'),
    icd10: code('S93.409A', 'Sprain of unspecified ligament of unspecified ankle, initial encounter'),
    minAge: 8, maxAge: 80, fever: false, med: IBUPROFEN,
  },
];

export const EMERGENCY_ACUTE: readonly AcuteCondition[] = [
  {
    snomed: code('29857009', 'Chest pain (finding)'),
    icd10: code('R07.9', 'Chest pain, unspecified'),
    minAge: 25, maxAge: 95, fever: false, procedure: PROCEDURES.ecg, labs: ['cbc', 'bmp'],
  },
  {
    snomed: code('110030002', 'Concussion injury of brain (disorder)'),
    icd10: code('S06.0X0A', 'Concussion without loss of consciousness, initial encounter'),
    minAge: 4, maxAge: 95, fever: false, med: ACETAMINOPHEN,
  },
  {
    snomed: code('284551006', 'Laceration of forearm (disorder)'),
    icd10: code('S51.819A', 'Laceration without foreign body of unspecified forearm, initial encounter'),
    minAge: 3, maxAge: 90, fever: false, procedure: PROCEDURES.suture,
  },
  {
    snomed: code('95570007', 'Kidney stone (disorder)'),
    icd10: code('N20.0', 'Calculus of kidney'),
    minAge: 20, maxAge: 85, fever: false, med: IBUPROFEN, labs: ['bmp'],
  },
  {
    snomed: code('44465007', 'Sprain of ankle (disorder)'),
    icd10: code('S93.409A', 'Sprain of unspecified ligament of unspecified ankle, initial encounter'),
    minAge: 8, maxAge: 80, fever: false, med: IBUPROFEN,
  },
];

export const INPATIENT_ACUTE: readonly AcuteCondition[] = [
  {
    snomed: code('233604007', 'Pneumonia (disorder)'),
    icd10: code('J18.9', 'Pneumonia, unspecified organism'),
    minAge: 0, maxAge: 95, fever: true, procedure: PROCEDURES.chestXray, labs: ['cbc', 'bmp'],
  },
  {
    snomed: code('85189001', 'Acute appendicitis (disorder)'),
    icd10: code('K35.80', 'Unspecified acute appendicitis'),
    minAge: 5, maxAge: 70, fever: true, procedure: PROCEDURES.appendectomy, labs: ['cbc', 'bmp'],
  },
  {
    snomed: code('128045006', 'Cellulitis (disorder)'),
    icd10: code('L03.90', 'Cellulitis, unspecified'),
    minAge: 10, maxAge: 95, fever: true, procedure: PROCEDURES.ivAntibiotics, labs: ['cbc'],
  },
  {
    snomed: code('5913000', 'Fracture of neck of femur (disorder)'),
    icd10: code('S72.009A', 'Fracture of unspecified part of neck of unspecified femur, initial encounter'),
    minAge: 60, maxAge: 95, fever: false, procedure: PROCEDURES.hipReplacement, labs: ['cbc', 'bmp'],
  },
];
