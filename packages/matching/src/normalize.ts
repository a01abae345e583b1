/**
 * Demographics for matching, and their normalization. Normalizing once, when a record enters
 * the index, keeps comparison cheap: comparators then only see lower-case ASCII tokens, digit
 * strings and canonical street words (FEBRL's "standardisation" step, Christen 2008).
 */
import type { Patient } from 'fhir/r4';

export type Sex = 'male' | 'female' | 'other' | 'unknown';

export interface Address {
  line?: string[];
  city?: string;
  state?: string;
  postalCode?: string;
}

/** What a source system tells us about a person; every field except the name may be missing. */
export interface Demographics {
  given: string[];
  family: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  sex?: Sex;
  address?: Address;
  phone?: string;
  ssn?: string;
  /** Jr, Sr, II, III… (also extracted from given/family when typed there). */
  suffix?: string;
  /** Earlier family names (maiden, previous official names), used only to recognise a changed name. */
  otherFamilies?: string[];
}

/** The canonical form the comparators and blocking work on. */
export interface NormalizedRecord {
  /** Given-name tokens, first one first ("mary ann" -> ["mary", "ann"]). */
  given: string[];
  /** Whole family name without separators ("smith-jones" -> "smithjones"). */
  family: string;
  /** Parts of a compound family name (["smith", "jones"]), or [family]. */
  familyParts: string[];
  otherFamilies: string[];
  /** YYYYMMDD. */
  birthDate?: string;
  sex?: 'male' | 'female' | 'other';
  houseNumber?: string;
  /** Street words with canonical abbreviations, without house number or unit. */
  street?: string;
  city?: string;
  state?: string;
  /** ZIP5 / postcode digits. */
  zip?: string;
  /** 10 digits (US) or the national digits as given. */
  phone?: string;
  ssn?: string;
  suffix?: string;
}

const SUFFIXES: Record<string, string> = {
  jr: 'jr', junior: 'jr', sr: 'sr', senior: 'sr', ii: 'ii', '2nd': 'ii', iii: 'iii', '3rd': 'iii', iv: 'iv', '4th': 'iv',
};

/** Lower-case ASCII letters, digits and single spaces; hyphens and apostrophes become spaces or vanish. */
export function cleanText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function normalizeSuffix(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return SUFFIXES[cleanText(s).replace(/ /g, '')];
}

/** Tokens of a name with any generational suffix removed (returned separately). */
function nameTokens(s: string): { tokens: string[]; suffix?: string } {
  const tokens: string[] = [];
  let suffix: string | undefined;
  for (const t of cleanText(s).split(' ')) {
    if (t === '') continue;
    const sfx = SUFFIXES[t];
    if (sfx !== undefined) suffix = sfx;
    else tokens.push(t);
  }
  return suffix === undefined ? { tokens } : { tokens, suffix };
}

/** USPS Publication 28 suffixes and directionals most often seen in registration data. */
const STREET_WORDS: Record<string, string> = {
  street: 'st', str: 'st', avenue: 'ave', av: 'ave', avn: 'ave', road: 'rd', lane: 'ln', drive: 'dr', drv: 'dr',
  court: 'ct', crt: 'ct', place: 'pl', terrace: 'ter', terr: 'ter', circle: 'cir', boulevard: 'blvd', highway: 'hwy',
  parkway: 'pkwy', square: 'sq', way: 'wy', crescent: 'cres', circuit: 'cct', close: 'cl', north: 'n', south: 's',
  east: 'e', west: 'w', mount: 'mt', saint: 'st', route: 'rte', point: 'pt', trail: 'trl', apartment: 'apt', suite: 'ste',
};
const UNIT_WORDS = new Set(['apt', 'unit', 'ste', 'fl', 'floor', 'rm', 'room', 'bldg', 'po', 'box']);

