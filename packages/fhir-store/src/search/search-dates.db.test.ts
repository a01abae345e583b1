/**
 * Date search semantics, table-driven against https://hl7.org/fhir/R4/search.html#prefix
 * ("where the comparison is performed on values that are intrinsically ranges"): a value is
 * the range its precision or Period covers; an absent Period bound is infinite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, Patient } from 'fhir/r4';
import { createSearchFixture, type SearchFixture } from './test-fixture.ts';

let f: SearchFixture;

/** Observation.effective[x] of each fixture, named by what it covers. */
const EFFECTIVE: Record<string, Partial<Observation>> = {
  'day': { effectiveDateTime: '2013-01-14' },
  'second': { effectiveDateTime: '2013-01-14T10:00:00Z' },
  'month': { effectiveDateTime: '2013-01' },
  'year': { effectiveDateTime: '2013' },
  'day-before': { effectiveDateTime: '2013-01-13' },
  'next-second': { effectiveDateTime: '2013-01-15T00:00:00Z' },
  'span': { effectivePeriod: { start: '2013-01-10', end: '2013-01-20' } },
  'open-end': { effectivePeriod: { start: '2013-01-14T12:00:00Z' } },
  'open-start': { effectivePeriod: { end: '2012-06-01' } },
  'far-past': { effectiveDateTime: '2000-01-01' },
  'far-future': { effectiveDateTime: '2016-06-01' },
  'tz': { effectiveDateTime: '2013-01-14T23:30:00-05:00' },
};

const ALL = Object.keys(EFFECTIVE).sort();
const except = (...ids: string[]): string[] => ALL.filter((id) => !ids.includes(id));

beforeAll(async () => {
  f = await createSearchFixture();
  await f.put(
    ...Object.entries(EFFECTIVE).map(([id, effective]) => ({ resourceType: 'Observation' as const, id, status: 'final' as const, code: { text: 'x' }, ...effective })),
  );
});
afterAll(async () => {
  await f.db.close();
});

describe('date prefixes against a day (2013-01-14 = [00:00:00.000, 23:59:59.999] UTC)', () => {
  // 'tz' is 2013-01-15T04:30:00Z: the next day in UTC.
  const cases: [string, string[]][] = [
    ['eq', ['day', 'second']],
    ['ne', except('day', 'second')],
    ['gt', ['far-future', 'month', 'next-second', 'open-end', 'span', 'tz', 'year']],
    ['lt', ['day-before', 'far-past', 'month', 'open-start', 'span', 'year']],
    ['ge', ['day', 'far-future', 'month', 'next-second', 'open-end', 'second', 'span', 'tz', 'year']],
    ['le', ['day', 'day-before', 'far-past', 'month', 'open-start', 'second', 'span', 'year']],
    ['sa', ['far-future', 'next-second', 'tz']],
    ['eb', ['day-before', 'far-past', 'open-start']],
    // now = 2026-01-01: 10% of the 13-year gap widens the day by about 1.3 years each way.
    ['ap', except('far-past', 'far-future')],
  ];
  it.each(cases)('date=%s2013-01-14', async (prefix, expected) => {
    expect(await f.ids('Observation', `date=${prefix}2013-01-14`)).toEqual([...expected].sort());
  });
});

describe('date precision of the search value', () => {
  const cases: [string, string[]][] = [
    ['2013', ['day', 'day-before', 'month', 'next-second', 'second', 'span', 'tz', 'year']],
    ['2013-01', ['day', 'day-before', 'month', 'next-second', 'second', 'span', 'tz']],
    ['2013-01-14T10:00:00Z', ['second']],
    ['2013-01-14T10:00Z', ['second']],
    ['2013-01-14T10:00:00.500Z', []],
    ['2013-01-15', ['next-second', 'tz']],
    ['2013-01-14T23:30:00-05:00', ['tz']],
    // An open end is infinite, so it lies after any date.
    ['gt2013', ['far-future', 'open-end']],
    ['lt2013', ['far-past', 'open-start']],
    ['ge2013-01-15', ['far-future', 'month', 'next-second', 'open-end', 'span', 'tz', 'year']],
    ['sa2012-12', ['day', 'day-before', 'far-future', 'month', 'next-second', 'open-end', 'second', 'span', 'tz', 'year']],
    ['eb2013-02', ['day', 'day-before', 'far-past', 'month', 'next-second', 'open-start', 'second', 'span', 'tz']],
  ];
  it.each(cases)('date=%s', async (value, expected) => {
    expect(await f.ids('Observation', `date=${encodeURIComponent(value)}`)).toEqual([...expected].sort());
  });

  it('ORs comma-separated dates and ANDs repeated ones (a range)', async () => {
    expect(await f.ids('Observation', 'date=2000,2016')).toEqual(['far-future', 'far-past']);
    // Ranges that straddle the day both start before it and end after it.
    expect(await f.ids('Observation', 'date=ge2013-01-14&date=le2013-01-14')).toEqual(['day', 'month', 'second', 'span', 'year']);
    expect(await f.ids('Observation', 'date=gt2012-12-31&date=lt2013-01-14')).toEqual(['day-before', 'month', 'span', 'year']);
  });

  it(':missing', async () => {
    await f.put({ resourceType: 'Observation', id: 'no-date', status: 'final', code: { text: 'x' } });
    expect(await f.ids('Observation', 'date:missing=true')).toEqual(['no-date']);
    expect(await f.ids('Observation', 'date:missing=false')).toEqual(ALL);
  });
});

describe('partial dates in resources (Patient.birthDate)', () => {
  it('a birth year is all of that year', async () => {
    const born: (Patient & { id: string })[] = [
      { resourceType: 'Patient', id: 'b-1980', birthDate: '1980' },
      { resourceType: 'Patient', id: 'b-1980-05', birthDate: '1980-05' },
      { resourceType: 'Patient', id: 'b-1980-05-05', birthDate: '1980-05-05' },
      { resourceType: 'Patient', id: 'b-1981-01-01', birthDate: '1981-01-01' },
    ];
    await f.put(...born);
    expect(await f.ids('Patient', 'birthdate=1980')).toEqual(['b-1980', 'b-1980-05', 'b-1980-05-05']);
    expect(await f.ids('Patient', 'birthdate=1980-05')).toEqual(['b-1980-05', 'b-1980-05-05']);
    expect(await f.ids('Patient', 'birthdate=1980-05-05')).toEqual(['b-1980-05-05']);
    expect(await f.ids('Patient', 'birthdate=gt1980-05-05')).toEqual(['b-1980', 'b-1980-05', 'b-1981-01-01']);
    expect(await f.ids('Patient', 'birthdate=lt1980-05-05')).toEqual(['b-1980', 'b-1980-05']);
    expect(await f.ids('Patient', 'birthdate=sa1980')).toEqual(['b-1981-01-01']);
    expect(await f.ids('Patient', 'birthdate=ne1980')).toEqual(['b-1981-01-01']);
  });
});
