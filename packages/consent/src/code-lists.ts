import type { SensitivityLabel } from './labels.ts';

/**
 * Which codes make a resource sensitive. The defaults below are a starting set an organization
 * is expected to review and extend (they are data, not logic: pass your own `CodeLists`).
 *
 * - ICD-10-CM by code prefix (a prefix matches the code and every code under it).
 * - SNOMED CT and LOINC by exact code.
 * - Medications by ingredient name in the coding display or text (RxNorm product codes are too
 *   many to list; the ingredient name is what every product's name contains).
 */
export interface CodeRule {
  label: SensitivityLabel;
  /** ICD-10-CM code prefixes, without dots, upper case (e.g. "F10", "Z113"). */
  icd10Prefixes?: readonly string[];
  /** ICD-10-CM prefixes excluded from this rule (e.g. nicotine dependence from substance use). */
  icd10Except?: readonly string[];
  snomed?: readonly string[];
  loinc?: readonly string[];
  /** Lower-case ingredient names matched as whole words in medication names. */
  medicationIngredients?: readonly string[];
}

export type CodeLists = readonly CodeRule[];

export const CODE_SYSTEMS = {
  icd10cm: ['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10', 'urn:oid:2.16.840.1.113883.6.90', 'urn:oid:2.16.840.1.113883.6.3'],
  snomed: ['http://snomed.info/sct', 'urn:oid:2.16.840.1.113883.6.96'],
  loinc: ['http://loinc.org', 'urn:oid:2.16.840.1.113883.6.1'],
} as const;

export const DEFAULT_CODE_LISTS: CodeLists = [
  {
    label: 'ETH',
    // Mental and behavioural disorders due to psychoactive substance use; nicotine (F17) is not
    // covered by substance-use confidentiality rules.
    icd10Prefixes: ['F10', 'F11', 'F12', 'F13', 'F14', 'F15', 'F16', 'F18', 'F19', 'Z7141', 'Z7142', 'Z7151', 'Z7152'],
    icd10Except: ['F17'],
    snomed: ['7200002', '66590003', '15167005', '26416006', '191816009', '5602001', '75544000', '724653003'],
    medicationIngredients: ['buprenorphine', 'methadone', 'naltrexone', 'disulfiram', 'acamprosate', 'lofexidine'],
  },
  {
    label: 'PSY',
    // Psychotic, mood, anxiety, behavioural-syndrome and personality disorders, suicidal
    // ideation, self-harm. Intellectual and developmental disorders and childhood-onset
    // conditions (F7–F9: autism, ADHD) stay visible to parents: they need them to care for a child.
    icd10Prefixes: ['F2', 'F3', 'F4', 'F5', 'F6', 'R45851', 'Z915', 'T1491'],
    snomed: ['35489007', '370143000', '197480006', '13746004', '58214004', '47505003', '72366004', '6471006'],
    loinc: ['44249-1', '44261-6', '55757-9', '55758-7', '69737-5', '70274-6'],
    medicationIngredients: [
      'lithium', 'aripiprazole', 'quetiapine', 'olanzapine', 'risperidone', 'clozapine', 'haloperidol', 'ziprasidone', 'lurasidone',
      'sertraline', 'fluoxetine', 'escitalopram', 'citalopram', 'paroxetine', 'venlafaxine', 'desvenlafaxine', 'duloxetine', 'mirtazapine', 'vortioxetine',
    ],
  },
  {
    label: 'HIV',
    icd10Prefixes: ['B20', 'Z21', 'R75', 'Z114', 'O987'],
    snomed: ['86406008', '165816005', '62479008'],
    loinc: ['7917-8', '75622-1', '25836-8', '20447-9', '56888-1'],
    medicationIngredients: [
      'bictegravir', 'dolutegravir', 'raltegravir', 'elvitegravir', 'cabotegravir', 'emtricitabine', 'tenofovir', 'lamivudine', 'zidovudine', 'abacavir',
      'efavirenz', 'rilpivirine', 'doravirine', 'darunavir', 'atazanavir', 'lopinavir',
    ],
  },
  {
    label: 'STD',
    icd10Prefixes: ['A5', 'A60', 'A63', 'A64', 'Z113', 'Z202'],
    snomed: ['15628003', '76272004', '105629000', '33839006', '240589008'],
    loinc: ['21613-5', '24111-7', '20507-0'],
  },
  {
    label: 'SEX',
    // Pregnancy (O), contraception (Z30), pregnancy tests and state (Z32, Z33, Z3A), infertility
    // (N97), and encounters for procreative management (Z31).
    icd10Prefixes: ['O', 'Z30', 'Z31', 'Z32', 'Z33', 'Z3A', 'N97'],
    snomed: ['77386006', '72892002', '13197004', '57797005'],
    loinc: ['2106-3', '2118-8', '19080-1'],
    medicationIngredients: ['levonorgestrel', 'norethindrone', 'norgestimate', 'etonogestrel', 'drospirenone', 'desogestrel', 'ulipristal', 'mifepristone', 'ethinyl estradiol'],
  },
];