/** Splits the first address line into house number and canonical street; units are dropped (they change often). */
export function normalizeStreet(lines: readonly string[] | undefined): { houseNumber?: string; street?: string } {
  const first = lines?.[0];
  if (first === undefined) return {};
  const words = cleanText(first.replace(/#\s*\w+/g, ' ')).split(' ').filter((w) => w !== '');
  let houseNumber: string | undefined;
  if (words.length > 0 && /^\d+[a-z]?$/.test(words[0] as string)) houseNumber = words.shift();
  const out: string[] = [];
  for (const w of words) {
    const canon = STREET_WORDS[w] ?? w;
    if (UNIT_WORDS.has(canon)) break;
    out.push(canon);
  }
  const street = out.join(' ');
  return { ...(houseNumber === undefined ? {} : { houseNumber }), ...(street === '' ? {} : { street }) };
}

export function normalizeZip(s: string | undefined): string | undefined {
  const m = s === undefined ? null : /^\s*(\d{4,5})/.exec(s);
  return m?.[1];
}

/** 10 digits for NANP numbers (a leading country code 1 is dropped); anything shorter than 7 digits is noise. */
export function normalizePhone(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  let d = s.replace(/\D/g, '');
  if (d.length === 11 && d.startsWith('1')) d = d.slice(1);
  if (d.length < 7 || /^(\d)\1+$/.test(d)) return undefined;
  return d;
}

/**
 * SSN digits. Placeholders are treated as absent: all-same-digit, area 000, group 00, serial 0000
 * and 123456789. 9xx areas are kept: the synthetic data (and ITINs) use them. Shorter national
 * ids (FEBRL's 7-digit numbers) are accepted as they are.
 */
export function normalizeSsn(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const d = s.replace(/\D/g, '');
  if (d.length < 7 || d.length > 9 || /^(\d)\1+$/.test(d) || d === '123456789') return undefined;
  if (d.length === 9 && (d.startsWith('000') || d.slice(3, 5) === '00' || d.endsWith('0000'))) return undefined;
  return d;
}

/** YYYY-MM-DD (or YYYYMMDD) to YYYYMMDD; partial or impossible dates are absent. */
export function normalizeBirthDate(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const d = s.replace(/\D/g, '');
  if (d.length !== 8) return undefined;
  const month = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return d;
}

const NO_NAMES: string[] = [];

export function normalize(d: Demographics): NormalizedRecord {
  const given: string[] = [];
  let suffix = normalizeSuffix(d.suffix);
  for (const g of d.given) {
    const t = nameTokens(g);
    given.push(...t.tokens);
    suffix ??= t.suffix;
  }
  const fam = nameTokens(d.family);
  suffix ??= fam.suffix;
  const familyParts = fam.tokens;
  const family = familyParts.join('');
  const others = (d.otherFamilies ?? []).map((f) => nameTokens(f).tokens.join('')).filter((f) => f !== '' && f !== family);
  // One shared empty array: at a million records, per-record empty arrays cost tens of MB.
  const otherFamilies = others.length === 0 ? NO_NAMES : others;
  const street = normalizeStreet(d.address?.line);
  const rec: NormalizedRecord = { given, family, familyParts: familyParts.length > 0 ? familyParts : [family], otherFamilies };
  const birthDate = normalizeBirthDate(d.birthDate);
  if (birthDate !== undefined) rec.birthDate = birthDate;
  if (d.sex === 'male' || d.sex === 'female' || d.sex === 'other') rec.sex = d.sex;
  if (street.houseNumber !== undefined) rec.houseNumber = street.houseNumber;
  if (street.street !== undefined) rec.street = street.street;
  const city = d.address?.city === undefined ? '' : cleanText(d.address.city);
  if (city !== '') rec.city = city;
  const state = d.address?.state === undefined ? '' : cleanText(d.address.state);
  if (state !== '') rec.state = state;
  const zip = normalizeZip(d.address?.postalCode);
  if (zip !== undefined) rec.zip = zip;
  const phone = normalizePhone(d.phone);
  if (phone !== undefined) rec.phone = phone;
  const ssn = normalizeSsn(d.ssn);
  if (ssn !== undefined) rec.ssn = ssn;
  if (suffix !== undefined) rec.suffix = suffix;
  return rec;
}

const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

/** Demographics of a FHIR R4 Patient: the official (else usual, else first) name, home address, first phone, SSN. */
export function fromFhirPatient(patient: Patient): Demographics {
  const names = patient.name ?? [];
  const name = names.find((n) => n.use === 'official') ?? names.find((n) => n.use === 'usual') ?? names.find((n) => n.use !== 'old' && n.use !== 'maiden') ?? names[0];
  const given = name?.given ?? (name?.text !== undefined ? name.text.split(/\s+/).slice(0, -1) : []);
  const family = name?.family ?? (name?.text !== undefined ? (name.text.split(/\s+/).pop() ?? '') : '');
  const otherFamilies = names.filter((n) => n !== name && n.family !== undefined).map((n) => n.family as string);
  const addresses = patient.address ?? [];
  const address = addresses.find((a) => a.use === 'home' && a.period?.end === undefined) ?? addresses.find((a) => a.use !== 'old') ?? addresses[0];
  const phone = (patient.telecom ?? []).find((t) => t.system === 'phone' && t.value !== undefined)?.value;
  const ssn = (patient.identifier ?? []).find((i) => i.system === SSN_SYSTEM || i.type?.coding?.some((c) => c.code === 'SS') === true)?.value;
  const d: Demographics = { given, family };
  if (patient.birthDate !== undefined) d.birthDate = patient.birthDate;
  if (patient.gender !== undefined) d.sex = patient.gender;
  if (address !== undefined) {
    const a: Address = {};
    if (address.line !== undefined) a.line = address.line;
    if (address.city !== undefined) a.city = address.city;
    if (address.state !== undefined) a.state = address.state;
    if (address.postalCode !== undefined) a.postalCode = address.postalCode;
    d.address = a;
  }
  if (phone !== undefined) d.phone = phone;
  if (ssn !== undefined) d.ssn = ssn;
  const suffix = name?.suffix?.[0];
  if (suffix !== undefined) d.suffix = suffix;
  if (otherFamilies.length > 0) d.otherFamilies = otherFamilies;
  return d;
}
