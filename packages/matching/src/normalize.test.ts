import type { Patient } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { areNicknames, nicknamePairCount } from './nicknames.ts';
import { fromFhirPatient, normalize, normalizePhone, normalizeSsn, normalizeStreet, normalizeZip } from './normalize.ts';

describe('normalize', () => {
  it('lower-cases, strips diacritics and punctuation, splits hyphenated family names, extracts suffixes', () => {
    const r = normalize({ given: ['José', 'M.'], family: "Côté-O'Brien Jr." });
    expect(r.given).toEqual(['jose', 'm']);
    expect(r.family).toBe('coteobrien');
    expect(r.familyParts).toEqual(['cote', 'obrien']);
    expect(r.suffix).toBe('jr');
    expect(normalize({ given: ['John'], family: 'Smith', suffix: 'Senior' }).suffix).toBe('sr');
    expect(normalize({ given: ['John', 'III'], family: 'Smith' }).suffix).toBe('iii');
  });

  it('canonicalizes US street words and drops units', () => {
    expect(normalizeStreet(['12 Main Street Apt 4'])).toEqual({ houseNumber: '12', street: 'main st' });
    expect(normalizeStreet(['12 Main St. #4'])).toEqual({ houseNumber: '12', street: 'main st' });
    expect(normalizeStreet(['7 Kennebec Avenue'])).toEqual({ houseNumber: '7', street: 'kennebec ave' });
  });

  it('keeps ZIP5, 10 phone digits, and valid SSNs (including 9xx areas)', () => {
    expect(normalizeZip('04101-1234')).toBe('04101');
    expect(normalizePhone('+1 (207) 555-0101')).toBe('2075550101');
    expect(normalizePhone('555')).toBeUndefined();
    expect(normalizeSsn('912-34-5678')).toBe('912345678');
    for (const bad of ['000-12-3456', '123-45-6789', '111-11-1111', '123-00-4567', '123-45-0000']) expect(normalizeSsn(bad)).toBeUndefined();
  });

  it('rejects impossible birth dates', () => {
    expect(normalize({ given: ['A'], family: 'B', birthDate: '1980-13-01' }).birthDate).toBeUndefined();
    expect(normalize({ given: ['A'], family: 'B', birthDate: '1980-02-01' }).birthDate).toBe('19800201');
  });

  it('reads a FHIR Patient: official name, maiden name as earlier family, home address, phone, SSN', () => {
    const p: Patient = {
      resourceType: 'Patient',
      name: [{ use: 'official', family: 'Dube', given: ['Marie'], suffix: ['Sr.'] }, { use: 'maiden', family: 'Pelletier', given: ['Marie'] }],
      gender: 'female',
      birthDate: '1950-04-03',
      address: [{ use: 'home', line: ['3 Elm Street'], city: 'Augusta', state: 'ME', postalCode: '04330' }],
      telecom: [{ system: 'email', value: 'x@example.com' }, { system: 'phone', value: '(207) 555-0199' }],
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: '912-00-1234' }],
    };
    const d = fromFhirPatient(p);
    expect(d).toMatchObject({ given: ['Marie'], family: 'Dube', sex: 'female', suffix: 'Sr.', otherFamilies: ['Pelletier'], phone: '(207) 555-0199' });
    const r = normalize(d);
    expect(r).toMatchObject({ street: 'elm st', houseNumber: '3', zip: '04330', phone: '2075550199', otherFamilies: ['pelletier'], suffix: 'sr' });
    // Group 00 is never issued.
    expect(r.ssn).toBeUndefined();
  });
});

describe('nicknames', () => {
  it('knows common diminutives, symmetrically, and does not chain classes', () => {
    expect(nicknamePairCount()).toBeGreaterThan(300);
    for (const [a, b] of [['william', 'bill'], ['bill', 'william'], ['margaret', 'peggy'], ['robert', 'bob'], ['elizabeth', 'betty'], ['katherine', 'kate']]) {
      expect(areNicknames(a as string, b as string)).toBe(true);
    }
    expect(areNicknames('christopher', 'christina')).toBe(false);
    expect(areNicknames('john', 'james')).toBe(false);
  });
});
