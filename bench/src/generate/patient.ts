/** The person: demographics, and the US Core-shaped Patient resource. */
import type { Extension, HumanName, Identifier, Patient } from 'fhir/r4';
import { CHRONIC_CONDITIONS, type ChronicKey } from './conditions-catalog.ts';
import type { Person, RecordBuilder } from './context.ts';
import { emailPart, FAMILY, FEMALE_GIVEN, MALE_GIVEN, NAME_SUFFIXES } from './names.ts';
import {
  EMAIL_DOMAINS,
  HISPANIC,
  LANGUAGES,
  MARITAL_ADULT,
  NEVER_MARRIED,
  NOT_HISPANIC,
  RACES,
  STREET_NAMES,
  STREET_TYPES,
  TOWNS,
  UNIT_PREFIXES,
} from './places.ts';
import { type Rng, WeightedTable } from './rng.ts';
import { SYS } from './terminology.ts';
import { isoDate, startOfDay, YEAR } from './time.ts';

/** Five-year age bands (start age), weighted like the US population pyramid. */
const AGE_BANDS = new WeightedTable(
  [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90],
  [6, 6, 6.3, 6.4, 6.6, 6.9, 6.8, 6.6, 6.2, 6.1, 6.3, 6.5, 6.2, 5.3, 4.3, 2.9, 1.9, 1.2, 0.6],
);

function sampleChronic(rng: Rng, sex: Person['sex'], age: number): Set<ChronicKey> {
  const chronic = new Set<ChronicKey>();
  for (const c of CHRONIC_CONDITIONS) {
    if (age < c.fromAge) continue;
    const ramp = Math.min(1, (age - c.fromAge) / Math.max(1, c.fullAge - c.fromAge));
    const sexFactor = c.femaleFactor === undefined ? 1 : sex === 'female' ? c.femaleFactor : 1;
    // Normalise the sex factor so the overall prevalence stays near maxP.
    const norm = c.femaleFactor === undefined ? 1 : 2 / (1 + c.femaleFactor);
    if (rng.chance(c.maxP * ramp * sexFactor * norm)) chronic.add(c.key);
  }
  // Heart disease rarely comes without hypertension; this keeps problem lists coherent.
  if (chronic.has('heartFailure') || chronic.has('cad')) chronic.add('hypertension');
  return chronic;
}

export interface PersonDraft {
  readonly person: Person;
  readonly gender: Patient['gender'];
}

export function samplePerson(rng: Rng, nowMs: number, practitionerCount: number): PersonDraft {
  const r = rng.float();
  const gender: Patient['gender'] = r < 0.504 ? 'female' : r < 0.997 ? 'male' : 'other';
  const sex: Person['sex'] = gender === 'other' ? (rng.chance(0.5) ? 'female' : 'male') : gender === 'female' ? 'female' : 'male';
  const band = AGE_BANDS.sample(rng);
  const ageDraw = band + rng.float() * 5;
  const birthMs = startOfDay(nowMs - ageDraw * YEAR);
  const age = (nowMs - birthMs) / YEAR;
  const names = sex === 'female' ? FEMALE_GIVEN : MALE_GIVEN;
  const chronic = sampleChronic(rng, sex, age);
  const obese = chronic.has('obesity');
  const person: Person = {
    sex,
    birthMs,
    age,
    given: names.sample(rng),
    family: FAMILY.sample(rng),
    adultHeight: rng.normal(sex === 'female' ? 163 : 176.5, 6.5),
    adultBmi: obese ? rng.uniform(30.5, 42) : rng.normal(25.5, 2.4),
    pcp: rng.int(practitionerCount),
    chronic,
  };
  return { person, gender };
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(48 + rng.int(10));
  return s;
}

/**
 * MRNs are unique per organization and index: multiplying by a constant coprime to 10^8 is a
 * bijection on [0, 10^8), so they look unordered without any chance of a clash.
 */
export function mrnFor(index: number, seedOffset: number): string {
  const n = (index * 48271 + seedOffset) % 100_000_000;
  return String(n).padStart(8, '0');
}

