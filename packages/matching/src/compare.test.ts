import { describe, expect, it } from 'vitest';
import { compareBirthDate, compareFamily, compareGiven, compareLocality, comparePhone, compareSex, compareSsn, compareStreet, compareSuffix } from './compare.ts';
import { normalize } from './normalize.ts';
import { damerauLevenshtein, jaroWinkler, nysiis, soundex, withinOneEdit } from './strings.ts';

const rec = (family: string, extra: Partial<Parameters<typeof normalize>[0]> = {}) => normalize({ given: ['x'], family, ...extra });

describe('string measures', () => {
  it('Jaro–Winkler, Damerau–Levenshtein, Soundex and NYSIIS give the textbook values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
    expect(damerauLevenshtein('ca', 'ac')).toBe(1);
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(soundex('robert')).toBe('r163');
    expect(soundex('rupert')).toBe('r163');
    expect(soundex('ashcraft')).toBe('a261');
    expect(nysiis('knight')).toBe(nysiis('night'));
    expect(nysiis('macdonald')).toBe(nysiis('mcdonald'));
  });
});

describe('one-edit check', () => {
  it('agrees with the full Damerau–Levenshtein distance on short strings', () => {
    let x = 1;
    const next = (k: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % k;
    };
    const word = (): string => Array.from({ length: next(6) }, () => 'abc'[next(3)]).join('');
    for (let n = 0; n < 20_000; n++) {
      const a = word();
      // Half the pairs one random edit apart, so both answers are well represented.
      let b = word();
      if (n % 2 === 0 && a.length > 1) {
        const i = next(a.length - 1);
        b = [a.slice(0, i) + a.slice(i + 1), a.slice(0, i) + 'c' + a.slice(i + 1), a.slice(0, i) + (a[i + 1] ?? '') + (a[i] ?? '') + a.slice(i + 2)][next(3)] as string;
      }
      const full = damerauLevenshtein(a, b);
      expect(withinOneEdit(a, b), `${a} ${b}`).toBe(full <= 1);
      expect(damerauLevenshtein(a, b, 1), `${a} ${b}`).toBe(Math.min(full, 2));
      // With a bound, distances above it are only reported as above it.
      const bounded = damerauLevenshtein(a, b, 2);
      expect(full <= 2 ? bounded === full : bounded > 2, `${a} ${b}`).toBe(true);
    }
  });
});

describe('comparators', () => {
  it('given names: exact, nickname, typo, initial, disagree, missing', () => {
    expect(compareGiven(['william'], ['william']).level).toBe('exact');
    expect(compareGiven(['william'], ['bill'])).toEqual({ level: 'close', detail: 'nickname' });
    expect(compareGiven(['jonathon'], ['jonathan']).level).toBe('close');
    expect(compareGiven(['j'], ['james'])).toEqual({ level: 'partial', detail: 'initial' });
    expect(compareGiven(['mary'], ['susan']).level).toBe('disagree');
    expect(compareGiven([], ['susan']).level).toBe('missing');
  });

  it('family names: hyphenated parts, earlier names, typos', () => {
    expect(compareFamily(rec('Smith-Jones'), rec('Jones'))).toEqual({ level: 'close', detail: 'compound' });
    expect(compareFamily(rec('Dube', { otherFamilies: ['Pelletier'] }), rec('Pelletier'))).toEqual({ level: 'close', detail: 'previous-name' });
    expect(compareFamily(rec('Thibodeau'), rec('Thibodaeu')).level).toBe('close');
    expect(compareFamily(rec('Smith'), rec('Nguyen')).level).toBe('disagree');
  });

  it('birth dates: exact, one-digit typo, transposition, day/month swap, two digits, disagree', () => {
    expect(compareBirthDate('19800312', '19800312').level).toBe('exact');
    expect(compareBirthDate('19800312', '19800313')).toMatchObject({ level: 'close', detail: 'typo' });
    expect(compareBirthDate('19800312', '19080312')).toMatchObject({ level: 'close', detail: 'typo' });
    expect(compareBirthDate('19800312', '19801203')).toMatchObject({ level: 'close', detail: 'day-month-swap' });
    expect(compareBirthDate('19800312', '19810313')).toMatchObject({ level: 'partial' });
    expect(compareBirthDate('19800312', '19550101')).toMatchObject({ level: 'disagree', yearGap: 25 });
    expect(compareBirthDate(undefined, '19550101').level).toBe('missing');
  });

  it('birth dates: a year off by one with day and month equal is close even across a decade', () => {
    expect(compareBirthDate('19891231', '19901231')).toMatchObject({ level: 'close', detail: 'year-off-by-one', yearGap: 1 });
    expect(compareBirthDate('19991105', '20001105')).toMatchObject({ level: 'close', detail: 'year-off-by-one' });
    // A year apart on another day is two people (siblings) as far as the date can tell.
    expect(compareBirthDate('19891231', '19900315').level).toBe('disagree');
    // One digit of the decade: close, and the gap is there for the parent/child rule.
    expect(compareBirthDate('19550312', '19850312')).toMatchObject({ level: 'close', detail: 'typo', yearGap: 30 });
  });

  it('SSNs: one typo or transposition is close, two are partial, an entirely different number disagrees', () => {
    expect(compareSsn('912345678', '912345678').level).toBe('exact');
    expect(compareSsn('912345678', '912345679')).toEqual({ level: 'close', detail: 'typo' });
    expect(compareSsn('912345678', '913245678')).toEqual({ level: 'close', detail: 'typo' });
    expect(compareSsn('912345678', '912345699')).toEqual({ level: 'partial', detail: 'two-digits' });
    expect(compareSsn('912345678', '921345687')).toEqual({ level: 'partial', detail: 'two-digits' });
    expect(compareSsn('912345678', '955261212').level).toBe('disagree');
    expect(compareSsn('4524218', '5215850').level).toBe('disagree');
    expect(compareSsn('912345678', undefined).level).toBe('missing');
  });

  it('address, phone, SSN, sex, suffix', () => {
    const a = normalize({ given: ['x'], family: 'y', address: { line: ['12 Main Street'], city: 'Augusta', postalCode: '04330' } });
    const b = normalize({ given: ['x'], family: 'y', address: { line: ['12 Main St'], city: 'Augusta', postalCode: '04330-0001' } });
    const c = normalize({ given: ['x'], family: 'y', address: { line: ['40 Oak Rd'], city: 'Bangor', postalCode: '04401' } });
    expect(compareStreet(a, b).level).toBe('exact');
    expect(compareLocality(a, b).level).toBe('exact');
    expect(compareStreet(a, c).level).toBe('disagree');
    expect(compareLocality(a, c).level).toBe('disagree');
    expect(comparePhone('2075550101', '2075550101').level).toBe('exact');
    expect(comparePhone('2075550101', '2075550110').level).toBe('close');
    expect(comparePhone('2075550101', '6035550101')).toEqual({ level: 'close', detail: 'area-code' });
    expect(compareSsn('912345678', '912345687')).toEqual({ level: 'close', detail: 'typo' });
    expect(compareSsn('912345678', '987654321').level).toBe('disagree');
    expect(compareSex('male', 'female').level).toBe('disagree');
    expect(compareSex('male', undefined).level).toBe('missing');
    expect(compareSuffix('jr', 'sr').level).toBe('disagree');
    expect(compareSuffix('jr', undefined).level).toBe('missing');
  });
});
