/**
 * Second registrations of generated people, with the errors real registration desks make
 * (typos, nicknames, swapped day/month, moves, married names, missing fields), and hard
 * negatives: relatives who share a household with an indexed person but are someone else.
 */
import type { Demographics } from '@kennebec/matching';
import { FAMILY, FEMALE_GIVEN, MALE_GIVEN } from '../generate/names.ts';
import { STREET_NAMES, STREET_TYPES, TOWNS } from '../generate/places.ts';
import type { Rng } from '../generate/rng.ts';

const NICKNAMES: Record<string, string[]> = {
  William: ['Bill', 'Will', 'Billy'], Robert: ['Bob', 'Rob', 'Bobby'], James: ['Jim', 'Jimmy'], John: ['Jack', 'Johnny'],
  Michael: ['Mike'], Richard: ['Rick', 'Dick', 'Rich'], Joseph: ['Joe'], Thomas: ['Tom', 'Tommy'], Charles: ['Charlie', 'Chuck'],
  Christopher: ['Chris'], Daniel: ['Dan', 'Danny'], Matthew: ['Matt'], Anthony: ['Tony'], Donald: ['Don'], Steven: ['Steve'],
  Andrew: ['Andy', 'Drew'], Joshua: ['Josh'], Kenneth: ['Ken'], Edward: ['Ed', 'Ted'], Timothy: ['Tim'], Ronald: ['Ron'],
  Nicholas: ['Nick'], Benjamin: ['Ben'], Samuel: ['Sam'], Alexander: ['Alex'], Patrick: ['Pat'], Jacob: ['Jake'],
  Elizabeth: ['Liz', 'Beth', 'Betty'], Margaret: ['Peggy', 'Maggie'], Patricia: ['Pat', 'Patty'], Jennifer: ['Jen', 'Jenny'],
  Susan: ['Sue'], Deborah: ['Debbie', 'Deb'], Katherine: ['Kate', 'Kathy'], Catherine: ['Cathy', 'Kate'], Kimberly: ['Kim'],
  Rebecca: ['Becky'], Samantha: ['Sam'], Victoria: ['Vicky'], Jessica: ['Jess'], Abigail: ['Abby'], Pamela: ['Pam'],
  Christine: ['Chris'], Cynthia: ['Cindy'], Barbara: ['Barb'], Dorothy: ['Dot'], Sandra: ['Sandy'], Stephanie: ['Steph'],
};

const KEYBOARD = 'qwertyuiopasdfghjklzxcvbnm';

/** One keyboard-style error: substitution, deletion, insertion or adjacent transposition. */
export function typo(rng: Rng, s: string): string {
  if (s.length < 3) return s;
  const i = rng.range(1, s.length - 2);
  switch (rng.int(4)) {
    case 0: return s.slice(0, i) + rng.pick(KEYBOARD.split('')) + s.slice(i + 1);
    case 1: return s.slice(0, i) + s.slice(i + 1);
    case 2: return s.slice(0, i) + rng.pick(KEYBOARD.split('')) + s.slice(i);
    default: return s.slice(0, i) + (s[i + 1] ?? '') + (s[i] ?? '') + s.slice(i + 2);
  }
}

function newAddress(rng: Rng): Demographics['address'] {
  const town = TOWNS.sample(rng);
  return { line: [`${rng.range(1, 1999)} ${rng.pick(STREET_NAMES)} ${STREET_TYPES.sample(rng)}`], city: town.city, state: town.state, postalCode: town.zip };
}

function newPhone(rng: Rng, like: string | undefined): string {
  const area = like?.replace(/\D/g, '').slice(0, 3) ?? '207';
  return `(${area}) 555-${String(rng.int(10000)).padStart(4, '0')}`;
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(10));
  return s;
}

function shiftYears(date: string, years: number, rng: Rng): string {
  const y = Number(date.slice(0, 4)) + years;
  return `${y}-${String(rng.range(1, 12)).padStart(2, '0')}-${String(rng.range(1, 28)).padStart(2, '0')}`;
}

function clone(d: Demographics): Demographics {
  return structuredClone(d);
}