function ombExtension(url: string, category: { code: string; display: string }): Extension {
  return {
    url,
    extension: [
      { url: 'ombCategory', valueCoding: { system: SYS.cdcRace, code: category.code, display: category.display } },
      { url: 'text', valueString: category.display },
    ],
  };
}

export function buildPatient(b: RecordBuilder, draft: PersonDraft, mrn: string): Patient {
  const { rng } = b;
  const { person, gender } = draft;
  const adult = person.age >= 18;
  const names = person.sex === 'female' ? FEMALE_GIVEN : MALE_GIVEN;

  const given = [person.given];
  if (rng.chance(0.7)) {
    const middle = names.sample(rng);
    if (middle !== person.given) given.push(middle);
  }
  let family = person.family;
  if (rng.chance(person.sex === 'female' ? 0.05 : 0.015)) family = `${family}-${FAMILY.sample(rng)}`;
  const official: HumanName = { use: 'official', family, given };
  if (person.sex === 'male' && rng.chance(0.04)) official.suffix = [rng.pick(NAME_SUFFIXES)];
  const name: HumanName[] = [official];

  const identifier: Identifier[] = [
    {
      use: 'usual',
      type: { coding: [{ system: SYS.v2IdentifierType, code: 'MR', display: 'Medical record number' }], text: 'Medical record number' },
      system: b.org.info.mrnSystem,
      value: mrn,
    },
  ];
  if (rng.chance(0.6)) {
    identifier.push({
      use: 'official',
      type: { coding: [{ system: SYS.v2IdentifierType, code: 'SS', display: 'Social Security number' }], text: 'Social Security number' },
      system: SYS.ssn,
      // 9xx area numbers are never issued as SSNs.
      value: `9${digits(rng, 8)}`,
    });
  }

  const marital = !adult ? NEVER_MARRIED : person.age > 75 && rng.chance(0.35) ? { code: 'W', display: 'Widowed' } : MARITAL_ADULT.sample(rng);
  if (person.sex === 'female' && marital.code !== 'S' && rng.chance(0.3)) {
    name.push({ use: 'maiden', family: FAMILY.sample(rng), given: [person.given] });
  }

  const town = TOWNS.sample(rng);
  const line = [`${rng.range(1, 1999)} ${rng.pick(STREET_NAMES)} ${STREET_TYPES.sample(rng)}`];
  if (rng.chance(0.15)) line.push(`${rng.pick(UNIT_PREFIXES)} ${rng.range(1, 24)}`);

  const telecom: Patient['telecom'] = [
    { system: 'phone', value: `(${town.areaCode}) 555-${digits(rng, 4)}`, use: rng.chance(0.6) ? 'mobile' : 'home' },
  ];
  if (person.age >= 14 && rng.chance(0.45)) {
    const local = `${emailPart(person.given)}.${emailPart(family)}${rng.chance(0.5) ? rng.range(1, 99) : ''}`;
    telecom.push({ system: 'email', value: `${local}@${rng.pick(EMAIL_DOMAINS)}`, use: 'home' });
  }

  const extension: Extension[] = [];
  if (rng.chance(0.7)) {
    extension.push(ombExtension(SYS.usCoreRace, RACES.sample(rng)));
    extension.push(ombExtension(SYS.usCoreEthnicity, rng.chance(0.035) ? HISPANIC : NOT_HISPANIC));
  }

  const language = LANGUAGES.sample(rng);
  return {
    resourceType: 'Patient',
    ...b.head(b.patientId),
    ...(extension.length > 0 ? { extension } : undefined),
    active: true,
    identifier,
    name,
    telecom,
    gender,
    birthDate: isoDate(person.birthMs),
    address: [
      {
        use: 'home',
        type: 'physical',
        line,
        city: town.city,
        district: town.district,
        state: town.state,
        postalCode: town.zip,
        country: 'US',
      },
    ],
    maritalStatus: {
      coding: [{ system: SYS.v3MaritalStatus, code: marital.code, display: marital.display }],
      text: marital.display,
    },
    communication: [
      {
        language: { coding: [{ system: SYS.bcp47, code: language.code, display: language.display }], text: language.text },
        preferred: true,
      },
    ],
    generalPractitioner: [b.practitionerRef(person.pcp)],
    managingOrganization: b.orgRef(),
  };
}
