import { describe, expect, it } from 'vitest';
import {
  ACT_CODE_SYSTEM,
  ageOn,
  allows,
  classifyResource,
  evaluateProxy,
  labelsOf,
  minorAccessEnds,
  visibleToProxy,
  withSensitivityLabels,
  type ProxyGrant,
} from './index.ts';

const condition = (system: string, code: string, display = ''): { resourceType: string; code: unknown } & Record<string, unknown> => ({
  resourceType: 'Condition',
  code: { coding: [{ system, code, display }] },
});
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';

describe('sensitivity labels from code lists', () => {
  it.each([
    [ICD, 'F10.20', 'ETH'],
    [ICD, 'F32.9', 'PSY'],
    [ICD, 'B20', 'HIV'],
    [ICD, 'A54.9', 'STD'],
    [ICD, 'O09.90', 'SEX'],
    [ICD, 'Z30.011', 'SEX'],
    [SCT, '370143000', 'PSY'],
    [SCT, '86406008', 'HIV'],
    [SCT, '66590003', 'ETH'],
    ['urn:oid:2.16.840.1.113883.6.90', 'F41.1', 'PSY'],
  ])('%s %s → %s', (system, code, label) => {
    expect([...classifyResource(condition(system, code))]).toEqual([label]);
  });

  it.each([
    [ICD, 'E11.9'],
    [ICD, 'F17.210'], // nicotine dependence is not substance-use confidential
    [ICD, 'F84.0'], // autism stays visible to parents
    [ICD, 'F90.0'], // ADHD likewise
    [SCT, '44054006'],
    ['http://example.org/local', 'F32.9'], // a local code system is not ICD-10
  ])('%s %s → no label', (system, code) => {
    expect(classifyResource(condition(system, code)).size).toBe(0);
  });

  it('reads observation codes and values, and medication names by ingredient', () => {
    const hivTest = { resourceType: 'Observation', code: { coding: [{ system: LOINC, code: '75622-1' }] } };
    expect([...classifyResource(hivTest)]).toEqual(['HIV']);
    const phq = { resourceType: 'Observation', code: { coding: [{ system: LOINC, code: '1234-5' }] }, valueCodeableConcept: { coding: [{ system: SCT, code: '35489007' }] } };
    expect([...classifyResource(phq)]).toEqual(['PSY']);
    const bup = { resourceType: 'MedicationRequest', medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1010600', display: 'Buprenorphine 2 MG / Naloxone 0.5 MG Sublingual Film' }] } };
    expect([...classifyResource(bup)]).toEqual(['ETH']);
    const pill = { resourceType: 'MedicationStatement', medicationCodeableConcept: { text: 'Levonorgestrel 0.15 MG / Ethinyl Estradiol 0.03 MG Oral Tablet' } };
    expect([...classifyResource(pill)]).toEqual(['SEX']);
    const contained = { resourceType: 'MedicationRequest', contained: [{ resourceType: 'Medication', code: { text: 'sertraline 50 MG Oral Tablet' } }] };
    expect([...classifyResource(contained)]).toEqual(['PSY']);
    // Ingredient names are whole words; and only medications are read by name.
    expect(classifyResource({ resourceType: 'MedicationStatement', medicationCodeableConcept: { text: 'Methadonex' } }).size).toBe(0);
    expect(classifyResource({ resourceType: 'Observation', code: { text: 'methadone level' } }).size).toBe(0);
  });

  it('keeps labels a source set and adds the missing ones once', () => {
    const r = { resourceType: 'Condition', meta: { security: [{ system: ACT_CODE_SYSTEM, code: 'HIV' }] }, code: { coding: [{ system: ICD, code: 'F11.20' }] } };
    const labelled = withSensitivityLabels(r);
    expect([...labelsOf(labelled)].sort()).toEqual(['ETH', 'HIV']);
    expect(withSensitivityLabels(labelled)).toBe(labelled);
    const plain = condition(ICD, 'E11.9');
    expect(withSensitivityLabels(plain)).toBe(plain);
  });

  it('takes an organization’s own code lists', () => {
    const lists = [{ label: 'PSY' as const, snomed: ['44054006'] }];
    expect([...classifyResource(condition(SCT, '44054006'), lists)]).toEqual(['PSY']);
    expect(classifyResource(condition(ICD, 'F32.9'), lists).size).toBe(0);
  });
});

describe('age', () => {
  it('counts whole years on the day, with 29 February birthdays on 1 March in common years', () => {
    expect(ageOn('2013-06-15', new Date('2026-06-14T23:59:59Z'))).toBe(12);
    expect(ageOn('2013-06-15', new Date('2026-06-15T00:00:00Z'))).toBe(13);
    expect(ageOn('2008-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(17);
    expect(ageOn('2008-02-29', new Date('2026-03-01T00:00:00Z'))).toBe(18);
    expect(ageOn('2008-02-29', new Date('2028-02-29T00:00:00Z'))).toBe(20);
    expect(ageOn('not a date', new Date())).toBeNull();
    expect(minorAccessEnds('2008-02-29')).toBe('2026-03-01');
    expect(minorAccessEnds('2010-07-04')).toBe('2028-07-04');
  });
});

describe('proxy rules', () => {
  const parent = (birth: string): ProxyGrant => ({ basis: 'parent', subjectBirthDate: birth, grantedAt: '2020-01-01T00:00:00Z' });
  const now = new Date('2026-11-23T12:00:00Z');

  it('gives a parent of a child 0–12 full access', () => {
    const d = evaluateProxy(parent('2016-01-01'), now);
    expect(d).toMatchObject({ active: true, ageBand: 'child', age: 10, hideSubjectMessages: false });
    expect(allows(d, 'clinical', 'act')).toBe(true);
    expect(visibleToProxy(d, ['PSY', 'SEX'])).toBe(true);
  });

  it('hides teen-confidential labels and the teen’s messages from 13 to 17', () => {
    const d13 = evaluateProxy(parent('2013-11-23'), now);
    expect(d13).toMatchObject({ active: true, ageBand: 'teen', age: 13, hideSubjectMessages: true });
    for (const l of ['SEX', 'STD', 'HIV', 'PSY', 'ETH'] as const) expect(visibleToProxy(d13, [l])).toBe(false);
    expect(visibleToProxy(d13, [])).toBe(true);
    const theDayBefore = evaluateProxy(parent('2013-11-24'), now);
    expect(theDayBefore.ageBand).toBe('child');
  });

  it('ends a parent’s access on the 18th birthday by itself', () => {
    expect(evaluateProxy(parent('2008-11-24'), now)).toMatchObject({ active: true, ageBand: 'teen', age: 17 });
    const d = evaluateProxy(parent('2008-11-23'), now);
    expect(d).toMatchObject({ active: false, reason: 'subject-is-adult' });
    expect(allows(d, 'clinical', 'view')).toBe(false);
    expect(visibleToProxy(d, [])).toBe(false);
  });

  it('gives a dependent adult’s proxy only the areas granted, until review', () => {
    const grant: ProxyGrant = {
      basis: 'power-of-attorney',
      subjectBirthDate: '1940-05-05',
      grantedAt: '2026-01-01T00:00:00Z',
      reviewBy: '2027-01-01T00:00:00Z',
      permissions: { clinical: 'view', billing: 'act' },
    };
    const d = evaluateProxy(grant, now);
    expect(d.active).toBe(true);
    expect(allows(d, 'clinical', 'view')).toBe(true);
    expect(allows(d, 'clinical', 'act')).toBe(false);
    expect(allows(d, 'billing', 'act')).toBe(true);
    expect(allows(d, 'messaging', 'view')).toBe(false);
    expect(evaluateProxy(grant, new Date('2027-01-01T00:00:00Z'))).toMatchObject({ active: false, reason: 'review-due' });
  });

  it('refuses mismatched grants, revoked and future ones', () => {
    expect(evaluateProxy({ basis: 'adult-consent', subjectBirthDate: '2015-01-01', grantedAt: '2020-01-01T00:00:00Z' }, now)).toMatchObject({ active: false, reason: 'subject-is-minor' });
    expect(evaluateProxy({ ...parent('2016-01-01'), revokedAt: '2026-11-01T00:00:00Z' }, now)).toMatchObject({ active: false, reason: 'revoked' });
    expect(evaluateProxy({ ...parent('2016-01-01'), revokedAt: '2026-12-01T00:00:00Z' }, now).active).toBe(true);
    expect(evaluateProxy({ ...parent('2016-01-01'), grantedAt: '2027-01-01T00:00:00Z' }, now)).toMatchObject({ active: false, reason: 'not-yet-valid' });
    expect(evaluateProxy(parent('1990-13-45'), now)).toMatchObject({ active: false, reason: 'invalid-birth-date' });
  });
});