/** A second registration of the same person with realistic errors; `changes` names what was altered. */
export function reRegister(rng: Rng, src: Demographics): { record: Demographics; changes: string[] } {
  const d = clone(src);
  const changes: string[] = [];
  const first = d.given[0];
  if (first !== undefined && rng.chance(0.12)) {
    const nicks = NICKNAMES[first];
    if (nicks !== undefined) {
      d.given[0] = rng.pick(nicks);
      changes.push('nickname');
    }
  }
  if (d.given.length > 1 && rng.chance(0.3)) {
    d.given = d.given.slice(0, 1);
    changes.push('no-middle');
  }
  if (d.given[0] !== undefined && rng.chance(0.06)) {
    d.given[0] = typo(rng, d.given[0]);
    changes.push('given-typo');
  }
  if (rng.chance(0.06)) {
    d.family = typo(rng, d.family);
    changes.push('family-typo');
  }
  if (d.sex === 'female' && rng.chance(0.1)) {
    const married = FAMILY.sample(rng);
    if (rng.chance(0.25)) {
      d.family = `${src.family}-${married}`;
      changes.push('hyphenated');
    } else {
      d.family = married;
      // Half the time the registering system keeps the previous name as name.use = 'old'.
      if (rng.chance(0.5)) d.otherFamilies = [src.family];
      changes.push('married-name');
    }
  }
  if (rng.chance(0.02) && d.given[0] !== undefined) {
    const g = d.given[0];
    d.given = [d.family];
    d.family = g;
    changes.push('swapped-names');
  }
  if (d.birthDate !== undefined) {
    const [y, m, day] = d.birthDate.split('-') as [string, string, string];
    if (Number(day) <= 12 && day !== m && rng.chance(0.05)) {
      d.birthDate = `${y}-${day}-${m}`;
      changes.push('day-month-swap');
    } else if (rng.chance(0.04)) {
      const chars = d.birthDate.split('');
      const pos = rng.pick([2, 3, 6, 9]);
      chars[pos] = String((Number(chars[pos]) + rng.range(1, 8)) % 10);
      const candidate = chars.join('');
      if (!Number.isNaN(Date.parse(candidate))) {
        d.birthDate = candidate;
        changes.push('birth-date-typo');
      }
    }
  }
  if (rng.chance(0.15)) {
    d.address = newAddress(rng);
    changes.push('moved');
  } else if (rng.chance(0.05)) {
    delete d.address;
    changes.push('no-address');
  }
  if (rng.chance(0.15)) {
    d.phone = newPhone(rng, d.phone);
    changes.push('new-phone');
  } else if (rng.chance(0.1)) {
    delete d.phone;
    changes.push('no-phone');
  }
  if (d.ssn !== undefined && rng.chance(0.35)) {
    delete d.ssn;
    changes.push('no-ssn');
  }
  if (rng.chance(0.03)) {
    delete d.sex;
    changes.push('no-sex');
  }
  return { record: d, changes };
}

export type HardNegativeKind = 'twin' | 'junior' | 'senior-same-name' | 'sibling' | 'guarantor-ssn' | 'namesake-ssn' | 'twin-shared-ssn';

/** Someone else in the same household: the correct outcome for the query is never 'link'. */
export function relativeOf(rng: Rng, src: Demographics, kind: HardNegativeKind): Demographics {
  const d = clone(src);
  delete d.otherFamilies;
  const sex = rng.chance(0.5) ? 'female' : 'male';
  const otherGiven = (): string => {
    for (;;) {
      const g = (sex === 'female' ? FEMALE_GIVEN : MALE_GIVEN).sample(rng);
      if (g !== src.given[0]) return g;
    }
  };
  const newSsn = (): string | undefined => (src.ssn !== undefined && rng.chance(0.6) ? `9${digits(rng, 8)}` : undefined);
  const setSsn = (s: string | undefined): void => {
    if (s === undefined) delete d.ssn;
    else d.ssn = s;
  };
  const dob = src.birthDate ?? '1980-01-01';
  switch (kind) {
    case 'twin':
      d.given = [otherGiven()];
      d.sex = sex;
      setSsn(newSsn());
      break;
    case 'sibling':
      d.given = [otherGiven()];
      d.sex = sex;
      d.birthDate = shiftYears(dob, rng.chance(0.5) ? rng.range(1, 8) : -rng.range(1, 8), rng);
      setSsn(newSsn());
      break;
    case 'junior':
      // Same name, a generation younger; half the time only the son's record carries "Jr".
      d.birthDate = shiftYears(dob, rng.range(18, 40), rng);
      d.suffix = 'Jr';
      setSsn(newSsn());
      break;
    case 'senior-same-name':
      // Father and son with the same name and no suffix anywhere.
      d.birthDate = shiftYears(dob, -rng.range(18, 40), rng);
      delete d.suffix;
      setSsn(newSsn());
      break;
    case 'guarantor-ssn':
      // A child registered under the parent's SSN (the guarantor's).
      d.given = [otherGiven()];
      d.sex = sex;
      d.birthDate = shiftYears(dob, rng.range(18, 40), rng);
      break;
    case 'namesake-ssn':
      // A parent or a child with the very same name, registered under the other's SSN at the
      // same home, no suffix anywhere: only the birth date tells them apart.
      d.birthDate = shiftYears(dob, rng.chance(0.5) ? rng.range(18, 40) : -rng.range(18, 40), rng);
      delete d.suffix;
      break;
    case 'twin-shared-ssn':
      // Twins both registered under a parent's SSN (the guarantor's).
      d.given = [otherGiven()];
      d.sex = sex;
      break;
  }
  return d;
}
